"""Output tables, the run log and the charts over output tables."""

from __future__ import annotations

import dataclasses
from typing import Any

from xlkc import results as R  # noqa: N812
from xlkc.layout.core import (
    FMT_DATETIME,
    FMT_FTE,
    FMT_HOURS,
    FMT_INT,
    FMT_KR,
    FMT_KR2,
    FMT_NUM,
    FMT_PCT,
    Chart,
    Column,
    Table,
    _kr,
    _minutes,
    _num,
    _seconds,
    _share,
    _text,
)

# --- output tables ------------------------------------------------------------------------------

#: Swedish header, kind and format of every result column, by field; per-table overrides below.
_OUT: dict[str, Column] = {c.field: c for c in (
    Column("service_id", "Tjänst-id", width=11),
    Column("channel_id", "Kanal", width=12),
    Column("pool_id", "Pool", width=16),
    Column("method", "Metod", width=16),
    _num("volume", "Volym"),
    _text("volume_source", "Källa volym", width=12),
    _num("measured_volume", "Uppmätt volym", width=13),
    _minutes("aht_s", "Hanteringstid (min)"),
    _text("aht_source", "Källa hanteringstid", width=12),
    _minutes("measured_aht_s", "Uppmätt hanteringstid (min)", width=20),
    _num("workload_h", "Arbetsbelastning (tim)", fmt=FMT_HOURS, width=15),
    _num("fte", "Årsarbetare", fmt=FMT_FTE),
    _num("standalone_fte", "Åa fristående", fmt=FMT_FTE),
    _text("answer_group", "Svarsgrupp", width=12),
    _text("services", "Tjänster", width=22),
    _share("service_level_target", "Mål servicenivå"),
    _seconds("answer_time_s", "Svarstid (s)"),
    _share("max_occupancy", "Max beläggning"),
    Column("intervals", "Intervall", "integer", number_format=FMT_INT, width=10),
    _num("peak_agents", "Max agenter", fmt=FMT_NUM),
    _num("on_queue_h", "Tid i kö-beredskap (tim)", fmt=FMT_HOURS, width=19),
    _share("achieved_service_level", "Uppnådd servicenivå"),
    _share("achieved_occupancy", "Uppnådd beläggning"),
    _num("standalone_fte_sum", "Summa åa fristående", fmt=FMT_FTE, width=15),
    _text("name", "Tjänst", width=30),
    _text("unit", "Enhet", width=24),
    _text("staff_category", "Personalkategori", width=16),
    _num("productive_hours", "Produktiva timmar per åa", fmt=FMT_INT, width=13),
    _kr("cost_per_fte_kr", "Kostnad per åa"),
    _kr("personnel_cost_kr", "Personalkostnad"),
    _kr("seat_cost_kr", "Platskostnad"),
    _kr("minute_cost_kr", "Minutkostnad"),
    _kr("direct_cost_kr", "Direkta kostnader"),
    _kr("overhead_kr", "Overhead"),
    _kr("previous_cost_kr", "Fjolårets kostnad"),
    _num("inhouse_fte", "Åa i egen regi", fmt=FMT_FTE),
    _kr("inhouse_cost_kr", "Kostnad i egen regi"),
    _kr("volume_effect_kr", "Volymeffekt"),
    _kr("handle_time_effect_kr", "Hanteringstidseffekt"),
    _kr("staffing_effect_kr", "Bemanningseffekt"),
    _kr("salary_effect_kr", "Lön och PO"),
    _kr("overhead_effect_kr", "Overheadeffekt"),
    _kr("other_effect_kr", "Övriga kostnader"),
    _kr("previous_cost_per_contact_kr", "Kostnad per kontakt i fjol", fmt=FMT_KR2),
    _kr("cost_per_contact_kr", "Kostnad per kontakt", fmt=FMT_KR2),
    _share("real_change_pct", "Real förändring per kontakt"),
    _num("previous_fte_per_10k", "Åa per 10 000 kontakter i fjol", fmt=FMT_FTE),
    _num("fte_per_10k", "Åa per 10 000 kontakter", fmt=FMT_FTE),
    _kr("city_charge_kr", "Stadsgemensamt påslag"),
    # The price bridge: effects in kr per price unit (xlkc.price_bridge).
    _kr("outcome_per_unit_kr", "Fjolårets pris mot utfallet", fmt=FMT_KR2, width=14,
        note="Vad fjolårets pris saknade (+) eller tog för mycket (−) mot fjolårets verkliga "
             "kostnad per enhet."),
    _kr("volume_per_unit_kr", "Volym", fmt=FMT_KR2, width=13,
        note="Fler eller färre enheter att dela kostnaden på."),
    _kr("handle_time_per_unit_kr", "Hanteringstid", fmt=FMT_KR2, width=13),
    _kr("staffing_per_unit_kr", "Bemanning och samordning", fmt=FMT_KR2, width=13,
        note="Årsarbetare per arbetstimme: servicenivå, samordning i svarsgrupp, frånvaro."),
    _kr("salary_per_unit_kr", "Lön och PO", fmt=FMT_KR2, width=13),
    _kr("overhead_per_unit_kr", "Overhead", fmt=FMT_KR2, width=13),
    _kr("other_per_unit_kr", "Övriga direkta kostnader", fmt=FMT_KR2, width=13),
    _kr("carry_forward_per_unit_kr", "Resultatöverföring", fmt=FMT_KR2, width=14,
        note="Fjolårets resultatöverföring bort, årets in."),
    _kr("group_transfer_per_unit_kr", "Prisgrupp", fmt=FMT_KR2, width=12),
    _kr("rounding_per_unit_kr", "Avrundning", fmt=FMT_KR2, width=12),
    _text("comparison", "Jämförelse", width=46),
    _kr("full_cost_kr", "Självkostnad"),
    _kr("carry_forward_kr", "Över-/underskott att fördela"),
    _kr("price_basis_kr", "Prisunderlag"),
    _text("pool_name", "Pool", width=30),
    _text("level", "Nivå", width=12),
    _text("key", "Fördelningsnyckel", width=18),
    _kr("amount_kr", "Belopp"),
    _kr("staff_cost_kr", "Personalkostnad"),
    _kr("total_kr", "Summa"),
    _kr("allocated_kr", "Fördelat"),
    _text("service_type", "Bas/tillägg", width=11),
    _text("price_model", "Prismodell", width=22),
    _text("price_unit", "Prisenhet", width=16),
    _text("price_group", "Prisgrupp", width=18),
    _num("quantity", "Kvantitet", fmt=FMT_NUM, width=13),
    _kr("cost_basis_kr", "Kostnadsunderlag"),
    _kr("exact_price_kr", "Exakt pris", fmt=FMT_KR2),
    _kr("price_kr", "Pris", fmt=FMT_KR2),
    _kr("annual_fee_kr", "Årsavgift"),
    _kr("previous_price_kr", "Föregående pris", fmt=FMT_KR2),
    _kr("change_kr", "Förändring", fmt=FMT_KR2),
    _share("change_pct", "Förändring i procent"),
    _kr("residual_kr", "Avrundningsrest"),
    _kr("group_transfer_kr", "Omfördelning inom prisgrupp"),
    _text("customer_id", "Kund-id", width=10),
    _text("customer_name", "Kund", width=30),
    _share("fee_share", "Andel av avgift"),
    _kr("fee_kr", "Avgift"),
    _kr("charge_kr", "Debitering"),
    _kr("previous_charge_kr", "Föregående debitering"),
    _kr("price_effect_kr", "Priseffekt"),
    _text("check", "Kontroll", width=62),
    _text("source", "Källa", width=14),
    Column("contact_rows", "Rader", "integer", number_format=FMT_INT, width=8),
    _num("contacts", "Kontakter", width=12),
    _share("workload_share", "Andel av arbetsbelastning", width=14),
    _kr("cost_kr", "Kostnad"),
    _share("cost_share", "Andel av kostnad", width=12),
    _kr("value_kr", "Värde"),
    _kr("received_kr", "Mottaget från andra pooler"),
    _kr("shared_kr", "Att fördela"),
    _text("receiver", "Mottagare", width=11),
    _text("receiver_kind", "Mottagartyp", width=11),
    _text("receiver_name", "Mottagarens namn", width=30),
    _num("key_quantity", "Nyckeltal", fmt=FMT_NUM, width=13),
    _share("share", "Andel", width=9),
    _text("row_kind", "Rad", width=8),
    _num("key_quantity", "Nyckeltal", width=12),
    _share("share", "Andel", width=9),
    _kr("unit_price_kr", "Pris per enhet", fmt=FMT_KR2),
    _kr("previous_annual_fee_kr", "Föregående årsavgift"),
    _text("note", "Not", width=34),
    _kr("reference_kr", "Jämförelsevärde"),
    _kr("difference_kr", "Differens", fmt=FMT_KR2),
    Column("ok", "OK", "bool", width=8),
)}

