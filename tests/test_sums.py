"""xlkc.sums gives pandas' own sums, bit for bit, on random data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlkc.sums import column_sums, group_codes, group_sums, series_sum

# inf − inf in the random data: NaN, with numpy's and pandas' warnings
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _values(rng, shape, special: bool):
    """Floats of mixed magnitudes with zeros and negative zeros; ``special``: NaN and
    infinities mixed in."""
    v = rng.normal(size=shape) * 10.0 ** rng.uniform(-6, 9, size=shape)
    r = rng.random(shape)
    v[r < 0.1] = 0.0
    v[(r >= 0.1) & (r < 0.13)] = -0.0
    if special:
        v[(r >= 0.13) & (r < 0.16)] = np.nan
        v[(r >= 0.16) & (r < 0.17)] = np.inf
        v[(r >= 0.17) & (r < 0.18)] = -np.inf
    return v


def _same(a, b) -> bool:
    return np.asarray(a, dtype=np.float64).tobytes() == np.asarray(b, dtype=np.float64).tobytes()


def _keys(rng, n_rows: int):
    """Service-like keys, some missing (None), sorted or not, in groups of some size."""
    n_keys = int(rng.integers(1, 30))
    names = np.array([f"S{i:02d}" for i in range(n_keys)], dtype=object)
    keys = names[rng.integers(0, n_keys, size=n_rows)]
    how = rng.integers(0, 4)
    if how == 1:
        keys = np.sort(keys)
    elif how == 2:
        keys = names[np.minimum(np.arange(n_rows) // int(rng.choice([1, 2, 3, 40])),
                                n_keys - 1)]
    if rng.random() < 0.2 and n_rows:
        keys[rng.random(n_rows) < 0.1] = None
        if rng.random() < 0.5:
            keys = np.array(sorted(keys, key=lambda k: (k is not None, k or "")), dtype=object)
    return keys


@pytest.mark.parametrize("seed", range(8))
def test_group_sums_are_pandas_groupby_sums(seed):
    rng = np.random.default_rng(seed)
    for _ in range(200):
        n_rows = int(rng.integers(0, 150))
        keys = _keys(rng, n_rows)
        cols = [f"c{j}" for j in range(int(rng.integers(1, 4)))]
        frame = pd.DataFrame(_values(rng, (n_rows, len(cols)), rng.random() < 0.4),
                             columns=cols)
        frame["key"] = keys
        codes, uniques = pd.factorize(frame["key"], sort=True)
        want = frame.groupby("key")[cols].sum().reindex(uniques).to_numpy()
        values = frame[cols].to_numpy()
        assert _same(group_sums(values, codes, len(uniques)), want)
        one = frame.groupby("key")["c0"].sum().reindex(uniques).to_numpy()
        assert _same(group_sums(values[:, 0], codes, len(uniques)), one)
        assert _same(group_sums(values[:, 0], codes, len(uniques),
                                nan_beside=bool(np.isnan(values).any())), want[:, 0])
        if n_rows:
            transformed = frame.groupby("key")["c0"].transform("sum").to_numpy()
            at = codes >= 0
            assert _same(group_sums(values[:, 0], codes, len(uniques))[codes[at]],
                         transformed[at])


def test_series_sum_is_pandas_sum():
    rng = np.random.default_rng(3)
    for n in [*range(0, 40), 100, 1000, 9000, 20000]:
        for special in (False, True):
            values = _values(rng, n, special)
            assert _same(series_sum(values), pd.Series(values).sum())


def test_column_sums_are_a_frames_column_sums():
    rng = np.random.default_rng(5)
    for _ in range(400):
        shape = (int(rng.integers(0, 25)), int(rng.integers(0, 300)))
        m = rng.random(shape) * 10.0 ** rng.uniform(-3, 8, size=(shape[0], 1))
        m[rng.random(shape) < 0.3] = 0.0
        if rng.random() < 0.2:
            m[rng.random(shape) < 0.05] = np.nan
        frame = pd.DataFrame(m, index=[f"p{i}" for i in range(shape[0])],
                             columns=[f"s{j}" for j in range(shape[1])])
        filled = frame.reindex(index=list(frame.index), columns=list(frame.columns)).fillna(0.0)
        assert _same(column_sums(m), frame.sum(axis=0).to_numpy())
        assert _same(column_sums(np.nan_to_num(m)), filled.sum(axis=0).to_numpy())


@pytest.mark.parametrize("seed", range(4))
def test_groups_by_first_appearance_sum_as_pandas(seed):
    """group_codes numbers keys as they come (no sort) and tells whether pandas' sorted
    numbers ascend: the sums and transforms per key are pandas' own, for one key or two."""
    rng = np.random.default_rng(100 + seed)
    for _ in range(150):
        n_rows = int(rng.integers(0, 120))
        keys = _keys(rng, n_rows)
        second = rng.choice(np.array(["a", "b", "c"], dtype=object), size=n_rows)
        frame = pd.DataFrame({"k": keys, "k2": second,
                              "v": _values(rng, n_rows, rng.random() < 0.4)})
        if rng.random() < 0.5:
            frame = frame.sort_values(["k", "k2"], kind="stable", na_position="first")
        values = frame["v"].to_numpy()
        for by in (["k"], ["k", "k2"]):
            groups = group_codes(*(frame[c].tolist() for c in by))
            want = frame.groupby(by)["v"].sum().to_dict()
            got = dict(zip(groups.keys, groups.sums(values), strict=True))
            assert want.keys() == got.keys()
            assert all(_same(want[k], got[k]) for k in want)
            transformed = frame.groupby(by)["v"].transform("sum").to_numpy()
            assert _same(groups.transform(values), transformed)
