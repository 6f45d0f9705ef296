"""Allocation of overhead pools to services, and öre-exact splitting of amounts.

:func:`allocate` shares overhead pools (kostnadspooler) over services by allocation keys
(fördelningsnycklar) with one of three methods:

* ``"direct"`` (direkt): every pool straight to the services; usage by other pools is ignored.
* ``"step-down"`` (stegvis): pools in the order of ``pool_costs``; each pool, with what it has
  received from earlier pools, is shared over the services and the pools *after* it in the
  order; usage by earlier pools is ignored.
* ``"reciprocal"`` (ömsesidig): support pools charge each other. The total cost of pool p is
  ``x_p = c_p + Σ_q S[q, p]·x_q`` with ``S[q, p] = usage[q, p] / Σ usage[q, receivers ≠ q]``;
  each x_q then goes to the services by the service part of its shares.

Meaning of the result (the same for every method): row p, column s is **the part of pool p's own
cost c_p that ends up on service s** after all the passing around between pools (origin
tracking). Each row sums to its pool's cost and the grand total to ``pool_costs.sum()``, so a
controller can read "the 1.2 MSEK of the HR pool lands here". A service's allocated overhead is
the column sum. For the reciprocal method the origin matrix is
``diag(c) · (I − S_pp)⁻¹ · S_ps`` (S_pp pool→pool shares, S_ps pool→service shares); for
step-down it is the same bookkeeping done as a forward sweep.

Amounts are float kr. Money is conserved: every row is rescaled to sum to its pool cost, which
puts the grand total within float precision (far below 0.005 kr) of ``pool_costs.sum()``.
:func:`distribute_ore` splits one amount into öre-exact parts (largest remainder) for fees that
are invoiced.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import numpy as np
import pandas as pd

from xlkc.errors import InputError

__all__ = ["FLOW_FIELDS", "METHODS", "Prepared", "allocate", "allocation_flows", "distribute_ore",
           "flows_of", "prepare", "shares", "to_ore"]

#: Accepted method names (English codes and Swedish labels) → canonical code.
METHODS = {
    "direct": "direct",
    "direkt": "direct",
    "step-down": "step-down",
    "stegvis": "step-down",
    "reciprocal": "reciprocal",
    "ömsesidig": "reciprocal",
    "reciprok": "reciprocal",
}

# A reciprocal system whose rows do not sum to one within this is numerically a closed loop.
_LOOP_TOLERANCE = 1e-6


def _kr(x: float) -> str:
    """Swedish money format: 1 234 567,89 kr."""
    return f"{x:,.2f}".replace(",", " ").replace(".", ",") + " kr"


def _names(items) -> str:
    return ", ".join(f"'{p}'" for p in items)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------

def _method(method: str) -> str:
    key = str(method).strip().lower() if method is not None else ""
    try:
        return METHODS[key]
    except KeyError:
        raise InputError(
            f"Okänd fördelningsmetod {method!r}: välj 'direkt' (direct), 'stegvis' (step-down) "
            "eller 'ömsesidig' (reciprocal)."
        ) from None


def _costs(pool_costs) -> pd.Series:
    if not isinstance(pool_costs, pd.Series):
        pool_costs = pd.Series(pool_costs)
    _unique_pools(pool_costs.index)
    values = pd.to_numeric(pool_costs, errors="coerce").astype(np.float64)
    pools = list(values.index)
    _check_costs(pools, values.to_numpy(), lambda i: pool_costs[pools[i]])
    return values


def _unique_pools(pools) -> None:
    """No pool twice among the costs."""
    if len(set(pools)) == len(pools):
        return
    index = pd.Index(pools)
    dup = index[index.duplicated()].unique()
    raise InputError(f"Overheadpoolen {_names(dup)} förekommer flera gånger.")


def _check_costs(pools: list, c: np.ndarray, entered) -> None:
    """Every pool's cost (``c``, floats in pool order) finite and not negative; the first pool
    that is not is named, with ``entered(i)``: its value as given."""
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(~np.isfinite(c) | (c < 0))
    if not bad.size:
        return
    i = int(bad[0])
    if not math.isfinite(c[i]):
        raise InputError(
            f"Overheadpoolen '{pools[i]}' saknar ett giltigt belopp (fick {entered(i)!r}).")
    raise InputError(
        f"Overheadpoolen '{pools[i]}' har ett negativt belopp ({_kr(c[i])}); "
        "kostnaden måste vara 0 eller större."
    )


class Prepared(NamedTuple):
    """The validated inputs of an allocation, in pool order: the method's code, the pools,
    their own costs c, the key quantities U_pp (pool to pool, diagonal zeroed) and U_ps (pool
    to service), and the services."""

    how: str
    pools: pd.Index | list
    c: np.ndarray
    u_pp: np.ndarray
    u_ps: np.ndarray
    services: pd.Index | list


def _checked(pool_costs, usage: pd.DataFrame, method: str) -> Prepared:
    """:class:`Prepared` from a cost series and a key table (rows matched by label)."""
    how = _method(method)
    costs = _costs(pool_costs)
    u_pp, u_ps, services = _usage(usage, costs.index)
    return Prepared(how, costs.index, costs.to_numpy(dtype=np.float64), u_pp, u_ps, services)


def prepare(method: str, pools: list, costs: np.ndarray, usage: np.ndarray,
            receivers: list) -> Prepared:
    """:class:`Prepared` from arrays, validated as :func:`allocate` validates its tables.

    ``costs``: each pool's own cost, in the order of ``pools`` (the step-down order);
    ``usage``: one row per pool in that order, one column per receiver (``receivers``: their
    ids; those among ``pools`` are pools, the others services). For a caller holding the
    arrays (the costs rerun per SLA level, issue 15): no tables built and matched by label.
    """
    how = _method(method)
    _unique_pools(pools)
    c = np.asarray(costs, dtype=np.float64)
    _check_costs(pools, c, c.__getitem__)
    if len(set(receivers)) != len(receivers):
        index = pd.Index(receivers)
        dup = index[index.duplicated()].unique()
        raise InputError(f"Fördelningsnycklarna har mottagaren {_names(dup)} flera gånger.")
    vals = np.array(usage, dtype=np.float64)
    u_pp, u_ps, is_pool = _split_usage(vals, pools, receivers, lambda i, j: vals[i, j])
    return Prepared(how, pools, c, u_pp, u_ps,
                    [r for r, p in zip(receivers, is_pool, strict=True) if not p])


def _usage(usage: pd.DataFrame, pools: pd.Index) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Validate the key table; return (U_pp, U_ps, services) in pool order, diagonal zeroed."""
    if not isinstance(usage, pd.DataFrame):
        raise InputError("Fördelningsnycklarna måste vara en tabell med en rad per overheadpool.")
    dup_rows = usage.index[usage.index.duplicated()].unique()
    if len(dup_rows):
        raise InputError(f"Fördelningsnycklarna har flera rader för overheadpoolen {_names(dup_rows)}.")
    dup_cols = usage.columns[usage.columns.duplicated()].unique()
    if len(dup_cols):
        raise InputError(f"Fördelningsnycklarna har mottagaren {_names(dup_cols)} flera gånger.")
    missing = [p for p in pools if p not in usage.index]
    if missing:
        raise InputError(f"Overheadpoolen {_names(missing)} saknar rad i fördelningsnycklarna.")
    extra = [p for p in usage.index if p not in pools]
    if extra:
        raise InputError(
            f"Fördelningsnycklarna har en rad för {_names(extra)}, som inte är någon overheadpool."
        )
    table = usage.loc[pools]
    try:
        vals = table.to_numpy(dtype=np.float64, copy=True)
    except (TypeError, ValueError):  # text or empty cells: locate them below
        vals = table.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64, copy=True)
    u_pp, u_ps, is_pool = _split_usage(vals, pools, table.columns,
                                       lambda i, j: table.iat[i, j])
    return u_pp, u_ps, table.columns[~is_pool]


