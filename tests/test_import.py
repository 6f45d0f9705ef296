"""Statistics into the model (issue 13): answer groups' own profiles, quarter-hour staffing and
``xlkc importera`` on the bundled workbook.

References: the synthetic truth of ``tests/statgen.py`` (volumes, handle times and profiles are
known exactly) and a second staffing path, ``fte_for_intervals`` fed with every open day's
interval volumes computed here from the profile by hand.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import statgen
from tests.excel_edit import edited_copy, set_cell
from xlkc import calculate, example_inputs
from xlkc import layout as L  # noqa: N812
from xlkc.errors import ValidationError
from xlkc.excel.file_reader import read_workbook
from xlkc.excel.parse import check_workbook
from xlkc.inputs import ChannelKind, GroupProfileValue, ProfilePart, QueueRow
from xlkc.staffing.calendar import open_days
from xlkc.staffing.group_profiles import group_profile_problems, group_profiles, profile_values
from xlkc.staffing.model import interval_trace, staff
from xlkc.staffing.pools import pool_settings
from xlkc.staffing.standalone import fte_for_intervals
from xlkc.statistics import parse_lines
from xlkc.statistics.apply import import_statistics

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "workbook" / "Prismodell.xlsm"
QUEUES = ("Bygglov", "Trafik", "Trafik-chatt", "Avfall", "Tillstand-prio", "Socialt", "Skola",
          "Skola-chatt", "Skolplattformen")


def _truth(length_min: int = 15, extra: tuple[str, ...] = (), year: int = 2026,
           seed: int = 1) -> statgen.Truth:
    rng = np.random.default_rng(seed)
    per_day = 9 * 60 // length_min
    return statgen.Truth(year=year, length_min=length_min, queues=tuple(statgen.QueueTruth(
        queue=q, base=1, month_w=tuple(int(x) for x in rng.integers(1, 4, 12)),
        weekday_w=tuple(int(x) for x in rng.integers(1, 3, 5)),
        interval_w=tuple(int(x) for x in rng.integers(1, 3, per_day)),
        talk_per_call=int(rng.integers(200, 500)), wrap_per_call=60)
        for q in (*QUEUES, *extra)))


def _data(truth: statgen.Truth):
    return parse_lines(statgen.write_canonical(statgen.rows(truth)).decode().splitlines(),
                       "stat.csv")


# --- the groups' own profiles --------------------------------------------------------------------

def _quarter_hour_inputs(group: str = "SK", seed: int = 3):
    """The example with answer group ``group`` on its own quarter-hour profile."""
    rng = np.random.default_rng(seed)
    p = example_inputs()
    starts = range(8 * 60, 17 * 60, 15)
    values = profile_values(group, months=rng.uniform(0.7, 1.3, 12),
                            weekdays=rng.uniform(0.1, 0.3, 5),
                            intervals=zip(starts, rng.uniform(0.01, 0.05, 36), strict=True))
    return dataclasses.replace(p, group_profiles=tuple(values))


def test_a_quarter_hour_group_profile_staffs_on_quarter_hours():
    inputs = _quarter_hour_inputs()
    res = staff(inputs)
    pools = res.pools.set_index("pool_id")
    days = open_days(inputs.parameters.year).size
    assert pools.loc["SK/telefon", "intervals"] == days * 36
    assert pools.loc["SB/telefon", "intervals"] == days * 9  # the shared hourly profile
    trace = interval_trace(inputs, "SK/telefon")
    assert set(np.round(trace["hour"] % 1, 2)) == {0.0, 0.25, 0.5, 0.75}
    # Σ agents × days × ¼ h is the pool's on-queue time
    assert float((trace["agents"] * trace["days"]).sum()) * 0.25 == pytest.approx(
        pools.loc["SK/telefon", "on_queue_h"], rel=1e-12)


def test_quarter_hour_pool_equals_staffing_every_day_by_hand():
    """Second implementation: each open day's quarter-hour volumes computed here from the
    profile (month factor × weekday share, normalised over the year, × interval share) and
    staffed with ``fte_for_intervals``; the pool's FTE must be the same."""
    inputs = _quarter_hour_inputs()
    p = inputs.parameters
    prof = group_profiles(inputs)["SK"]
    pool = [c for c in inputs.contacts if c.channel_id == "telefon"
            and next(s for s in inputs.services if s.service_id == c.service_id).answer_group
            == "SK"]
    volume = sum(c.used_volume for c in pool)
    aht = sum(c.used_volume * c.used_aht_s for c in pool) / volume
    days = open_days(p.year)
    months = days.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (days.astype(np.int64) + 3) % 7
    day_w = np.asarray(prof.month_factors)[months] * np.asarray(prof.weekday_shares)[weekday]
    day_volume = volume * day_w / day_w.sum()
    shares = np.asarray(prof.hourly_shares) / sum(prof.hourly_shares)
    per_interval = np.outer(day_volume, shares).ravel()
    channel = next(c for c in inputs.channels if c.channel_id == "telefon")
    st_ = pool_settings(inputs, "SK", "telefon")
    by_hand = fte_for_intervals(per_interval, aht, channel, p, days=1.0, interval_s=900.0,
                                service_level=st_.service_level, answer_time_s=st_.answer_time_s,
                                max_occupancy=st_.max_occupancy, method=st_.method)
    pools = staff(inputs).pools.set_index("pool_id")
    assert pools.loc["SK/telefon", "fte"] == pytest.approx(by_hand.fte, rel=1e-9)


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(["SB", "SO", "SK"]))
def test_a_group_profile_equal_to_the_shared_one_changes_nothing(group):
    base = example_inputs()
    prof = base.profile
    values = profile_values(group, months=prof.month_factors, weekdays=prof.weekday_shares
                            or (1.0,) * 5,
                            intervals=zip(range(8 * 60, 17 * 60, 60), prof.hourly_shares,
                                          strict=True))
    with_own = dataclasses.replace(base, group_profiles=tuple(values))
    a, b = calculate(base), calculate(with_own)
    assert np.allclose(a.staffing.pools["fte"], b.staffing.pools["fte"], rtol=1e-12)
    assert np.allclose(a.price.prices["price_kr"], b.price.prices["price_kr"], rtol=1e-12)


