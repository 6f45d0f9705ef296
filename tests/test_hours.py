"""Tests of xlkc.staffing.hours.productive_hours."""

from __future__ import annotations

import pytest

from xlkc.errors import InputError
from xlkc.staffing.hours import productive_hours


def test_defaults_by_hand():
    # 251 days × 8 h = 2 008 h; minus 28 × 8 = 224 h -> 1 784 h;
    # × 0.935 × 0.94 × 0.97 = × 0.852533 -> 1 520.918872 h.
    # (SPEC's "≈ 1 507" is what an additive 1 − 0.155 gives: 1 784 × 0.845 = 1 507.48.)
    assert productive_hours() == pytest.approx(1520.918872, abs=1e-6)


def test_total_shrinkage_replaces_parts():
    assert productive_hours(total_shrinkage=0.30) == pytest.approx(1784 * 0.70)
    assert productive_hours(total_shrinkage=0.0, sick_leave=0.5) == pytest.approx(1784.0)
    assert productive_hours(200, 7.5, 25, 0.1, 0.0, 0.0) == pytest.approx(175 * 7.5 * 0.9)


def test_zero_shares():
    assert productive_hours(sick_leave=0, training=0, other=0) == pytest.approx(1784.0)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"working_days": -1}, "Arbetsdagar"),
        ({"working_days": float("nan")}, "Arbetsdagar"),
        ({"hours_per_day": 0}, "Timmar per dag"),
        ({"hours_per_day": 25}, "Timmar per dag"),
        ({"vacation_days": -2}, "Semesterdagar"),
        ({"sick_leave": 1.0}, "Sjukfrånvaro"),
        ({"sick_leave": -0.1}, "Sjukfrånvaro"),
        ({"training": 1.5}, "Utbildning och möten"),
        ({"other": "mycket"}, "Raster och övrigt"),
        ({"total_shrinkage": 1.0}, "Total frånvaro"),
        ({"vacation_days": 251}, "Semesterdagar"),
    ],
)
def test_bad_input_raises_swedish(kwargs, name):
    with pytest.raises(InputError, match=name):
        productive_hours(**kwargs)
