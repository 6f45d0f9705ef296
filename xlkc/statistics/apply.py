"""Statistics into the model's inputs (issue 13): what ``xlkc importera`` and the button
**Importera statistik** change.

From the interval files and the queue mapping (Köer, ``Inputs.queues``):

- every mapped (service, channel) gets its yearly volume and handle time from the statistics
  (SPEC §8.3), with source ``statistik``; the values it replaces stay beside it
  (``replaced_volume``, ``replaced_aht_s``); a (service, channel) the statistics do not cover keeps
  its values and sources; one the statistics add that Kontakter lacks gets a new row;
- every answer group of the mapped services gets its own profile (Profil per svarsgrupp): month
  factors when the files cover all twelve months, weekday shares and interval shares at the data's
  interval length (15, 30 or 60 minutes) when they cover the opening hours; a part the files do
  not cover keeps the group's current values;
- per queue the achieved service level, answer rate and ASA beside the pool's targets, and the
  quality findings of the files (``quality_report``).

Nothing here reads or writes a file: the adapters do (``xlkc.excel.importing``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from xlkc.errors import WARNING, Problem
from xlkc.inputs import ContactVolume, GroupProfileValue, Inputs, ProfilePart, Source
from xlkc.staffing.group_profiles import profile_values
from xlkc.staffing.pools import pool_settings
from xlkc.statistics.data import IntervalData
from xlkc.statistics.derive import (
    QueueMapping,
    group_profiles,
    mapping_problems,
    queue_stats,
    service_volumes,
)
from xlkc.statistics.quality import Finding, HandleTimeLimits, quality_report

__all__ = ["Change", "ImportResult", "QUEUE_STATS_COLUMNS", "FINDING_COLUMNS",
           "import_statistics"]

QUEUE_STATS_COLUMNS = ("queue", "services", "period", "open_days", "demand", "answered",
                       "handle_time_s", "service_level", "target_service_level",
                       "target_answer_time_s", "answer_rate", "asa_s")
FINDING_COLUMNS = ("kind", "file", "line", "queue", "interval", "message")


@dataclass(frozen=True)
class Change:
    """One value the import changed, for the table the CLI prints."""

    sheet: str  # Swedish sheet name
    item: str  # "SB1 / telefon", "Svarsgrupp SB"
    what: str  # "Volym per år", "Månadsfaktorer"
    old: Any
    new: Any


@dataclass(frozen=True)
class ImportResult:
    inputs: Inputs  # the inputs with the statistics applied
    changes: tuple[Change, ...]
    queue_rows: tuple[dict[str, Any], ...]  # QUEUE_STATS_COLUMNS, one per queue in the files
    findings: tuple[Finding, ...]
    notes: tuple[str, ...]  # Swedish: scaling, partial coverage
    warnings: tuple[Problem, ...]  # unmapped queues, mapped queues without data


def mapping_of(inputs: Inputs) -> list[QueueMapping]:
    return [QueueMapping(q.queue, q.service_id, q.channel_id, q.share) for q in inputs.queues]


def queue_problems(inputs: Inputs) -> list[Problem]:
    """The mapping's problems (shares not summing to 1, …) as errors located at Köer."""
    if not inputs.queues:
        return [Problem("Köer är tom: ange vilken tjänst och kanal varje kö i statistiken hör "
                        "till innan statistiken importeras", record="queues")]
    return [Problem(m, record="queues") for m in mapping_problems(mapping_of(inputs))]


def _key(service_id: str, channel_id: str) -> tuple[str, str]:
    return service_id.casefold(), channel_id.casefold()