#: Result fields that add up over a table's rows (kr amounts, årsarbetare, volumes, hours): each
#: such column is summed in the totals row below its table (``Column.total``). Prices, rates,
#: per-unit figures, shares, key quantities of mixed keys and ids are never summed; per-table
#: exceptions are in ``_OVERRIDES``.
_ADDITIVE = frozenset((
    "volume", "measured_volume", "workload_h", "fte", "standalone_fte", "on_queue_h",
    "standalone_fte_sum", "personnel_cost_kr", "seat_cost_kr", "minute_cost_kr",
    "direct_cost_kr", "overhead_kr", "previous_cost_kr", "inhouse_fte", "inhouse_cost_kr",
    "volume_effect_kr", "handle_time_effect_kr", "staffing_effect_kr", "salary_effect_kr",
    "overhead_effect_kr", "other_effect_kr", "city_charge_kr", "full_cost_kr",
    "carry_forward_kr", "price_basis_kr", "amount_kr", "staff_cost_kr", "total_kr",
    "received_kr", "allocated_kr", "cost_basis_kr", "annual_fee_kr", "residual_kr",
    "group_transfer_kr", "fee_kr", "charge_kr", "previous_charge_kr", "price_effect_kr",
    "contacts", "cost_kr", "previous_annual_fee_kr", "difference_kr",
))
#: Output amounts are at most tens of millions ("45 918 534 kr"): 13 characters wide suffice
#: (a longer header word still widens its column), so wide tables print at a readable scale.
_KR_WIDTH = 13
_OUT = {f: dataclasses.replace(c, total=f in _ADDITIVE,
                               width=min(c.width, _KR_WIDTH) if c.kind == "money" else c.width)
        for f, c in _OUT.items()}