def _split_usage(vals: np.ndarray, pools, columns, entered
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check the key quantities (finite, not negative; the first bad one named, with
    ``entered(i, j)``: its value as given) and split them into (U_pp, U_ps, which columns are
    pools)."""
    bad = ~np.isfinite(vals)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InputError(
            f"Fördelningsnyckeln från overheadpoolen '{pools[i]}' till '{columns[j]}' "
            f"saknar ett giltigt värde (fick {entered(i, j)!r})."
        )
    neg = vals < 0
    if neg.any():
        i, j = np.argwhere(neg)[0]
        raise InputError(
            f"Fördelningsnyckeln från overheadpoolen '{pools[i]}' till '{columns[j]}' "
            f"är negativ ({vals[i, j]:g}); nycklar måste vara 0 eller större."
        )
    pos = {p: i for i, p in enumerate(pools)}
    is_pool = np.array([c in pos for c in columns], dtype=bool)
    u_ps = vals[:, ~is_pool]
    u_pp = np.zeros((len(pools), len(pools)))
    target = [pos[c] for c, p in zip(columns, is_pool, strict=True) if p]
    u_pp[:, target] = vals[:, is_pool]
    np.fill_diagonal(u_pp, 0.0)  # a pool's use of itself is ignored
    return u_pp, u_ps, is_pool


def _no_receiver(pool, amount: float, own: bool, hint: str = "") -> InputError:
    what = (f"har {_kr(amount)} att fördela" if own
            else f"tar emot {_kr(amount)} från andra overheadpooler")
    return InputError(
        f"Overheadpoolen '{pool}' har ingen mottagare med positiv fördelningsnyckel men {what}."
        + hint
    )


# --------------------------------------------------------------------------------------------
# Methods
# --------------------------------------------------------------------------------------------

def _direct(c: np.ndarray, u_ps: np.ndarray, pools) -> np.ndarray:
    tot = u_ps.sum(axis=1)
    for i in np.flatnonzero((c > 0) & (tot <= 0)):
        raise _no_receiver(pools[i], c[i], True,
                           " Vid direkt fördelning räknas bara nycklar mot tjänster.")
    share = np.divide(u_ps, tot[:, None], out=np.zeros_like(u_ps), where=tot[:, None] > 0)
    return c[:, None] * share


def _step_down(c: np.ndarray, u_pp: np.ndarray, u_ps: np.ndarray, pools) -> np.ndarray:
    k, m = u_ps.shape
    held = np.diag(c)  # held[origin, pool]: cost of origin currently sitting in pool
    out = np.zeros((k, m))
    for j in range(k):
        h = held[:, j]
        amount = h.sum()
        if amount <= 0:
            continue
        later = u_pp[j, j + 1:]
        tot = later.sum() + u_ps[j].sum()
        if tot <= 0:
            raise _no_receiver(
                pools[j], c[j] if c[j] > 0 else amount, c[j] > 0,
                " Vid stegvis fördelning räknas bara tjänster och overheadpooler som kommer "
                "senare i ordningen.",
            )
        held[:, j + 1:] += np.outer(h, later / tot)
        out += np.outer(h, u_ps[j] / tot)
        held[:, j] = 0.0
    return out


def _reciprocal(c: np.ndarray, u_pp: np.ndarray, u_ps: np.ndarray, pools) -> np.ndarray:
    k, m = u_ps.shape
    tot = u_pp.sum(axis=1) + u_ps.sum(axis=1)
    has = tot > 0
    s_pp = np.divide(u_pp, tot[:, None], out=np.zeros_like(u_pp), where=has[:, None])
    s_ps = np.divide(u_ps, tot[:, None], out=np.zeros_like(u_ps), where=has[:, None])
    link = s_pp > 0
    # Pools that carry money: those with cost > 0 and every pool they pass money to.
    active = c > 0
    for _ in range(k):
        grown = active | link[active].any(axis=0)
        if (grown == active).all():
            break
        active = grown
    # Pools that reach a service (directly or via other pools).
    drains = s_ps.sum(axis=1) > 0
    for _ in range(k):
        grown = drains | link[:, drains].any(axis=1)
        if (grown == drains).all():
            break
        drains = grown
    for i in np.flatnonzero(active & ~has):
        raise _no_receiver(pools[i], c[i], c[i] > 0) if c[i] > 0 else InputError(
            f"Overheadpoolen '{pools[i]}' tar emot kostnader från andra overheadpooler men har "
            "ingen mottagare med positiv fördelningsnyckel."
        )
    stuck = np.flatnonzero(active & ~drains)
    if stuck.size:
        raise _closed_loop([pools[i] for i in stuck])
    out = np.zeros((k, m))
    idx = np.flatnonzero(active)
    if idx.size == 0:
        return out
    a = np.eye(idx.size) - s_pp[np.ix_(idx, idx)]
    try:
        z = np.linalg.solve(a, s_ps[idx])
    except np.linalg.LinAlgError:
        raise _closed_loop([pools[i] for i in idx]) from None
    z = np.maximum(z, 0.0)  # the exact solution is non-negative; drop float dust
    rows = z.sum(axis=1)
    off = np.abs(rows - 1.0) > _LOOP_TOLERANCE
    if off.any() or not np.isfinite(z).all():
        raise _closed_loop([pools[i] for i in idx[off]] or [pools[i] for i in idx])
    out[idx] = c[idx, None] * z
    return out


def _closed_loop(names: list) -> InputError:
    return InputError(
        f"Overheadpoolerna {_names(names)} fördelar bara till varandra (sluten krets) och når "
        "ingen tjänst, så den ömsesidiga fördelningen saknar lösning. Ge minst en av dem en "
        "fördelningsnyckel mot en tjänst."
    )


def allocate(pool_costs: pd.Series, usage: pd.DataFrame, method: str) -> pd.DataFrame:
    """Allocate overhead pools to services.

    Parameters
    ----------
    pool_costs
        Amount of each pool in kr (≥ 0), indexed by pool id. Its order is the step-down order.
    usage
        Allocation keys: one row per pool (the same pools as ``pool_costs``), one column per
        receiver. Columns named like a pool are pools; every other column is a service. Values
        are driver quantities (≥ 0). A pool's usage of itself is ignored; a pool without a
        column receives nothing.
    method
        ``"direct"``, ``"step-down"`` or ``"reciprocal"`` (also ``"direkt"``, ``"stegvis"``,
        ``"ömsesidig"``).

    Returns
    -------
    DataFrame, rows = pools (``pool_costs`` order), columns = services (``usage`` order): the
    part of each pool's own cost that ends up on each service. Row sums equal the pool costs.

    Raises
    ------
    InputError
        Negative or missing amounts or keys, unknown method, a pool with money to pass on but no
        receiver with a positive key, or (reciprocal) pools that only serve each other.
    """
    prep = _checked(pool_costs, usage, method)
    return pd.DataFrame(shares(prep), index=prep.pools.copy(), columns=prep.services.copy())


def shares(prep: Prepared) -> np.ndarray:
    """:func:`allocate`'s matrix (pools × services) of prepared inputs."""
    how, pools, c, u_pp, u_ps, _ = prep
    plist = list(pools)
    if how == "direct":
        out = _direct(c, u_ps, plist)
    elif how == "step-down":
        out = _step_down(c, u_pp, u_ps, plist)
    else:
        out = _reciprocal(c, u_pp, u_ps, plist)
    # Conserve money per pool exactly up to float rounding: rescale each row to its cost.
    rows = out.sum(axis=1)
    scale = np.divide(c, rows, out=np.zeros_like(c), where=rows > 0)
    return out * scale[:, None]


#: Columns of :func:`allocation_flows`' frame.
FLOW_FIELDS = ("pool_id", "receiver", "to_pool", "key_quantity", "share", "amount_kr")


def allocation_flows(pool_costs: pd.Series, usage: pd.DataFrame, method: str
                     ) -> tuple[pd.DataFrame, pd.Series]:
    """Who passes how much to whom: the allocation as a controller follows it by hand.

    Each pool p shares out its total ``x_p`` (its own cost plus what it received from other
    pools) over its receivers in proportion to their key quantities:
    ``flow(p → r) = x_p · key(p, r) / Σ_r' key(p, r')``, where the receivers are

    - direct: the services only, so ``x_p = c_p``;
    - step-down: the services and the pools after p in the order, so ``x_p = c_p + Σ_{q<p}
      flow(q → p)``, computed in order;
    - reciprocal: the services and every other pool, ``x = c + S_ppᵀ·x``, solved at once.

    Returns ``(flows, totals)``: one row per (pool, receiver with a positive key) with
    ``FLOW_FIELDS`` (``to_pool`` tells a pool from a service), and ``x_p`` per pool. The flows
    into services sum per service to :func:`allocate`'s column sums (the same money, followed
    step by step instead of by origin); every pool passes on exactly what it holds. Call it on
    inputs :func:`allocate` accepted.
    """
    return flows_of(_checked(pool_costs, usage, method))


def flows_of(prep: Prepared) -> tuple[pd.DataFrame, pd.Series]:
    """:func:`allocation_flows` of prepared inputs."""
    how, pools, c, u_pp, u_ps, services = prep
    k = len(pools)
    if how == "direct":
        u_pp = np.zeros_like(u_pp)
    elif how == "step-down":
        u_pp = np.triu(u_pp, 1)  # only the pools after p receive from it
    tot = u_pp.sum(axis=1) + u_ps.sum(axis=1)
    has = tot > 0
    s_pp = np.divide(u_pp, tot[:, None], out=np.zeros_like(u_pp), where=has[:, None])
    s_ps = np.divide(u_ps, tot[:, None], out=np.zeros_like(u_ps), where=has[:, None])
    if how == "reciprocal" and k:
        x = np.linalg.solve(np.eye(k) - s_pp.T, c)
    else:
        x = c.copy()
        for j in range(k):  # step-down: in order; direct: s_pp is zero
            x[j + 1:] += x[j] * s_pp[j, j + 1:]
    # Per pool its pool receivers, then its services, each with a positive key.
    pool_list, service_list = list(pools), list(services)
    columns: dict[str, list] = {f: [] for f in FLOW_FIELDS}
    for i, p in enumerate(pool_list):
        for u, s, names, to_pool in ((u_pp, s_pp, pool_list, True),
                                     (u_ps, s_ps, service_list, False)):
            at = np.flatnonzero(u[i] > 0)
            columns["pool_id"] += [p] * at.size
            columns["receiver"] += [names[j] for j in at.tolist()]
            columns["to_pool"] += [to_pool] * at.size
            columns["key_quantity"].append(u[i, at])
            columns["share"].append(s[i, at])
            columns["amount_kr"].append(x[i] * s[i, at])
    if not columns["pool_id"]:  # an empty table of objects, as from no rows
        flows = pd.DataFrame([], columns=list(FLOW_FIELDS))
    else:
        for f in ("key_quantity", "share", "amount_kr"):
            columns[f] = np.concatenate(columns[f]).tolist()
        flows = pd.DataFrame(columns, columns=list(FLOW_FIELDS))
    return flows, pd.Series(x, index=pools.copy())


# --------------------------------------------------------------------------------------------
# Öre-exact splitting
# --------------------------------------------------------------------------------------------

def to_ore(amount: float) -> int:
    """An amount in kr as whole öre, rounded half away from zero on its decimal value."""
    try:
        a = float(amount)
    except (TypeError, ValueError):
        raise InputError(f"Beloppet måste vara ett tal (fick {amount!r}).") from None
    if not math.isfinite(a):
        raise InputError(f"Beloppet måste vara ett ändligt tal (fick {amount!r}).")
    return int(Decimal(repr(a)).scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def distribute_ore(amount: float, weights) -> np.ndarray:
    """Split ``amount`` kr into parts proportional to ``weights``, rounded to whole öre.

    The parts (float kr, each a whole number of öre) sum exactly, in öre, to ``amount`` rounded
    to öre (half away from zero), and each part is within one öre of its exact proportional
    share (largest-remainder method; equal remainders go to the earlier item). A negative amount
    is split like its absolute value, with the sign put back. Integer weights are handled in
    exact integer arithmetic.

    Raises InputError for negative or non-finite weights, or when all weights are zero.
    """
    total = to_ore(amount)
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.size == 0:
        raise InputError("Det finns inga mottagare att fördela beloppet på.")
    if not np.isfinite(w).all():
        raise InputError(f"Fördelningsnyckel nr {int(np.flatnonzero(~np.isfinite(w))[0]) + 1} "
                         "saknar ett giltigt värde.")
    if (w < 0).any():
        i = int(np.flatnonzero(w < 0)[0])
        raise InputError(f"Fördelningsnyckel nr {i + 1} är negativ ({w[i]:g}).")
    if not (w > 0).any():
        raise InputError(
            f"Alla fördelningsnycklar är noll; {_kr(total / 100)} kan inte fördelas."
        )
    sign = -1 if total < 0 else 1
    t = abs(total)
    n = w.size
    integral = bool((w == np.floor(w)).all()) and w.sum() < 2**53
    if integral and t * w.max() < 2**62 and w.sum() < 2**62:
        wi = w.astype(np.int64)
        wsum = int(wi.sum())
        prod = t * wi  # int64, no overflow (checked above)
        base = prod // wsum
        rem = (prod - base * wsum).astype(np.float64) / wsum  # only the order matters
    else:
        quota = t * (w / w.sum())
        base = np.floor(quota).astype(np.int64)
        rem = quota - base
    short = t - int(base.sum())  # 0 <= short < n in exact arithmetic
    # Largest remainder first, ties to the earlier item; only positive weights take part (float
    # quotas may push `short` a hair outside [0, n), divmod keeps the sum exact anyway).
    order = np.lexsort((np.arange(n), -rem))
    eligible = order[w[order] > 0]
    whole, extra = divmod(short, eligible.size)
    parts = base.copy()
    parts[eligible] += whole
    parts[eligible[:extra]] += 1
    return sign * parts.astype(np.float64) / 100.0


def distribute_ore_groups(amounts, weights, starts) -> np.ndarray:
    """:func:`distribute_ore` of many amounts at once, each over its own run of ``weights``.

    ``starts``: where each group's run begins in ``weights`` (runs are contiguous, in order,
    the last one ending at the end); ``amounts[g]`` is split over run g, or skipped (NaN parts)
    where it is NaN. The parts are exactly those of one :func:`distribute_ore` per group (issue
    15: one call per fee service cost most of a customer price list at scale). Groups with
    integer weights, small enough for exact int64 arithmetic, are split in one vectorised pass;
    any other group (fractional, negative, non-finite or all-zero weights) goes through
    :func:`distribute_ore` itself, in group order, so it raises as the loop would.
    """
    w = np.asarray(weights, dtype=np.float64).ravel()
    starts = np.asarray(starts, dtype=np.intp)
    n_groups = starts.size
    out = np.full(w.size, np.nan)
    if n_groups == 0:
        return out
    stops = np.append(starts[1:], w.size)
    gid = np.repeat(np.arange(n_groups), stops - starts)
    finite = np.isfinite(w)
    safe = np.where(finite, w, 0.0)
    # Fast groups: every weight a finite non-negative integer below 2**52, one positive, the
    # sums far from int64's range (stricter than distribute_ore's integer path, so both agree).
    row_ok = finite & (safe >= 0) & (safe == np.floor(safe)) & (safe < 2.0**52)
    ok = np.logical_and.reduceat(row_ok, starts) & (stops > starts)
    ok &= np.logical_or.reduceat(safe > 0, starts)
    wi = np.where(row_ok, safe, 0.0).astype(np.int64)
    wsum = np.add.reduceat(wi, starts)
    wmax = np.maximum.reduceat(np.where(row_ok, safe, 0.0), starts)
    ok &= wsum < 2**52
    totals = np.zeros(n_groups, dtype=np.int64)
    for g in range(n_groups):
        amount = amounts[g]
        if amount is None or (isinstance(amount, float) and math.isnan(amount)):
            ok[g] = False
            continue
        if ok[g]:
            t = to_ore(amount)
            if abs(t) < 2**52 and float(abs(t)) * float(wmax[g]) < 2.0**61:
                totals[g] = t
                continue
            ok[g] = False
        out[starts[g]:stops[g]] = distribute_ore(amount, w[starts[g]:stops[g]])
    fast = ok[gid]
    if not fast.any():
        return out
    g_of = gid[fast]
    wf = wi[fast]
    t = np.abs(totals)[g_of]
    ws = wsum[g_of]
    prod = t * wf
    base = prod // ws
    rem = (prod - base * ws).astype(np.float64) / ws
    pos = np.arange(g_of.size)
    firsts = np.flatnonzero(np.r_[True, g_of[1:] != g_of[:-1]])
    short = (np.abs(totals)[g_of[firsts]] - np.add.reduceat(base, firsts))
    order = np.lexsort((pos, -rem, g_of))
    eligible = order[wf[order] > 0]
    g_el = g_of[eligible]
    first_el = np.flatnonzero(np.r_[True, g_el[1:] != g_el[:-1]])
    count = np.diff(np.r_[first_el, g_el.size])
    # per fast group (in order of firsts == order of first_el: groups ascend in both)
    whole, extra = np.divmod(short, count)
    k = np.repeat(np.arange(first_el.size), count)
    rank = np.arange(g_el.size) - first_el[k]
    parts = base.copy()
    parts[eligible] += whole[k]
    parts[eligible[rank < extra[k]]] += 1
    sign = np.where(totals < 0, -1.0, 1.0)[g_of]
    out[fast] = sign * parts.astype(np.float64) / 100.0
    return out