@pytest.mark.parametrize(("rows", "words"), [
    (lambda: profile_values("SK", months=[1.0] * 11), "saknas för december"),
    (lambda: profile_values("SK", intervals=[(480, 0.5), (495, 0.5)]), "saknas"),
    (lambda: profile_values("SK", intervals=[(480 + 20 * k, 1.0) for k in range(27)]),
     "jämna 15, 30 eller 60"),
    (lambda: [GroupProfileValue("SK", ProfilePart.MONTH, "smarch", 1.0)], "ingen månad"),
    (lambda: [GroupProfileValue("SK", ProfilePart.INTERVAL, "25:00", 1.0)], "ingen tid"),
    (lambda: profile_values("SK", weekdays=[0.2, 0.2, 0.2, 0.2, -0.1]), "≥ 0"),
])
def test_group_profile_problems_are_located(rows, words):
    inputs = dataclasses.replace(example_inputs(), group_profiles=tuple(rows()))
    problems = group_profile_problems(inputs)
    assert problems and any(words in p.message for p in problems), problems
    assert all(p.record == "group_profiles" and p.index is not None for p in problems)
    with pytest.raises(ValidationError):
        calculate(inputs)


# --- import_statistics: exact recovery -----------------------------------------------------------

def test_import_recovers_volumes_handle_times_and_profiles_exactly():
    truth = _truth(length_min=15)
    data = _data(truth)
    inputs = example_inputs()
    res = import_statistics(inputs, data)
    r = statgen.rows(truth)
    year_days = open_days(inputs.parameters.year).size
    covered = open_days(truth.year).size
    contacts = {(c.service_id, c.channel_id): c for c in res.inputs.contacts}
    old = {(c.service_id, c.channel_id): c for c in inputs.contacts}
    for queue in ("Bygglov", "Skola-chatt"):
        sel = r["queue"] == queue
        m = next(m for m in inputs.queues if m.queue == queue)
        c = contacts[(m.service_id, m.channel_id)]
        assert c.volume == pytest.approx(r["demand"][sel].sum() * year_days / covered, rel=1e-12)
        assert c.aht_s == pytest.approx(r["handle"][sel].sum() / r["answered"][sel].sum(),
                                        rel=1e-12)
        assert c.replaced_volume == old[(m.service_id, m.channel_id)].volume
        assert c.replaced_aht_s == old[(m.service_id, m.channel_id)].aht_s
        assert c.volume_source.value == "statistik"
    # The shared Socialt queue is split 60/40 between SO1 and SO2.
    sel = r["queue"] == "Socialt"
    so1, so2 = contacts[("SO1", "telefon")], contacts[("SO2", "telefon")]
    assert so1.volume / so2.volume == pytest.approx(1.5, rel=1e-12)
    # Services the statistics do not cover keep their values.
    assert contacts[("SB1", "e-post")] == old[("SB1", "e-post")]
    # Group SK is fed by Skola, Skola-chatt and Skolplattformen: its interval shares are the
    # demand-weighted truth of those queues.
    prof = group_profiles(res.inputs)["SK"]
    assert prof.interval_minutes == 15
    qs = {q.queue: q for q in truth.queues}
    sk = [qs[q] for q in ("Skola", "Skola-chatt", "Skolplattformen")]
    # per interval, total demand of the group over the year ∝ Σ_q base·Σ_days(month·weekday)·w_i
    days = statgen.days_of(truth)
    months = days.astype("datetime64[M]").astype(np.int64) % 12
    wds = (days.astype(np.int64) + 3) % 7
    per_interval = sum(np.asarray(q.interval_w, float) * q.base
                       * float((np.asarray(q.month_w)[months] * np.asarray(q.weekday_w)[wds]).sum())
                       for q in sk)
    shares = np.asarray(prof.hourly_shares)
    # the import averages each day's shares; for one queue that is exact, for a mix the day
    # weights differ: compare against the single-queue group SB-prio (Tillstand-prio) exactly
    tp = qs["Tillstand-prio"]
    prio = group_profiles(res.inputs)["SB-prio"]
    w = np.asarray(tp.interval_w, float)
    assert np.allclose(np.asarray(prio.hourly_shares), w / w.sum(), rtol=1e-12)
    m = np.asarray(tp.month_w, float)
    assert np.allclose(np.asarray(prio.month_factors), m / m.mean(), rtol=1e-12)
    wd = np.asarray(tp.weekday_w, float)
    assert np.allclose(np.asarray(prio.weekday_shares), wd / wd.sum(), rtol=1e-12)
    assert shares.sum() == pytest.approx(1.0) and per_interval.size == shares.size
    # The customers' forecasts follow the new volumes, each keeping its share.
    fc = [v for v in res.inputs.customer_volumes if v.service_id == "SB-T1"]
    assert sum(v.forecast_quantity for v in fc) == pytest.approx(contacts[("SB-T1", "telefon")]
                                                                 .volume, rel=1e-12)
    before = [v for v in inputs.customer_volumes if v.service_id == "SB-T1"]
    ratios = {b.forecast_quantity / a.forecast_quantity for a, b in zip(fc, before, strict=True)}
    assert max(ratios) == pytest.approx(min(ratios), rel=1e-12)
    # and the new inputs calculate with every check OK
    assert calculate(res.inputs).all_checks_ok