def _no_totals(table: str, *fields: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(table, f): {"total": False} for f in fields}


#: Rows that do not add up: one service at several service levels, checks of different figures,
#: pool-to-pool flows (a krona passes several pools), and tables with their own total rows
#: (Datakvalitet: Totalt; Kundspecifikation: Summa per kund).
_NO_TOTALS = {
    **_no_totals("tblSLApris", "fte", "full_cost_kr"),
    **_no_totals("tblAvstamning", "difference_kr"),
    **_no_totals("tblFordelningssteg", "amount_kr"),
    **_no_totals("tblDatakvalitet", "contacts", "workload_h", "fte", "cost_kr"),
    **_no_totals("tblKundspecifikation", "fee_kr", "charge_kr", "previous_charge_kr"),
}

_OVERRIDES: dict[tuple[str, str], dict[str, Any]] = {
    ("tblPoolbemanning", "services"): {"header": "Tjänster i poolen", "width": 14},
    ("tblPoolkostnader", "name"): {"header": "Pool", "width": 36},
    ("tblPoolkostnader", "pool_id"): {"header": "Pool-id", "width": 10},
    ("tblFordelning", "pool_id"): {"header": "Pool-id", "width": 10},
    ("tblFordelning", "amount_kr"): {"header": "Fördelat belopp"},
    ("tblFordelningssteg", "pool_id"): {"header": "Pool-id", "width": 10},
    ("tblFordelningssteg", "method"): {"header": "Metod", "width": 10},
    ("tblFordelningssteg", "amount_kr"): {"header": "Belopp till mottagaren"},
    ("tblPoolkostnader", "total_kr"): {"header": "Egen kostnad"},
    ("tblSLApris", "service_level"): {"kind": "share", "header": "Servicenivå",
                                      "number_format": FMT_PCT, "unit": "%"},
    ("tblPrislista", "quantity"): {"header": "Prognos (prisenhet)"},
    ("tblKundspecifikation", "key"): {"header": "Avgiftsnyckel", "width": 20},
    ("tblKundspecifikation", "name"): {"width": 25},
    ("tblKundspecifikation", "price_unit"): {"width": 14},
    ("tblKundspecifikation", "key_quantity"): {"width": 11.5},
    ("tblKundspecifikation", "quantity"): {"width": 11.5},
    ("tblKundspecifikation", "price_kr"): {"header": "Pris per enhet"},
    ("tblKundspecifikation", "change_kr"): {"number_format": FMT_KR},
    ("tblPrislistaBeslut", "name"): {"width": 34},
    ("tblPrislistaBeslut", "annual_fee_kr"): {"header": "Årsavgift (kr/år)", "number_format": FMT_INT},
    ("tblPrislistaBeslut", "previous_annual_fee_kr"): {"header": "Föregående årsavgift (kr/år)",
                                                       "number_format": FMT_INT},
    ("tblPrislistaBeslut", "previous_price_kr"): {"header": "Föregående pris per enhet"},
    ("tblPrislistaBeslut", "change_pct"): {"header": "Förändring"},
    ("tblPrislistaBeslut", "note"): {"width": 40},
    ("tblPrisbryggaPris", "price_kr"): {"header": "Årets pris", "width": 12},
    # Widths and headers that let the wide tables print at 55 % or more on A4 landscape
    # (Sheet.print_scale; a header word sets its column's least width, so long compounds are
    # broken at a hyphen and a space).
    ("tblPrisbryggaPris", "name"): {"width": 15},
    ("tblPrisbryggaPris", "channel_id"): {"width": 9},
    ("tblPrisbryggaPris", "comparison"): {"width": 13},
    ("tblPrisbryggaPris", "outcome_per_unit_kr"): {"width": 11.5},
    ("tblPrisbryggaPris", "carry_forward_per_unit_kr"): {"header": "Resultat- överföring",
                                                         "width": 12.5},
    ("tblPrisbryggaPris", "previous_price_kr"): {"width": 12.5},
    ("tblPrisbryggaPris", "change_kr"): {"width": 12.5},
    **{("tblPrisbryggaPris", f): {"width": 11.5} for f in (
        "volume_per_unit_kr", "staffing_per_unit_kr", "salary_per_unit_kr",
        "overhead_per_unit_kr", "other_per_unit_kr", "group_transfer_per_unit_kr")},
    ("tblPoolbemanning", "on_queue_h"): {"header": "Tid i kö- beredskap (tim)", "width": 12.5},
    ("tblPoolbemanning", "pool_id"): {"header": "Pool", "width": 15},
    ("tblPoolbemanning", "method"): {"width": 15},
    ("tblPoolbemanning", "productive_hours"): {"width": 12.5},
    ("tblPoolbemanning", "workload_h"): {"header": "Arbets- belastning (tim)", "width": 12.5},
    ("tblPoolbemanning", "standalone_fte_sum"): {"width": 12.5},
    ("tblSjalvkostnad", "personnel_cost_kr"): {"header": "Personal- kostnad", "width": 13.0},
    ("tblSjalvkostnad", "carry_forward_kr"): {"header": "Över-/ underskott att fördela",
                                              "width": 13.0},
    ("tblKundspecifikation", "channel_id"): {"width": 9},
    ("tblKundspecifikation", "customer_name"): {"width": 26},
    ("tblSjalvkostnad", "staff_category"): {"header": "Kategori", "width": 13.0},
    ("tblSjalvkostnad", "name"): {"width": 26},
    ("tblSjalvkostnad", "unit"): {"width": 21},
    ("tblSjalvkostnad", "productive_hours"): {"width": 12.5},
    ("tblSjalvkostnad", "cost_per_fte_kr"): {"width": 12},
    ("tblSjalvkostnad", "city_charge_kr"): {"header": "Stads- gemensamt påslag", "width": 12},
    ("tblPrislista", "name"): {"width": 26},
    ("tblPrislista", "unit"): {"width": 21},
    ("tblPrislista", "price_model"): {"width": 20},
    ("tblPrislista", "price_group"): {"width": 16},
    ("tblPrislista", "comparison"): {"width": 20},
    ("tblPrisbryggaPris", "price_unit"): {"width": 11},
    ("tblKundjamforelse", "difference_kr"): {"header": "Egen regi − debitering",
                                             "number_format": FMT_KR},
    # The price list as the board reads it; how each price arises is one click away.
    **{("tblPrislista", f): {"detail": True}
       for f in ("cost_basis_kr", "exact_price_kr", "residual_kr", "group_transfer_kr")},
    # The checks compare kronor and årsarbetare: the values carry no unit of their own.
    **{("tblAvstamning", f): {"number_format": FMT_NUM, "unit": ""}
       for f in ("value_kr", "reference_kr", "difference_kr")},
}