def _apply_contacts(inputs: Inputs, volumes, changes: list[Change],
                    notes: list[str]) -> tuple[ContactVolume, ...]:
    rows = list(inputs.contacts)
    index = {_key(c.service_id, c.channel_id): i for i, c in enumerate(rows)}
    for s in volumes.services:
        item = f"{s.service_id} / {s.channel_id}"
        i = index.get(_key(s.service_id, s.channel_id))
        old = rows[i] if i is not None else None
        aht = s.handle_time_s
        if aht is None:
            notes.append(f"{item}: inga besvarade kontakter i statistiken; hanteringstiden "
                         "behålls")
        if old is None:
            if aht is None:
                notes.append(f"{item}: finns inte i Kontakter och saknar hanteringstid; "
                             "ingen rad läggs till")
                continue
            rows.append(ContactVolume(s.service_id, s.channel_id, s.volume, aht))
            changes.append(Change("Kontakter", item, "Ny rad: volym per år", None, s.volume))
            changes.append(Change("Kontakter", item, "Ny rad: hanteringstid (min)", None,
                                  aht / 60))
            continue
        new = dataclasses.replace(
            old, volume=s.volume, volume_source=Source.MEASURED, replaced_volume=old.volume,
            aht_s=old.aht_s if aht is None else aht,
            aht_source=old.aht_source if aht is None else Source.MEASURED,
            replaced_aht_s=None if aht is None else old.aht_s)
        rows[i] = new
        changes.append(Change("Kontakter", item, "Volym per år", old.volume, new.volume))
        if aht is not None:
            changes.append(Change("Kontakter", item, "Hanteringstid (min)", old.aht_s / 60,
                                  aht / 60))
    return tuple(rows)


def _rescale_customers(old: Inputs, new: Inputs, changes: list[Change]) -> tuple:
    """Customer forecasts scaled to the new Kontakter forecast, each customer keeping its share:
    q_c' = q_c × (new forecast / Σ_c q_c) per service (and channel for a price per channel)."""
    from xlkc.crosscheck import expected_quantities
    from xlkc.inputs import PriceModel

    before, after = expected_quantities(old), expected_quantities(new)
    per_channel = {s.service_id for s in new.services if s.price_model is PriceModel.PER_CHANNEL}
    given: dict[tuple[str, str | None], float] = {}

    def key(v) -> tuple[str, str | None]:
        return (v.service_id, v.channel_id if v.service_id in per_channel else None)

    for v in new.customer_volumes:
        given[key(v)] = given.get(key(v), 0.0) + v.forecast_quantity
    factor = {k: after[k] / total for k, total in given.items()
              if k in after and total > 0 and abs(after[k] - before.get(k, after[k])) > 1e-9}
    rows = []
    for v in new.customer_volumes:
        f = factor.get(key(v))
        rows.append(v if f is None else dataclasses.replace(v, forecast_quantity=v.forecast_quantity * f))
    for (sid, ch), f in factor.items():
        item = sid if ch is None else f"{sid} / {ch}"
        changes.append(Change("Kundvolymer", item, "Kundernas prognos (summa)",
                              given[(sid, ch)], given[(sid, ch)] * f))
    return tuple(rows)


def _apply_profiles(inputs: Inputs, data: IntervalData, mapping: list[QueueMapping],
                    changes: list[Change], notes: list[str]) -> tuple[GroupProfileValue, ...]:
    p = inputs.parameters
    groups = {s.service_id: s.answer_group for s in inputs.services}
    derived = group_profiles(data, mapping, groups, p.opening_hour, p.closing_hour)
    kept = list(inputs.group_profiles)
    for group, gp in derived.items():
        replaced: set[ProfilePart] = set()
        new: list[GroupProfileValue] = []
        if not gp.missing_months:
            new += profile_values(group, months=gp.month_factors)
            replaced.add(ProfilePart.MONTH)
        else:
            names = ", ".join(str(m) for m in gp.missing_months)
            notes.append(f"Svarsgrupp {group}: statistiken saknar månad {names}; "
                         "månadsfaktorerna behålls")
        if gp.days > 0:
            new += profile_values(group, weekdays=gp.weekday_shares)
            starts = [p.opening_hour * 60 + k * gp.length_min
                      for k in range(len(gp.interval_shares))]
            new += profile_values(group, intervals=zip(starts, gp.interval_shares, strict=True))
            replaced |= {ProfilePart.WEEKDAY, ProfilePart.INTERVAL}
        if gp.outside_hours_demand > 0:
            notes.append(f"Svarsgrupp {group}: {gp.outside_hours_demand:,.0f} kontakter utanför "
                         f"öppettiden {p.opening_hour:02d}–{p.closing_hour:02d} ingår i volymen "
                         "men inte i profilen".replace(",", " "))
        kept = [v for v in kept
                if not (v.group_id.casefold() == group.casefold() and v.part in replaced)]
        kept += new
        parts = ", ".join(part.value for part in ProfilePart if part in replaced)
        if parts:
            changes.append(Change("Profil", f"Svarsgrupp {group}", f"Egen profil ({parts})",
                                  None, f"{gp.length_min} min, {gp.days} dagar"))
    return tuple(kept)