def test_unmapped_queues_are_warned_never_dropped_silently():
    res = import_statistics(example_inputs(), _data(_truth(extra=("Okand",))))
    assert any("Okand" in w.message and w.is_warning for w in res.warnings)


def test_a_queue_in_koer_without_data_keeps_its_services_values():
    inputs = example_inputs()
    inputs = dataclasses.replace(inputs, queues=(*inputs.queues,
                                                 QueueRow("Tom-ko", "SO-T1", "brev")))
    res = import_statistics(inputs, _data(_truth()))
    assert any("Tom-ko" in w.message for w in res.warnings)
    old = next(c for c in inputs.contacts if c.service_id == "SO-T1")
    assert next(c for c in res.inputs.contacts if c.service_id == "SO-T1") == old


# --- xlkc importera on the bundled workbook ------------------------------------------------------

def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import sys; from xlkc.cli import main; "
                           "sys.exit(main())", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("imp")
    truth = _truth(extra=("Okand",))
    (tmp / "stat.csv").write_bytes(statgen.write_canonical(statgen.rows(truth)))
    proc = _cli("importera", "stat.csv", "--arbetsbok", str(BUNDLED), "-o", "ut.xlsm", cwd=tmp)
    return tmp, truth, proc


def test_importera_writes_the_inputs_it_reports(imported):
    tmp, truth, proc = imported
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "Okand" in proc.stderr  # the unmapped queue, as a warning
    assert "Volym per år" in proc.stdout and "Hanteringstid" in proc.stdout
    inputs, problems = check_workbook(read_workbook(tmp / "ut.xlsm"))
    assert not [p for p in problems if not p.is_warning]
    expected = import_statistics(example_inputs(), _data(truth)).inputs
    got = {(c.service_id, c.channel_id): c for c in inputs.contacts}
    for c in expected.contacts:
        g = got[(c.service_id, c.channel_id)]
        # the reader keeps 12 significant digits (parse._clean); minutes on the sheet
        assert g.volume == pytest.approx(c.volume, rel=1e-11)
        assert g.aht_s == pytest.approx(c.aht_s, rel=1e-11)
        assert g.replaced_volume == c.replaced_volume
    assert group_profiles(inputs).keys() == group_profiles(expected).keys()
    assert group_profiles(inputs)["SK"].interval_minutes == 15