#: The price bridge is in kr per price unit: said once in its caption, not in every cell.
_PER_UNIT_PLAIN = {("tblPrisbryggaPris", f): {"number_format": FMT_NUM, "unit": ""}
                   for f in R.PRICE_BRIDGE_COLUMNS if f.endswith("_kr")}

for _extra in (_NO_TOTALS, _PER_UNIT_PLAIN):
    for _key, _over in _extra.items():
        _OVERRIDES[_key] = {**_OVERRIDES.get(_key, {}), **_over}


def _output_table(name: str, title: str, fields: tuple[str, ...], result: str | None) -> Table:
    cols = []
    for f in fields:
        base = _OUT.get(f) or Column(f, f)
        over = _OVERRIDES.get((name, f), {})
        cols.append(dataclasses.replace(base, **over))
    return Table(name, title, tuple(cols), result=result)


T_STAFFING = _output_table("tblBemanning", "Bemanning per tjänst och kanal", R.STAFFING_COLUMNS,
                           "staffing.services")
#: Bemanning's pool table shows the productive hours per FTE beside the pool's FTE (FTE = time
#: on queue / productive hours); the value is ``StaffingResult.productive_hours``
#: (``xlkc.excel.output.DERIVED``).
_POOL_FIELDS = (*R.POOL_COLUMNS[:R.POOL_COLUMNS.index("fte")], "productive_hours",
                *R.POOL_COLUMNS[R.POOL_COLUMNS.index("fte"):])
