"""pandas' sums on plain numpy arrays, bit for bit (issue 15).

The engine's tables are small (tens of rows); a pandas ``groupby(...).sum()`` or
``Series.sum()`` there costs far more in fixed overhead than in arithmetic. These functions
give the same floats without the frames, so the engine can work on arrays and keep its
results bit-identical:

* :func:`group_sums` is ``groupby(key).sum()`` (and ``transform("sum")``): by
  ``np.add.reduceat`` or by Kahan's compensated summation, as pandas chooses.
* :func:`series_sum` is ``Series.sum()`` of a float column: NaN taken as 0, then numpy's sum.
* :func:`column_sums` is ``DataFrame(m).sum(axis=0)`` of a frame built from a 2-D array ``m``
  (rows × columns): pandas sums each column's values as one contiguous run.

``tests/test_sums.py`` pins each to pandas on random data.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

#: Groups larger than this are summed by pandas itself (the vectorised Kahan below loops once
#: per member of the largest group).
_LOOP_LIMIT = 32
#: Up to this many values the Kahan sums run as a Python loop (no array set-up).
_SMALL = 256


def group_sums(values, codes, n_groups: int, *, ascending: bool | None = None,
               nan_beside: bool = False) -> np.ndarray:
    """``groupby(key).sum()`` of ``values`` by group, as pandas sums it.

    ``values``: 1-D (a column: ``SeriesGroupBy``) or 2-D (rows × float columns held in one
    block: ``DataFrameGroupBy``). ``codes``: each row's group (−1: a missing key, the row left
    out); ``ascending``: pandas' own group numbers (by sorted key) ascend over the rows (None:
    ``codes`` are those numbers, or any in the same order). Returns the sum per code
    0..n_groups-1 (0.0 where a group has no row), shape ``(n_groups,)`` or
    ``(n_groups, columns)``. :func:`group_codes` numbers keys and tells ``ascending``.

    pandas (3.1) has two ways: where its group numbers ascend and no value of the block is NaN
    (``nan_beside``: the block has a NaN in a column not passed here), each group's run is
    summed by ``np.add.reduceat``; otherwise each group is added in row order with Kahan's
    compensated summation, skipping NaN, from ``s = c = 0.0``: ``y = v − c; t = s + y;
    c = (t − s) − y`` (0 where that is NaN, an infinite ``v``); ``s = t``.
    """
    v = np.asarray(values, dtype=np.float64)
    flat = v.ndim == 1
    v2 = v[:, None] if flat else v
    codes = np.asarray(codes, dtype=np.intp)
    dropped = int((codes < 0).sum())
    if ascending is None:
        ascending = bool((np.diff(codes) >= 0).all())
    if codes.size > dropped and ascending and not nan_beside and not np.isnan(v2).any():
        out = _reduceat_sums(v2, codes, n_groups, dropped, flat)
    else:
        out = _kahan_sums(v2, codes, n_groups)
    return out[:, 0] if flat else out


def _reduceat_sums(v2: np.ndarray, codes: np.ndarray, n_groups: int, dropped: int,
                   flat: bool) -> np.ndarray:
    """Sorted codes, no NaN: ``np.add.reduceat`` over each group's run (the dropped rows, at
    the front, left out), on the layout pandas passes (a column, or the block: columns ×
    rows)."""
    ids = codes[dropped:]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    out = np.zeros((n_groups, v2.shape[1]))
    with np.errstate(invalid="ignore"):  # inf − inf: NaN, as pandas gives it
        if flat:
            out[ids[starts], 0] = np.add.reduceat(np.ascontiguousarray(v2[dropped:, 0]),
                                                  starts)
        else:
            block = np.ascontiguousarray(v2[dropped:].T)
            out[ids[starts]] = np.add.reduceat(block, starts, axis=1).T
    return out


def _kahan_sums(v2: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """pandas' Cython group sum: Kahan per group in row order, NaN skipped. Vectorised over
    the groups, one step per member rank; groups larger than ``_LOOP_LIMIT`` by pandas."""
    if v2.size <= _SMALL:
        return _kahan_loop(v2, codes, n_groups)
    rows = np.flatnonzero(codes >= 0)
    order = rows[np.argsort(codes[rows], kind="stable")]
    g = codes[order]
    first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if g.size else np.zeros(0, np.intp)
    size = np.diff(np.r_[first, g.size])
    if size.size and size.max() > _LOOP_LIMIT:
        return _pandas_group_sums(v2, codes, n_groups)
    rank = np.arange(g.size) - np.repeat(first, size)
    by_rank = np.argsort(rank, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(rank))]
    s = np.zeros((n_groups, v2.shape[1]))
    c = np.zeros_like(s)
    with np.errstate(invalid="ignore"):
        for r in range(len(bounds) - 1):
            at = by_rank[bounds[r]:bounds[r + 1]]
            grp = g[at]
            val = v2[order[at]]
            skip = np.isnan(val)
            y = val - c[grp]
            t = s[grp] + y
            comp = (t - s[grp]) - y
            comp[np.isnan(comp)] = 0.0
            s[grp] = np.where(skip, s[grp], t)
            c[grp] = np.where(skip, c[grp], comp)
    return s


def _kahan_loop(v2: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """:func:`_kahan_sums` row by row in Python floats (IEEE doubles, the same operations):
    for a few values cheaper than the arrays' fixed costs."""
    width = v2.shape[1]
    s = [[0.0] * width for _ in range(n_groups)]
    c = [[0.0] * width for _ in range(n_groups)]
    for g, row in zip(codes.tolist(), v2.tolist(), strict=True):
        if g < 0:
            continue
        sg, cg = s[g], c[g]
        for j, val in enumerate(row):
            if val != val:  # NaN: skipped
                continue
            y = val - cg[j]
            t = sg[j] + y
            comp = (t - sg[j]) - y
            cg[j] = 0.0 if comp != comp else comp
            sg[j] = t
    return np.array(s, dtype=np.float64).reshape(n_groups, width)


