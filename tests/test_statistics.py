"""Statistics import (SPEC §8): exact recovery from synthetic truth, quality findings, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import statgen
from xlkc.staffing.calendar import open_days
from xlkc.statistics import (
    FindingKind,
    QueueMapping,
    StatisticsError,
    group_profiles,
    mapping_problems,
    parse_lines,
    quality_report,
    queue_stats,
    read_files,
    service_volumes,
)
from xlkc.statistics.reader import decode


def parse(data: bytes, name: str = "f.csv"):
    return parse_lines(decode(data).splitlines(keepends=True), name)


def truth_totals(r, queue):
    sel = r["queue"] == queue
    return (r["demand"][sel].sum(), r["handle"][sel].sum(), r["answered"][sel].sum(),
            r["answered_within_sl"][sel].sum(), r["wait_s"][sel].sum())


@pytest.mark.parametrize("length", [15, 30, 60])
@pytest.mark.parametrize("fmt", ["sv", "en", "calabrio"])
def test_full_year_recovered_exactly(length, fmt):
    truth = statgen.simple_truth(length_min=length, queues=2)
    r = statgen.rows(truth)
    data = parse(statgen.write_calabrio(r) if fmt == "calabrio" else
                 statgen.write_canonical(r, lang=fmt, sep=";" if fmt == "sv" else ",",
                                         decimal="," if fmt == "sv" else ".",
                                         with_length=fmt == "sv"))
    assert set(np.unique(data.length_min)) == {length}
    for s in queue_stats(data):
        v, h, a, sl, w = truth_totals(r, s.queue)
        assert s.demand == v
        assert s.handle_time_s == pytest.approx(h / a, rel=1e-14)
        assert s.service_level == pytest.approx(sl / a, rel=1e-14)
        assert s.asa_s == pytest.approx(w / a, rel=1e-14)
        assert s.answer_rate == pytest.approx(a / v, rel=1e-14)
        assert s.open_days_covered == open_days(2026).size
    mapping = [QueueMapping(q.queue, f"S{q.queue}", "telefon", 1.0) for q in truth.queues]
    groups = {f"S{q.queue}": f"G{q.queue}" for q in truth.queues}
    profiles = group_profiles(data, mapping, groups)
    for q in truth.queues:
        p = profiles[f"G{q.queue}"]
        mw, ww, iw = (np.asarray(x, float) for x in (q.month_w, q.weekday_w, q.interval_w))
        np.testing.assert_allclose(p.month_factors, mw / mw.mean(), rtol=1e-12)
        np.testing.assert_allclose(p.weekday_shares, ww / ww.sum(), rtol=1e-12)
        np.testing.assert_allclose(p.interval_shares, iw / iw.sum(), rtol=1e-12)
        np.testing.assert_allclose(p.hourly_shares, (iw / iw.sum()).reshape(9, -1).sum(axis=1),
                                   rtol=1e-12)
        assert p.profile is not None and p.length_min == length
    # the same year priced: no scaling
    vols = service_volumes(data, mapping, 2026)
    for s in vols.services:
        assert s.volume == truth_totals(r, s.queues[0])[0] and s.scale == 1.0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(length=st.sampled_from([15, 30, 60]), first=st.integers(0, 200), n=st.integers(1, 30),
       sep=st.sampled_from([";", ","]), lang=st.sampled_from(["sv", "en"]),
       enc=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]), compact=st.booleans(),
       upper=st.booleans(), crlf=st.booleans(), with_length=st.booleans(),
       share=st.floats(0.05, 0.95))
def test_any_encoding_and_layout_recovers_volumes(length, first, n, sep, lang, enc, compact,
                                                  upper, crlf, with_length, share):
    truth = statgen.simple_truth(length_min=length, queues=2, first_day=first, n_days=n)
    r = statgen.rows(truth)
    raw = statgen.write_canonical(r, lang=lang, sep=sep, decimal="," if sep == ";" else ".",
                                  compact_date=compact, upper=upper, encoding=enc, crlf=crlf,
                                  with_length=with_length)
    data = parse(raw)
    for s in queue_stats(data):
        v, h, a, _, _ = truth_totals(r, s.queue)
        assert s.demand == v and s.handle_s == h and s.answered == a
    mapping = [QueueMapping("Q1", "A", "telefon", share), QueueMapping("Q1", "B", "telefon",
                                                                        1 - share),
               QueueMapping("Q2", "A", "telefon", 1.0)]
    assert mapping_problems(mapping) == []
    vols = {s.service_id: s for s in service_volumes(data, mapping, 2027).services}
    scale = open_days(2027).size / n
    v1, h1, a1 = truth_totals(r, "Q1")[:3]
    v2, h2, a2 = truth_totals(r, "Q2")[:3]
    assert vols["A"].volume == pytest.approx((share * v1 + v2) * scale, rel=1e-12)
    assert vols["B"].volume == pytest.approx((1 - share) * v1 * scale, rel=1e-12)
    assert vols["A"].handle_time_s == pytest.approx((share * h1 + h2) / (share * a1 + a2),
                                                    rel=1e-12)
    assert "omräknad" in vols["A"].note


def test_quoted_and_plain_files_agree():
    r = statgen.rows(statgen.simple_truth(queues=1, n_days=5))
    a = parse(statgen.write_canonical(r, sep=",", decimal=","))  # decimal commas quoted
    assert a.talk_s.sum() == r["talk_s"].sum() and a.wrap_s.sum() == r["wrap_s"].sum()


def test_unmapped_queue_reported_and_shares_checked():
    r = statgen.rows(statgen.simple_truth(queues=2, n_days=3))
    data = parse(statgen.write_canonical(r))
    vols = service_volumes(data, [QueueMapping("Q1", "A", "telefon", 1.0),
                                  QueueMapping("QX", "A", "telefon", 1.0)], 2026)
    assert vols.unmapped_queues == ("Q2",) and vols.missing_queues == ("QX",)
    assert vols.unmapped_demand == truth_totals(r, "Q2")[0]
    assert any("Q2" in n for n in vols.notes)
    probs = mapping_problems([QueueMapping("Q1", "A", "telefon", 0.5),
                              QueueMapping("Q1", "B", "telefon", 0.4)])
    assert probs == ["Kö Q1: andelarna summerar till 0,900, ska vara 1"]


HEAD = "datum;intervall;kö;erbjudna;besvarade;avbrutna;samtalstid_s;efterarbete_s\n"


def kinds(text: str, **kw):
    rep = quality_report(parse(text.encode(), "k.csv"), **kw)
    return rep


def test_quality_findings_each_triggered():
    good = [f"2026-03-02;{h:02d}:00;Q;10;9;1;900;90\n" for h in range(8, 17)]
    # missing interval 10:00 on 2026-03-03, missing day 2026-03-04, 2026-03-05 complete
    day3 = [ln.replace("03-02", "03-03") for ln in good if "10:00" not in ln]
    day5 = [ln.replace("03-02", "03-05") for ln in good]
    rep = kinds(HEAD + "".join(good + day3 + day5))
    miss = rep.of_kind(FindingKind.MISSING_INTERVAL)
    assert [(f.queue, f.interval, f.line) for f in miss] == [("Q", "2026-03-03 10:00", None)]
    assert [f.interval for f in rep.of_kind(FindingKind.MISSING_DAY)] == ["2026-03-04"]
    assert not rep.of_kind(FindingKind.DUPLICATE)
    # duplicate on the DST day, answered without talk, handle time out of limits, overflow
    text = HEAD + "".join(good) + "2026-10-25;02:00;Q;1;1;0;60;0\n2026-10-25;02:00;Q;1;1;0;60;0\n"
    text += "2026-03-02;17:00;Q;5;5;0;0;0\n2026-03-02;18:00;Q;5;5;0;50000;0\n"
    text += "2026-03-02;19:00;Q;9;5;1;600;0\n"
    rep = kinds(text)
    dup = rep.of_kind(FindingKind.DUPLICATE)
    assert [(f.line, f.interval) for f in dup] == [(12, "2026-10-25 02:00")]
    assert "sommartiden" in dup[0].message and "rad 11" in dup[0].message
    assert [f.line for f in rep.of_kind(FindingKind.NO_TALK_TIME)] == [13]
    ht = rep.of_kind(FindingKind.HANDLE_TIME)
    assert [f.line for f in ht] == [14] and "10000,0 s" in ht[0].message
    ov = rep.of_kind(FindingKind.OVERFLOW)
    assert [f.line for f in ov] == [15] and ov[0].file == "k.csv"


def test_deviating_week_found():
    days = open_days(2026)[:60]
    lines = []
    for d in days:
        iso = d.astype(object).isocalendar().week
        n = 100 + (iso % 3) if iso != 5 else 400
        lines += [f"{d};{h:02d}:00;Q;{n};{n};0;{n * 100};0\n" for h in range(8, 17)]
    rep = kinds(HEAD + "".join(lines))
    weeks = rep.of_kind(FindingKind.DEVIATING_WEEK)
    assert [w.interval for w in weeks] == ["vecka 2026-W05"]
    assert "robusta standardavvikelser" in weeks[0].message


def test_calabrio_overflow_in_without_source():
    r = statgen.rows(statgen.simple_truth(queues=1, n_days=1))
    rep = quality_report(parse(statgen.write_calabrio(r)))
    assert rep.of_kind(FindingKind.OVERFLOW)  # its overflow in comes from no queue of the files


@pytest.mark.parametrize("line, message", [
    ("2026-03-02;08:00;Q;10;9\n", "Raden har 5 fält, ska ha 8"),
    ("2026-02-30;08:00;Q;10;9;1;900;90\n", "Ogiltigt datum '2026-02-30'"),
    ("2026-03-02;8.75;Q;10;9;1;900;90\n", "Ogiltig intervallstart '8.75'"),
    ("2026-03-02;08:00;Q;10;nio;1;900;90\n", "Kolumnen besvarade: 'nio'"),
    ("2026-03-02;08:00;Q;10;9;-1;900;90\n", "Kolumnen avbrutna: '-1'"),
    ("2026-03-02;08:00;Q;10;9;1;1.234,5;90\n", "Kolumnen samtalstid_s"),
    ("2026-03-02;08:00;;10;9;1;900;90\n", "Kön saknas"),
    ("2026-03-02;08:10;Q;10;9;1;900;90\n", "08:10 ligger inte på ett 15-, 30- eller 60"),
])
def test_malformed_line_located(line, message):
    text = HEAD + "2026-03-02;09:00;Q;1;1;0;60;0\n" + line
    with pytest.raises(StatisticsError) as exc:
        parse(text.encode("cp1252"), "x.csv")
    errs = exc.value.errors
    assert errs[0].file == "x.csv" and errs[0].line == 3 and message in errs[0].message
    assert "x.csv, rad 3" in str(exc.value)


def test_file_level_errors(tmp_path):
    with pytest.raises(StatisticsError, match="Rubrikraden saknar kolumnerna kö"):
        parse(b"datum;intervall;erbjudna;besvarade;avbrutna;samtalstid_s;efterarbete_s\n")
    with pytest.raises(StatisticsError, match="Okänt format"):
        parse(b"hello;world\n")
    with pytest.raises(StatisticsError, match="tom"):
        parse(b"\n\n")
    text = "datum;intervall;längd_min;kö;erbjudna;besvarade;avbrutna;samtalstid_s;efterarbete_s\n"
    text += "2026-03-02;08:00;15;Q;1;1;0;60;0\n2026-03-02;08:15;30;Q;1;1;0;60;0\n"
    with pytest.raises(StatisticsError) as exc:
        parse(text.encode())
    assert exc.value.errors[0].line == 3 and "skiljer sig" in exc.value.errors[0].message
    text = HEAD.replace("efterarbete_s", "efterarbete_s;besvarade_inom_sl")
    with pytest.raises(StatisticsError, match="rad 2: besvarade_inom_sl är större"):
        parse((text + "2026-03-02;08:00;Q;1;1;0;60;0;2\n").encode())
    # errors of several files are collected; cp1252 files with ö read
    bad, good = tmp_path / "a.csv", tmp_path / "b.csv"
    bad.write_bytes((HEAD + "x\n").encode("cp1252"))
    good.write_bytes((HEAD + "2026-03-02;08:00;Kö 1;1;1;0;60;0\n").encode("cp1252"))
    bad2 = tmp_path / "c.csv"
    bad2.write_bytes((HEAD + "2026-13-02;08:00;Q;1;1;0;60;0\n").encode())
    with pytest.raises(StatisticsError) as exc:
        read_files([bad, good, bad2])
    assert [(e.file, e.line) for e in exc.value.errors] == [("a.csv", 2), ("c.csv", 2)]
    assert read_files([good]).queues == ("Kö 1",)


def test_partial_year_profile_names_missing_months():
    truth = statgen.simple_truth(queues=1, n_days=40)  # January and part of February
    data = parse(statgen.write_canonical(statgen.rows(truth)))
    p = group_profiles(data, [QueueMapping("Q1", "S", "telefon", 1.0)], {"S": "G"})["G"]
    assert p.missing_months == tuple(range(3, 13)) and p.profile is None
    assert np.isnan(p.month_factors[2:]).all()
    mw = np.asarray(truth.queues[0].month_w[:2], float)
    np.testing.assert_allclose(p.month_factors[:2], mw / mw.mean(), rtol=1e-12)


def test_calabrio_malformed_line_located():
    r = statgen.rows(statgen.simple_truth(queues=1, n_days=1))
    lines = statgen.write_calabrio(r).decode().splitlines(keepends=True)
    lines[3] = lines[3].replace(";", ";;", 1)
    lines[5] = lines[5].replace("20260102", "20261302")
    with pytest.raises(StatisticsError) as exc:
        parse_lines(lines, "calabrio.txt")
    assert [(e.line, e.message[:15]) for e in exc.value.errors] == [
        (4, "Raden har 22 fä"), (6, "Ogiltigt datum ")]