T_POOL_STAFFING = _output_table("tblPoolbemanning", "Bemanning per svarsgrupp och kanal",
                                _POOL_FIELDS, "staffing.pools")
T_COST = _output_table("tblSjalvkostnad", "Självkostnad per tjänst", R.COST_COLUMNS,
                       "cost.services")
T_ALLOCATION = _output_table("tblFordelning", "Fördelning av overhead", R.ALLOCATION_COLUMNS,
                             "cost.allocation")
T_POOL_COST = _output_table("tblPoolkostnader", "Kostnadspooler", R.POOL_COST_COLUMNS,
                            "cost.pools")
T_FLOWS = _output_table("tblFordelningssteg", "Så fördelas varje pool: nyckeltal och andel per "
                        "mottagare", R.FLOW_COLUMNS, "cost.flows")
T_PRICES = _output_table("tblPrislista", "Prislista", R.PRICE_COLUMNS, "price.prices")
T_CHARGES = _output_table("tblKunddebitering", "Kunddebitering", R.CHARGE_COLUMNS,
                          "price.charges")
T_CUSTOMER_TOTALS = _output_table("tblKundsummor", "Summa per kund", R.CUSTOMER_TOTAL_COLUMNS,
                                  "price.customer_totals")
T_QUALITY = _output_table("tblDatakvalitet", "Arbetsbelastning och kostnad per datakälla",
                          R.QUALITY_COLUMNS, "quality")
T_BRIDGE = _output_table("tblPrisbrygga", "Från fjolårets kostnad till årets självkostnad",
                         R.BRIDGE_COLUMNS, "bridge")
T_PRICE_BRIDGE = _output_table("tblPrisbryggaPris", "Från fjolårets pris till årets pris "
                                "(kr per prisenhet)",
                               R.PRICE_BRIDGE_COLUMNS, "price_bridge")
T_INHOUSE = _output_table("tblKundjamforelse", "Egen regi jämfört med debiteringen",
                          R.INHOUSE_COLUMNS, "inhouse")
T_SLA_PRICES = _output_table("tblSLApris", "Pris vid andra servicenivåer", R.SLA_COLUMNS, "sla")
T_CHECKS = _output_table("tblAvstamning", "Avstämning", R.CHECK_COLUMNS, "checks")
T_BOARD = _output_table("tblPrislistaBeslut", "Prislista för beslut", R.BOARD_COLUMNS, "board")
T_STATEMENT = _output_table("tblKundspecifikation", "Kundspecifikation", R.STATEMENT_COLUMNS,
                            "statement")

