"""Versions (Versioner) and the comparison with one of them (Jämförelse).

The version tables are output tables whose rows are carried from run to run (``carried``): the
readers read them back, and a run rewrites them only to add a version or replace a proposal
(:mod:`xlkc.versions`). They are long tables keyed by the version's name. The comparison tables
are ordinary output tables, recomputed by every run from the results and the chosen version.
"""

from __future__ import annotations

from xlkc import inputs as I  # noqa: N812
from xlkc.layout.core import (
    FMT_DATETIME,
    FMT_FTE,
    FMT_KR2,
    Column,
    NamedCell,
    Table,
    _kr,
    _num,
    _share,
    _text,
)


def _version(**kw) -> Column:
    return _text("version", "Version", width=kw.pop("width", 24), **kw)


def _service_id() -> Column:
    return _text("service_id", "Tjänst-id", width=11)


def _channel_id() -> Column:
    return _text("channel_id", "Kanal", width=11)


T_VERSIONS = Table(
    "tblVersioner", "Sparade versioner", list_name="lstVersioner", carried=True,
    columns=(
        _version(width=26),
        _text("status", "Status", width=11),
        Column("year", "Prisår", "integer", number_format="0", width=9),
        Column("saved", "Sparad", "datetime", number_format=FMT_DATETIME, width=19),
        Column("decision_date", "Beslutsdatum", "datetime", number_format="yyyy-mm-dd",
               width=13),
        _text("case_number", "Ärendenummer", width=16),
        _kr("total_cost_kr", "Total kostnad"),
        _kr("revenue_kr", "Intäkt"),
        _num("fte", "Årsarbetare", fmt=FMT_FTE),
        _text("input_hash", "Indata-hash", width=19,
              note="Samma hash: samma indata (som i Körlogg)."),
        _text("user", "Användare", width=14),
        _text("fingerprint", "Kontrollsumma", width=18,
              note="Räknas av Beräkna priser ur versionens rader. Stämmer den inte har "
                   "versionen ändrats för hand, och varje körning varnar."),
    ),
    note="En beslutad version ändras aldrig; en förslagsversion ersätts om den sparas igen "
         "under samma namn.",
)
T_VERSION_PRICES = Table(
    "tblVersionPriser", "Versionernas prislistor", carried=True,
    columns=(
        _version(),
        _service_id(),
        _channel_id(),
        _text("name", "Tjänst", width=30),
        _text("price_model", "Prismodell", width=22),
        _text("price_unit", "Prisenhet", width=16),
        _kr("price_kr", "Pris", fmt=FMT_KR2),
        _kr("annual_fee_kr", "Årsavgift"),
    ),
)
T_VERSION_SERVICES = Table(
    "tblVersionTjanster", "Versionernas självkostnad och årsarbetare", carried=True,
    columns=(
        _version(),
        _service_id(),
        _text("name", "Tjänst", width=30),
        _kr("full_cost_kr", "Självkostnad"),
        _num("fte", "Årsarbetare", fmt=FMT_FTE),
    ),
)
T_VERSION_CUSTOMERS = Table(
    "tblVersionKundsummor", "Versionernas summa per kund", carried=True,
    columns=(
        _version(),
        _text("customer_id", "Kund-id", width=10),
        _text("customer_name", "Kund", width=30),
        _kr("charge_kr", "Debitering"),
    ),
)
VERSION_TABLES = (T_VERSIONS, T_VERSION_PRICES, T_VERSION_SERVICES, T_VERSION_CUSTOMERS)

#: Typed by a controller on Versioner (read by Beräkna priser in Excel and by xlkc berakna).
VERSION_CELLS = (
    NamedCell("VersionsNamn", "version_name", "Spara nästa beräkning som version", "text",
              required=False, entry=True,
              note="Till exempel Förslag 1 eller Beslutad. Tomt: ingen version sparas. Töms "
                   "när versionen är sparad."),
    NamedCell("VersionsStatus", "version_status", "Versionens status", "enum",
              allowed=I.PriceListStatus, required=False, entry=True,
              note="Tomt: Prislistans status på Parametrar. En beslutad version kan inte ändras."),
    NamedCell("JamforMedVersion", "compare_with", "Jämför med version", "text", required=False,
              entry=True, list_source="lstVersioner",
              note="Bladet Jämförelse. Tomt: senaste beslutade versionen, annars den senaste."),
)

# --- the comparison (Jämförelse) -----------------------------------------------------------------

T_CMP_PRICES = Table(
    "tblJamforelsePriser", "Pris per tjänst", columns=(
        _service_id(),
        _channel_id(),
        _text("name", "Tjänst", width=30),
        _text("price_unit", "Prisenhet", width=16),
        _kr("base_price_kr", "Pris i versionen", fmt=FMT_KR2),
        _kr("price_kr", "Pris nu", fmt=FMT_KR2),
        _kr("price_change_kr", "Förändring", fmt=FMT_KR2),
        _share("price_change_pct", "Förändring i procent"),
        _kr("base_annual_fee_kr", "Årsavgift i versionen"),
        _kr("annual_fee_kr", "Årsavgift nu"),
        _kr("fee_change_kr", "Förändring årsavgift"),
    ),
)
T_CMP_SERVICES = Table(
    "tblJamforelseTjanster", "Självkostnad och årsarbetare per tjänst", columns=(
        _service_id(),
        _text("name", "Tjänst", width=30),
        _kr("base_full_cost_kr", "Självkostnad i versionen"),
        _kr("full_cost_kr", "Självkostnad nu"),
        _kr("full_cost_change_kr", "Förändring självkostnad"),
        _num("base_fte", "Åa i versionen", fmt=FMT_FTE),
        _num("fte", "Åa nu", fmt=FMT_FTE),
        _num("fte_change", "Förändring åa", fmt=FMT_FTE),
    ),
)
T_CMP_CUSTOMERS = Table(
    "tblJamforelseKunder", "Debitering per kund", columns=(
        _text("customer_id", "Kund-id", width=10),
        _text("customer_name", "Kund", width=30),
        _kr("base_charge_kr", "Debitering i versionen"),
        _kr("charge_kr", "Debitering nu"),
        _kr("charge_change_kr", "Förändring"),
        _share("charge_change_pct", "Förändring i procent"),
    ),
)
COMPARISON_TABLES = (T_CMP_PRICES, T_CMP_SERVICES, T_CMP_CUSTOMERS)
