"""Statistics import (SPEC §8, issue 13): interval files of the phone platforms to model inputs.

API for wiring into the workbook and the CLI (not wired yet):

- ``read_files(paths) -> IntervalData`` (``reader``): the only I/O; UTF-8 with/without BOM or
  cp1252; raises ``StatisticsError`` (an ``InputError``) whose ``errors`` are ``LineError(file,
  line, message)``, Swedish, for every malformed line of every file: nothing should be written then.
- ``parse_lines(lines, file_name) -> IntervalData`` (``formats``): the same on decoded lines;
  the canonical CSV (§8.1, header sv/en, ``;`` or ``,``, decimal comma or point, dates
  YYYY-MM-DD or YYYYMMDD, 15/30/60 minutes given or inferred) or the Calabrio queue file (§8.2).
- ``queue_stats(data) -> list[QueueStats]``: per queue demand, handle time, achieved service
  level, answer rate, ASA, open days covered (to show beside the targets).
- ``QueueMapping(queue, service_id, channel_id, share)``: one row of the future ``tblKoer``
  (Kö, Tjänst-id, Kanal, Andel); ``mapping_problems(rows) -> list[str]`` (shares sum to 1, …).
- ``service_volumes(data, rows, price_year) -> ServiceVolumes``: per (service, channel) the
  yearly volume (scaled to the price year's open days, with a Swedish note), handle time, and the
  unmapped queues (reported, never dropped) and mapped queues without data.
- ``group_profiles(data, rows, service_groups, opening_hour, closing_hour)
  -> dict[group, GroupProfile]``: month factors, weekday shares, interval shares at the data's
  length and hourly shares; ``GroupProfile.profile`` is an ``xlkc.inputs.Profile`` (None while
  months are missing).
- ``quality_report(data, opening_hour, closing_hour, limits) -> QualityReport``: ``Finding``s
  (kind, file, line, queue, interval, Swedish message) for the sheet Statistikkvalitet.
"""

from xlkc.statistics.data import COUNTERS, IntervalData, LineError, StatisticsError, concat
from xlkc.statistics.derive import (
    GroupProfile,
    QueueMapping,
    QueueStats,
    ServiceStats,
    ServiceVolumes,
    demand,
    group_profiles,
    mapping_problems,
    queue_stats,
    service_volumes,
)
from xlkc.statistics.formats import parse_lines
from xlkc.statistics.quality import (
    Finding,
    FindingKind,
    HandleTimeLimits,
    QualityReport,
    quality_report,
)
from xlkc.statistics.reader import decode, read_file, read_files

__all__ = [
    "COUNTERS", "Finding", "FindingKind", "GroupProfile", "HandleTimeLimits", "IntervalData",
    "LineError", "QualityReport", "QueueMapping", "QueueStats", "ServiceStats", "ServiceVolumes",
    "StatisticsError", "concat", "decode", "demand", "group_profiles", "mapping_problems",
    "parse_lines", "quality_report", "queue_stats", "read_file", "read_files", "service_volumes",
]