# --- written by a statistics import (xlkc importera), not by Beräkna priser ---------------------

T_QUEUE_STATS = Table("tblKostatistik", "Köerna i statistiken: utfall mot mål", columns=(
    _text("queue", "Kö", width=16),
    _text("services", "Tjänst och kanal (andel)", width=28),
    _text("period", "Period", width=23),
    _num("open_days", "Öppetdagar", width=11),
    _num("demand", "Efterfrågan", width=12),
    _num("answered", "Besvarade", width=12),
    _minutes("handle_time_s", "Hanteringstid (min)", width=14),
    _share("service_level", "Uppnådd servicenivå", width=12),
    _share("target_service_level", "Mål servicenivå", width=12),
    _seconds("target_answer_time_s", "Mål svarstid (s)", width=12),
    _share("answer_rate", "Svarsandel", width=11),
    _seconds("asa_s", "Medelsvarstid (s)", width=13),
), note="Uppnådd servicenivå räknas mot telefonisystemets egen gräns för besvarade inom "
        "servicenivå, som kan skilja sig från målets svarstid.")
T_STAT_FINDINGS = Table("tblStatistikfynd", "Fynd i statistiken", columns=(
    _text("kind", "Typ", width=24),
    _text("file", "Fil", width=22),
    Column("line", "Rad", "integer", number_format="0", width=8),
    _text("queue", "Kö", width=14),
    _text("interval", "Intervall", width=18),
    _text("message", "Meddelande", width=70),
))

#: The run log: one row per click on Beräkna priser or Validera indata (newest first).
RUNLOG_COLUMNS = ("time", "user", "command", "version", "input_hash", "total_cost_kr",
                  "revenue_kr", "checks", "message")
T_FUND_OUT = Table(
    "tblFondavrakning", "Resultatfondens avräkning", result="cost.fund",
    columns=(
        _text("key", "Tjänst eller prisgrupp", width=16),
        _text("unit", "Enhet", width=24),
        Column("origin_year", "Ursprungsår", "integer", number_format="0", width=12),
        _kr("result_kr", "Resultat (kr)", total=True),
        _kr("opening_kr", "Ingående saldo (kr)", total=True),
        _kr("new_kr", "Årets resultat (kr)", total=True),
        _kr("returned_kr", "Återfört i priserna (kr)", width=16, total=True),
        _kr("closing_kr", "Utgående saldo (kr)", total=True),
        Column("years_left", "Återstående år", "integer", number_format="0", width=12),
        _text("returned_to", "Återförs till", width=44),
    ),
)

T_RUNLOG = Table("tblKorlogg", "Körlogg", columns=(
    Column("time", "Tid", "datetime", number_format=FMT_DATETIME, width=20),
    _text("user", "Användare", width=14),
    _text("command", "Kommando", width=12),
    _text("version", "xlkc-version", width=12),
    _text("input_hash", "Indata-hash", width=19, note="Ändras när någon indata ändras."),
    _kr("total_cost_kr", "Total kostnad"),
    _kr("revenue_kr", "Intäkt"),
    _text("checks", "Kontroller", width=16),
    _text("message", "Meddelande", width=70),
))

# --- charts ---------------------------------------------------------------------------------------

CHART_COST = Chart(
    "Vad självkostnaden består av per tjänst", T_COST.name, "service_id",
    ("personnel_cost_kr", "seat_cost_kr", "minute_cost_kr", "direct_cost_kr", "overhead_kr",
     "city_charge_kr"), stacked=True, axis_title="kr")
CHART_POOLING = Chart(
    "Årsarbetare i pool jämfört med fristående tjänster", T_POOL_STAFFING.name, "pool_id",
    ("fte", "standalone_fte_sum"), axis_title="Årsarbetare", number_format="#,##0.0")
CHART_BRIDGE = Chart(
    "Varför kostnaden ändrats sedan i fjol, per tjänst", T_BRIDGE.name, "service_id",
    ("volume_effect_kr", "handle_time_effect_kr", "staffing_effect_kr", "salary_effect_kr",
     "overhead_effect_kr", "other_effect_kr"), stacked=True, axis_title="kr")