def _pandas_group_sums(v2: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """pandas' own groupby sum (the Kahan path: the caller found the codes unsorted or a
    NaN), for large groups."""
    # A NaN column keeps pandas on its Kahan path.
    frame = pd.DataFrame(np.column_stack([v2, np.full(len(v2), np.nan)]))
    summed = frame.groupby(codes).sum().iloc[:, :-1]  # a code < 0: dropped below
    summed = summed[summed.index >= 0]
    return summed.reindex(range(n_groups), fill_value=0.0).to_numpy(dtype=np.float64)


class Groups(NamedTuple):
    """Keys numbered for :func:`group_sums`: ``codes`` per row (−1: missing), the distinct
    ``keys`` in order of first appearance, and whether pandas' numbers (by sorted key)
    ascend over the rows: the keys in order, the missing ones first."""

    codes: np.ndarray
    keys: list
    ascending: bool

    def sums(self, values, *, nan_beside: bool = False) -> np.ndarray:
        """``groupby(key).sum()`` per key of :attr:`keys` (see :func:`group_sums`)."""
        return group_sums(values, self.codes, len(self.keys), ascending=self.ascending,
                          nan_beside=nan_beside)

    def transform(self, values) -> np.ndarray:
        """``groupby(key).transform("sum")``: each row's group sum (NaN without a group)."""
        sums = self.sums(values)
        out = sums[np.maximum(self.codes, 0)] if len(sums) else np.full(
            (len(self.codes), *sums.shape[1:]), np.nan)
        out[self.codes < 0] = np.nan
        return out


def group_codes(*columns: list) -> Groups:
    """:class:`Groups` of the keys in ``columns`` (one list per key column, as the columns of
    a groupby; more than one: the keys are tuples). A row with a missing key (None or NaN) in
    any column is left out, as ``dropna=True`` does. By hashing (``pd.factorize``) and one
    comparison per neighbouring pair, not a sort of the keys (issue 15)."""
    arrays = [_objects(c) for c in columns]
    codes = pd.factorize(arrays[0])[0]
    for a in arrays[1:]:
        more, distinct = pd.factorize(a)
        pair = np.where((codes < 0) | (more < 0), -1, codes * len(distinct) + more)
        codes = np.full(len(pair), -1, dtype=np.intp)
        codes[pair >= 0] = pd.factorize(pair[pair >= 0])[0]
    codes = codes.astype(np.intp, copy=False)
    present = codes >= 0
    # Numbered by first appearance: a row starts its group where its number is a new high.
    high = np.maximum.accumulate(np.where(present, codes, -1)) if codes.size else codes
    starts = np.flatnonzero(present & (codes > np.r_[-1, high[:-1]]))
    rows = [a[starts] for a in arrays]
    keys = rows[0].tolist() if len(rows) == 1 else list(zip(*(r.tolist() for r in rows),
                                                            strict=True))
    # pandas' numbers ascend: the missing keys first, then the keys in order.
    at = np.flatnonzero(present)
    ascending = bool(present[at[0]:].all()) if at.size else True
    if ascending and at.size > 1:
        ascending = _non_decreasing([a[at] for a in arrays])
    return Groups(codes, keys, ascending)


def _objects(column: list) -> np.ndarray:
    """A list of keys as a 1-D object array."""
    out = np.empty(len(column), dtype=object)
    out[:] = column
    return out


def _non_decreasing(columns: list[np.ndarray]) -> bool:
    """Whether the rows (one value per column) are in order, compared column by column."""
    before = np.zeros(len(columns[0]) - 1, dtype=bool)  # strictly before the next row
    equal = np.ones(len(columns[0]) - 1, dtype=bool)
    for c in columns:
        before |= equal & (c[:-1] < c[1:])
        equal &= c[:-1] == c[1:]
    return bool((before | equal).all())


def is_missing(key) -> bool:
    """None or NaN: a key pandas leaves out of every group."""
    return key is None or key != key


def sums_by_key(values, *columns: list) -> dict:
    """``Series(values).groupby(columns).sum().to_dict()``: the sum per distinct key (a tuple
    for more than one column)."""
    groups = group_codes(*columns)
    return dict(zip(groups.keys, groups.sums(values), strict=True))


def series_sum(values) -> float:
    """``Series.sum()`` of float values: NaN taken as 0, then numpy's sum (pairwise)."""
    a = np.asarray(values, dtype=np.float64)
    nan = np.isnan(a)
    if nan.any():
        a = np.where(nan, 0.0, a)
    with np.errstate(invalid="ignore"):  # inf − inf: NaN, as pandas gives it
        return a.sum()


def column_sums(matrix: np.ndarray) -> np.ndarray:
    """``pd.DataFrame(matrix).sum(axis=0)``: each column of ``matrix`` summed as a contiguous
    run (pandas keeps a float frame's columns as rows of one block); NaN taken as 0."""
    block = np.ascontiguousarray(np.asarray(matrix, dtype=np.float64).T)
    nan = np.isnan(block)
    if nan.any():
        block = np.where(nan, 0.0, block)
    return block.sum(axis=1)