def test_importera_fills_statistikkvalitet_and_leaves_other_sheets(imported):
    tmp, _, _ = imported
    wb = openpyxl.load_workbook(tmp / "ut.xlsm", read_only=True, data_only=True)
    ws = wb["Statistikkvalitet"]
    hr, col = L.sheet("Statistikkvalitet").table_origin("tblKostatistik")
    queues = [ws.cell(r, col).value for r in range(hr + 1, hr + 12)]
    assert set(QUEUES) | {"Okand"} <= set(queues)
    okand = hr + 1 + queues.index("Okand")
    assert ws.cell(okand, col + 1).value == "saknas i Köer"
    assert wb["Start"]["A1"].value == L.START_TITLE
    wb.close()
    before = openpyxl.load_workbook(BUNDLED, read_only=True)
    after = openpyxl.load_workbook(tmp / "ut.xlsm", read_only=True)
    for name in ("Tjänster", "Personal", "Overhead", "Kunder"):
        assert [list(r) for r in before[name].values] == [list(r) for r in after[name].values]


def test_berakna_after_importera_is_ok(imported):
    tmp, _, _ = imported
    proc = _cli("berakna", "ut.xlsm", "-o", "ber.xlsm", cwd=tmp)
    assert proc.returncode == 0, proc.stderr + proc.stdout


def test_a_malformed_statistics_file_writes_nothing(tmp_path):
    good = statgen.write_canonical(statgen.rows(_truth())).decode().splitlines()
    good[5] = good[5].replace(";", ";x", 1)
    (tmp_path / "bad.csv").write_text("\n".join(good), encoding="utf-8")
    proc = _cli("importera", "bad.csv", "--arbetsbok", str(BUNDLED), "-o", "ut.xlsm",
                cwd=tmp_path)
    assert proc.returncode == 2
    assert "bad.csv" in proc.stdout and "6" in proc.stdout  # file and line
    assert not (tmp_path / "ut.xlsm").exists()


def test_a_wrong_mapping_is_located_and_writes_nothing(tmp_path):
    # Socialt → SO1 90 % + SO2 40 %
    book = edited_copy(tmp_path, "book.xlsm",
                       lambda wb: set_cell(wb, "tblKoer", "Andel", 5, 0.9))
    (tmp_path / "stat.csv").write_bytes(statgen.write_canonical(statgen.rows(_truth())))
    proc = _cli("importera", "stat.csv", "--arbetsbok", str(book), "-o", "ut.xlsm", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Köer" in proc.stdout and "Socialt" in proc.stdout
    assert not (tmp_path / "ut.xlsm").exists()


def test_every_real_time_queue_of_the_example_is_mapped():
    inputs = example_inputs()
    kinds = {c.channel_id: c.kind for c in inputs.channels}
    realtime = {(c.service_id, c.channel_id) for c in inputs.contacts
                if kinds[c.channel_id] is ChannelKind.REAL_TIME}
    assert realtime == {(q.service_id, q.channel_id) for q in inputs.queues}


def test_calabrio_files_import_as_the_canonical_ones():
    truth = _truth(length_min=30)
    r = statgen.rows(truth)
    canonical = import_statistics(example_inputs(), _data(truth)).inputs
    calabrio = parse_lines(statgen.write_calabrio(r).decode().splitlines(), "queue.txt")
    other = import_statistics(example_inputs(), calabrio).inputs
    for a, b in zip(canonical.contacts, other.contacts, strict=True):
        assert a.volume == pytest.approx(b.volume, rel=1e-12)
        assert a.aht_s == pytest.approx(b.aht_s, rel=1e-12)
    assert group_profiles(other)["SB"].interval_minutes == 30
    mine, theirs = group_profiles(other), group_profiles(canonical)
    assert mine.keys() == theirs.keys()
    for g in theirs:
        assert np.allclose(mine[g].hourly_shares, theirs[g].hourly_shares, rtol=1e-12)
        assert np.allclose(mine[g].month_factors, theirs[g].month_factors, rtol=1e-12)


def test_a_profile_of_a_group_no_service_has_is_a_warning():
    from xlkc.crosscheck import usage_warnings

    inputs = dataclasses.replace(example_inputs(),
                                 group_profiles=tuple(profile_values("SX", months=[1.0] * 12)))
    (w,) = [w for w in usage_warnings(inputs) if w.record == "group_profiles"]
    assert "'SX'" in w.message and w.is_warning and w.index == 0
