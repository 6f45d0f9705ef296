"""The price-rounding formulas recalculated by LibreOffice agree with xlkc.rounding.

LibreOffice, like Excel, rounds decimal values (ROUND(0.285; 2) = 0.29), but it rounds the
shortest decimal form of the double (repr, up to 17 digits) where Excel and xlkc use 15
significant digits. The only allowed differences are therefore ROUND arguments whose 15-digit
form is a tie and whose repr is not (float noise such as 53.49999999999999); there LibreOffice
must give the repr-based result. Skips when LibreOffice is not installed.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest

from xlkc.rounding import excel_round_formula, round_half_away, round_price

try:  # tests/ as a package or as a plain rootdir-relative folder
    from . import lo_harness as lo
except ImportError:
    import lo_harness as lo

pytestmark = pytest.mark.skipif(
    lo.unavailable_reason() is not None,
    reason=f"LibreOffice-kontroller hoppas över: {lo.unavailable_reason()}",
)

STEPS = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0]
CONFIGS = [(s, d) for s in STEPS for d in ("nearest", "up")]
DECIMALS = [-1, 0, 1, 2, 3]


def half_away(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def round_argument(x: float, step: float) -> tuple[float, int]:
    """The argument and decimals of the ROUND that decides "nearest" (module docstring)."""
    dec = Decimal(repr(step)).normalize()
    if dec.as_tuple().digits == (1,):
        return x, -dec.as_tuple().exponent
    inv = 1 / dec
    return (x * int(inv), 0) if inv == inv.to_integral_value() else (x / step, 0)


def is_15_digit_edge(a: float, decimals: int) -> bool:
    """Rounding the 15-digit form and the repr of `a` give different results."""
    fifteen = Decimal("%.14e" % a) if a else Decimal(0)  # noqa: UP031
    return half_away(fifteen, decimals) != half_away(Decimal(repr(a)), decimals)


def libreoffice_nearest(x: float, step: float) -> float:
    """round_price(x, step) as LibreOffice evaluates the formula: ROUND on the repr."""
    a, d = round_argument(x, step)
    if Decimal(repr(step)).normalize().as_tuple().digits == (1,):  # ROUND(x; d)
        return float(half_away(Decimal(repr(a)), d))
    return float(half_away(Decimal(repr(a)), 0) * Decimal(repr(step)))


def sample_values() -> np.ndarray:
    rng = np.random.default_rng(20261129)
    return np.concatenate([
        [0.285, 1.005, 2.675, 8.325, 12.5, -12.5, 12.25, 0.15, 0.1 * 3, 1.1 + 2.2, 12.01, 0.0],
        np.round(rng.uniform(-200, 3000, 120), 2),  # two-decimal prices: many .5 edges
        np.round(rng.uniform(0, 500, 60), 3),
        rng.uniform(0, 5000, 60),  # full-precision computed prices
        np.arange(-5, 40) * 0.1,  # multiples with binary noise
        np.arange(0, 30) * 0.05 + 0.025,  # ties of the 0.05 step
    ])


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    openpyxl = pytest.importorskip("openpyxl")
    values = sample_values()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Avrundning"
    for r, x in enumerate(values, start=1):
        sheet.cell(row=r, column=1, value=float(x))
        for c, (step, direction) in enumerate(CONFIGS, start=2):
            sheet.cell(row=r, column=c, value="=" + excel_round_formula(f"A{r}", step, direction))
        for c, d in enumerate(DECIMALS, start=2 + len(CONFIGS)):
            sheet.cell(row=r, column=c, value=f"=ROUND(A{r},{d})")
    path = tmp_path_factory.mktemp("lo_avrundning") / "avrundning.xlsx"
    book.save(path)
    grid = lo.recalculate(path, sheets=["Avrundning"])["Avrundning"]
    return values, np.array([row[: 1 + len(CONFIGS) + len(DECIMALS)] for row in grid], dtype=float)


def test_inputs_survive_the_round_trip(recalculated):
    # LibreOffice's xlsx import may land one ulp away from the written double (seen on
    # 17-digit values such as 0.30000000000000004 → 0.3); the comparisons below therefore use
    # the inputs as LibreOffice holds them (column A read back).
    values, grid = recalculated
    np.testing.assert_allclose(grid[:, 0], values, rtol=1e-15, atol=0)


@pytest.mark.parametrize(("col", "config"), list(enumerate(CONFIGS, start=1)))
def test_libreoffice_price_formula_equals_round_price(recalculated, col, config):
    _, grid = recalculated
    step, direction = config
    xs, lo_values = grid[:, 0], grid[:, col]
    ours = round_price(xs, step, direction)
    if direction == "up":
        np.testing.assert_array_equal(lo_values, ours)
        return
    for x, got, want in zip(xs, lo_values, ours, strict=True):
        if got != want:
            assert is_15_digit_edge(*round_argument(x, step)), (x, got, want)
            assert got == libreoffice_nearest(x, step), (x, got)


def test_libreoffice_round_equals_round_half_away(recalculated):
    _, grid = recalculated
    xs = grid[:, 0]
    for k, d in enumerate(DECIMALS, start=1 + len(CONFIGS)):
        for x, got, want in zip(xs, grid[:, k], round_half_away(xs, d), strict=True):
            if got != want:
                assert is_15_digit_edge(x, d), (x, d, got, want)
                assert got == float(half_away(Decimal(repr(x)), d))


def test_libreoffice_known_15_digit_difference(recalculated):
    # 2.675/0.05 = 53.49999999999999 in binary: 15 digits say 53.5 → 54, repr says 53.
    # The k form (2.675*20 = 53.5 exactly) keeps the price formula out of this edge.
    values, grid = recalculated
    assert round_half_away(2.675 / 0.05) == 54.0
    assert libreoffice_nearest(2.675 / 0.05, 1) == 53.0
    i = int(np.flatnonzero(values == 2.675)[0])
    col = 1 + CONFIGS.index((0.05, "nearest"))
    assert grid[i, col] == round_price(2.675, 0.05) == 2.7


def test_libreoffice_decimal_edges(recalculated):
    values, grid = recalculated
    col = 1 + CONFIGS.index((0.01, "nearest"))
    assert grid[0, col] == 0.29 and grid[1, col] == 1.01  # Excel/LibreOffice, not binary