def _queue_rows(inputs: Inputs, data: IntervalData,
                mapping: list[QueueMapping]) -> tuple[dict[str, Any], ...]:
    services = {s.service_id.casefold(): s for s in inputs.services}
    by_queue: dict[str, list[QueueMapping]] = {}
    for m in mapping:
        by_queue.setdefault(m.queue, []).append(m)
    out = []
    for q in queue_stats(data):
        maps = by_queue.get(q.queue, [])
        targets = set()
        for m in maps:
            s = services.get(m.service_id.casefold())
            if s is None:
                continue
            st = pool_settings(inputs, s.answer_group, m.channel_id)
            if st is not None and st.service_level is not None:
                targets.add((st.service_level, st.answer_time_s))
        target = next(iter(targets)) if len(targets) == 1 else (None, None)
        out.append({
            "queue": q.queue,
            "services": (", ".join(f"{m.service_id}/{m.channel_id} ({m.share:.0%})"
                                   for m in maps) or "saknas i Köer"),
            "period": f"{q.first_day} – {q.last_day}",
            "open_days": q.open_days_covered, "demand": q.demand, "answered": q.answered,
            "handle_time_s": q.handle_time_s, "service_level": q.service_level,
            "target_service_level": target[0], "target_answer_time_s": target[1],
            "answer_rate": q.answer_rate, "asa_s": q.asa_s,
        })
    return tuple(out)


def import_statistics(inputs: Inputs, data: IntervalData,
                      limits: HandleTimeLimits | None = None) -> ImportResult:
    """Apply interval statistics to ``inputs`` through its queue mapping.

    The caller checks ``queue_problems(inputs)`` first (nothing may be written when the mapping
    is wrong). Queues in the files but not in Köer are warnings and counted nowhere; queues in
    Köer without data are warnings and their services keep their values.
    """
    mapping = mapping_of(inputs)
    p = inputs.parameters
    volumes = service_volumes(data, mapping, p.year)
    changes: list[Change] = []
    scaled = [s for s in volumes.services if abs(s.scale - 1.0) > 1e-12]
    notes = []
    if scaled:
        notes.append(f"Volymerna är omräknade till {p.year}s {volumes.open_days_price_year} "
                     "öppetdagar från de öppetdagar statistiken täcker ("
                     + "; ".join(f"{s.service_id}/{s.channel_id}: ×{s.scale:.4f}".replace(".", ",")
                                 for s in scaled) + ")")
    contacts = _apply_contacts(inputs, volumes, changes, notes)
    profiles = _apply_profiles(inputs, data, mapping, changes, notes)
    warnings: list[Problem] = []
    if volumes.unmapped_queues:
        demand = f"{volumes.unmapped_demand:,.0f}".replace(",", " ")
        warnings.append(Problem(
            f"{len(volumes.unmapped_queues)} kö(er) i statistiken saknas i Köer och räknas inte "
            f"in i någon tjänst ({demand} kontakter): {', '.join(volumes.unmapped_queues)}",
            record="queues", severity=WARNING))
    if volumes.missing_queues:
        warnings.append(Problem(
            f"Köer utan data i statistiken (deras tjänster behåller sina värden): "
            f"{', '.join(volumes.missing_queues)}", record="queues", severity=WARNING))
    report = quality_report(data, p.opening_hour, p.closing_hour,
                            limits or HandleTimeLimits())
    new_inputs = dataclasses.replace(inputs, contacts=contacts, group_profiles=profiles)
    new_inputs = dataclasses.replace(
        new_inputs, customer_volumes=_rescale_customers(inputs, new_inputs, changes))
    return ImportResult(
        inputs=new_inputs, changes=tuple(changes),
        queue_rows=_queue_rows(inputs, data, mapping), findings=report.findings,
        notes=tuple(dict.fromkeys(notes)), warnings=tuple(warnings))


def finding_rows(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    return [{"kind": f.kind.value, "file": f.file, "line": f.line, "queue": f.queue,
             "interval": f.interval, "message": f.message} for f in findings]
