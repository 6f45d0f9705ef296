"""Input tables, shared column makers, named parameter and status cells."""

from __future__ import annotations

from xlkc import inputs as I  # noqa: N812
from xlkc.layout.core import (
    FMT_DATETIME,
    FMT_FACTOR,
    FMT_FTE,
    FMT_HOUR_OF_DAY,
    FMT_HOURS,
    FMT_INT,
    FMT_KR,
    FMT_KR2,
    FMT_NUM,
    FMT_PCT,
    Column,
    NamedCell,
    Table,
    _channel,
    _enum,
    _kr,
    _minutes,
    _num,
    _seconds,
    _service,
    _share,
    _source,
    _text,
    _unit,
)

# --- input tables ----------------------------------------------------------------------------------

T_SLA = Table(
    "tblSLA", "SLA-nivåer att prissätta", record=I.SlaLevel, inputs_field="parameters.sla_levels",
    columns=(
        _share("service_level", "Servicenivå", required=True),
        _seconds("answer_time_s", "Svarstid (s)", required=True, width=14),
    ),
    note="Realtidstjänsternas pris räknas även vid dessa servicenivåer (bladet SLA-pris).",
)

T_SERVICES = Table(
    "tblTjanster", "Tjänstekatalog", record=I.Service, inputs_field="services",
    list_name="lstTjanster",
    columns=(
        _text("service_id", "Tjänst-id", required=True, width=11),
        _text("name", "Tjänst", required=True, width=34),
        _unit(required=True),
        _enum("service_type", "Bas/tillägg", I.ServiceType, width=12),
        _text("answer_group", "Svarsgrupp", required=True, width=12),
        Column("staff_category", "Personalkategori", "ref", allowed="tblPersonal.category_id",
               required=True, width=17),
        _enum("price_model", "Prismodell", I.PriceModel, width=24),
        Column("price_unit", "Prisenhet", "text", width=18, computed=True,
               note="Följer av prismodellen."),
        _enum("fee_key", "Avgiftsnyckel", I.FeeKey, required=False, width=24,
              note="Fast årsavgift och abonnemang: hur avgiften delas mellan kunderna."),
        _text("price_group", "Prisgrupp", width=20,
              note="Tjänster i samma prisgrupp får samma pris."),
        _share("fixed_share", "Fast andel", note="Abonnemang: andel av kostnaden i årsavgiften."),
        _text("description", "Beskrivning", width=40),
    ),
)

T_UNITS = Table(
    "tblEnheter", "Enheter", record=I.Unit, inputs_field="units", list_name="lstEnheter",
    columns=(
        _text("unit_id", "Enhet", required=True, width=28),
        _text("description", "Beskrivning", width=44),
    ),
    note="Kontaktcentrets enheter; tjänster, personal och pooler på enhetsnivå anger en av dem.",
)

T_CONTACTS = Table(
    "tblKontakter", "Kontakter per tjänst och kanal", record=I.ContactVolume,
    inputs_field="contacts",
    columns=(
        _service(),
        _channel(),
        _num("volume", "Volym per år", required=True, width=13),
        _source("volume_source", "Källa volym"),
        _minutes("aht_s", "Hanteringstid (min)", required=True, width=14),
        _source("aht_source", "Källa hanteringstid"),
        _num("target_volume", "Målvärde volym", width=14,
             note="Ersätter volymen i beräkningen; båda syns."),
        _minutes("target_aht_s", "Målvärde hanteringstid (min)", width=20),
        _num("replaced_volume", "Ersatt volym", width=12,
             note="Volymen som senaste statistikimport ersatte; räknas inte med."),
        _minutes("replaced_aht_s", "Ersatt hanteringstid (min)", width=16,
                 note="Hanteringstiden som senaste statistikimport ersatte; räknas inte med."),
    ),
)

T_QUEUES = Table(
    "tblKoer", "Köer i telefoni- och ärendesystem", record=I.QueueRow, inputs_field="queues",
    note="Vilken tjänst och kanal varje kö i statistiken hör till; en kö kan delas på flera "
         "tjänster med andelar som summerar till 100 %.",
    columns=(
        _text("queue", "Kö", required=True, width=18),
        _service(),
        _channel(),
        _share("share", "Andel", required=True, width=10),
    ),
)

T_GROUP_PROFILES = Table(
    "tblGruppprofiler", "Profil per svarsgrupp", record=I.GroupProfileValue,
    inputs_field="group_profiles",
    note="Svarsgruppens egna månadsfaktorer, veckodagsandelar och intervallandelar (15, 30 eller "
         "60 minuter); delar som saknas tas från den gemensamma profilen.",
    columns=(
        _text("group_id", "Svarsgrupp", required=True, width=12),
        _enum("part", "Del", I.ProfilePart, width=11),
        _text("period", "Period", required=True, width=11,
              note="Månad (januari …), veckodag (måndag …) eller intervallets start (08:15)."),
        _num("value", "Värde", required=True, fmt="0.0000", width=10),
        _source("source", "Källa"),
    ),
)

T_CHANNELS = Table(
    "tblKanaler", "Kanaler", record=I.Channel, inputs_field="channels", list_name="lstKanaler",
    columns=(
        _text("channel_id", "Kanal", required=True, width=12),
        _enum("kind", "Typ", I.ChannelKind, width=12),
        _share("service_level", "Servicenivå"),
        _seconds("answer_time_s", "Svarstid (s)"),
        _share("max_occupancy", "Max beläggning"),
        _num("concurrency_factor", "Samtidighet", required=True, fmt=FMT_FACTOR,
             note="Chatt: effektiv hanteringstid = hanteringstid / samtidighet."),
        _seconds("patience_s", "Tålamod (s)", note="Anges: Erlang A."),
        _seconds("asa_target_s", "Mål medelsvarstid (s)", width=18),
        _share("max_utilisation", "Max utnyttjande", note="Uppskjutna kanaler."),
    ),
)

T_ANSWER_GROUPS = Table(
    "tblSvarsgrupper", "Svarsgrupper (avvikelser från kanalens standard)", record=I.AnswerGroup,
    inputs_field="answer_groups",
    columns=(
        _text("group_id", "Svarsgrupp", required=True, width=12),
        _channel(),
        _enum("method", "Metod", I.StaffingMethod, required=False, width=16),
        _share("service_level", "Servicenivå"),
        _seconds("answer_time_s", "Svarstid (s)"),
        _share("max_occupancy", "Max beläggning"),
        _seconds("patience_s", "Tålamod (s)"),
        _seconds("asa_target_s", "Mål medelsvarstid (s)", width=18),
    ),
)

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december")
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag")

T_MONTHS = Table(
    "tblManadsfaktorer", "Månadsfaktorer", inputs_field="profile.month_factors",
    series_field="value", labels=MONTHS,
    columns=(
        _text("label", "Månad", width=12, computed=True),
        _num("value", "Faktor", required=True, fmt=FMT_FACTOR, width=10,
             note="Relativ intensitet per dag, 1,00 = normal."),
    ),
)
T_HOURS = Table(
    "tblTimprofil", "Timprofil", inputs_field="profile.hourly_shares", series_field="value",
    note="En rad per öppettimme, från öppning till stängning (Parametrar).",
    columns=(
        Column("label", "Timme", "integer", number_format=FMT_HOUR_OF_DAY, width=10,
               required=True),
        _share("value", "Andel", required=True, width=10),
    ),
)
T_WEEKDAYS = Table(
    "tblVeckodagar", "Veckodagar", inputs_field="profile.weekday_shares", series_field="value",
    labels=WEEKDAYS, note="Tomt: alla vardagar lika.",
    columns=(
        _text("label", "Veckodag", width=12, computed=True),
        _num("value", "Andel", fmt=FMT_FACTOR, width=10),
    ),
)

T_STAFF = Table(
    "tblPersonal", "Personalkategorier", record=I.StaffCategory, inputs_field="staff",
    list_name="lstPersonal",
    columns=(
        _text("category_id", "Personalkategori", required=True, width=20),
        _kr("monthly_salary_kr", "Månadslön (kr)", required=True),
        _enum("role", "Roll", I.StaffRole, width=13),
        Column("pool_id", "Kostnadspool", "ref", allowed="tblOverhead.pool_id", width=13,
               note="Overheadpersonal: poolen kostnaden går till."),
        _num("headcount", "Antal åa", fmt=FMT_NUM, width=10),
        _num("span", "En per antal åa", fmt=FMT_NUM, width=14,
             note="Till exempel teamledare: en per 13 handläggare."),
        _unit(note="Spannet räknar bara denna enhets åa."),
    ),
)

T_COSTS = Table(
    "tblKostnader", "Kostnader utöver lön", record=I.Cost, inputs_field="costs",
    columns=(
        _text("cost_id", "Kostnad-id", required=True, width=11),
        _text("description", "Beskrivning", required=True, width=44),
        _enum("kind", "Typ", I.CostKind, width=12),
        _kr("amount_kr", "Belopp (kr)", required=True, fmt=FMT_KR2,
            note="Direkt: kr/år. Per plats: kr per plats och år. Per minut: kr/minut."),
        _service(required=False),
        _channel(required=False),
    ),
)

T_POOLS = Table(
    "tblOverhead", "Overhead och kostnadspooler", record=I.OverheadPool, inputs_field="pools",
    list_name="lstPooler",
    columns=(
        _text("pool_id", "Pool-id", required=True, width=10),
        _text("name", "Namn", required=True, width=34),
        _enum("level", "Nivå", I.PoolLevel, width=13),
        _kr("amount_kr", "Belopp (kr)", required=True),
        _enum("key", "Fördelningsnyckel", I.AllocationKey, width=19),
        _unit(note="Enhetsnivå: fördelas bara på enhetens tjänster."),
        Column("receivers", "Mottagare (tjänster)", "list", width=22,
               note="Nyckel direkt: tjänst-id åtskilda med kommatecken."),
        Column("order", "Ordning", "integer", number_format="0", width=9,
               note="Stegvis fördelning: lägst först."),
    ),
)

T_CUSTOMERS = Table(
    "tblKunder", "Kunder", record=I.Customer, inputs_field="customers", list_name="lstKunder",
    columns=(
        _text("customer_id", "Kund-id", required=True, width=10),
        _text("name", "Kund", required=True, width=34),
        _num("inhabitants", "Invånare", width=12),
        _num("employees", "Anställda", width=12),
        _kr("own_monthly_salary_kr", "Egen månadslön (kr)",
            note="Kundjämförelse: kundens egen lön om den gjorde arbetet själv."),
        _share("own_total_shrinkage", "Egen frånvaro", width=12,
               note="Kundjämförelse: total frånvaroandel; tomt = modellens."),
        _share("own_overhead_rate", "Eget overheadpålägg", width=13,
               note="Kundjämförelse: påslag på personalkostnaden; tomt = 0."),
    ),
)

T_CUSTOMER_VOLUMES = Table(
    "tblKundvolymer", "Kundvolymer", record=I.CustomerVolume, inputs_field="customer_volumes",
    columns=(
        Column("customer_id", "Kund-id", "ref", allowed="tblKunder.customer_id", required=True,
               width=10),
        _service(),
        _num("forecast_quantity", "Prognos (prisenhet)", required=True, fmt=FMT_NUM, width=18,
             note="I tjänstens prisenhet: kontakter, minuter eller timmar."),
        _num("last_year_contacts", "Kontakter föregående år", required=True, width=14),
        _channel(required=False, note="Styckpris per kanal: kanalen."),
    ),
)

T_PREVIOUS = Table(
    "tblForegaendePriser", "Föregående års prislista", record=I.PreviousPrice,
    inputs_field="previous_prices",
    columns=(
        _service(),
        _channel(required=False),
        _kr("price_kr", "Pris (kr)", required=True, fmt=FMT_KR2,
            note="Per prisenhet; fast årsavgift: hela avgiften."),
        _kr("annual_fee_kr", "Årsavgift (kr)", note="Abonnemang: föregående års fasta avgift."),
        _enum("price_model", "Prismodell", I.PriceModel, required=False, width=24,
              note="Fjolårets prismodell; tomt = samma som i år. Annan modell: ingen procent."),
        _kr("exact_price_kr", "Exakt pris (kr)", fmt=FMT_KR2,
            note="Fjolårets oavrundade pris (Prislistans Exakt pris); tomt = priset."),
        _text("price_group", "Prisgrupp", width=20,
              note="Fjolårets prisgrupp; tomt = ingen."),
    ),
)

T_OUTCOMES = Table(
    "tblUtfall", "Utfall föregående år", record=I.Outcome, inputs_field="outcomes",
    columns=(
        _service(),
        _kr("revenue_kr", "Intäkt (kr)", required=True),
        _kr("cost_kr", "Kostnad (kr)", required=True),
        _num("volume", "Volym", width=12),
        _num("workload_h", "Arbetsbelastning (tim)", width=14,
             note="Fjolårets volym × hanteringstid; behövs för prisbryggan."),
        _num("fte", "Årsarbetare", fmt=FMT_FTE, width=12),
        _kr("personnel_cost_kr", "Personalkostnad (kr)"),
        _kr("overhead_kr", "Overhead (kr)", note="Overhead och stadens påslag i kostnaden."),
        _kr("carry_forward_kr", "Resultatöverföring i priset (kr)", width=16,
            note="Vad årets priser lade till (+) eller drog av (−) för tidigare års resultat "
                 "(Självkostnad). Fylls av Nytt prisår; tomt = 0."),
        _enum("source", "Källa", I.OutcomeSource, required=False, width=11,
              note="plan: förifyllt från planen av Nytt prisår; skriv in bokslutet."),
    ),
)

# --- the yearly cycle: year stamps and the result fund -------------------------------------------

#: The year Föregående prislista belongs to (a named cell beside its table).
PREVIOUS_YEAR_CELLS = (
    NamedCell("ForegaendeAr", "previous_prices_year", "Prislistans år", "integer", "0",
              note="Året prislistan gällde: prisåret − 1."),
)
#: The year Utfall belongs to (a named cell beside its table).
OUTCOME_YEAR_CELLS = (
    NamedCell("UtfallAr", "outcome_year", "Utfallets år", "integer", "0",
              note="Året utfallet gäller: prisåret − 1. Dess resultat förs till Resultatfonden."),
)

T_FUND = Table(
    "tblResultatfond", "Resultatfond: ingående saldo", record=I.FundBalance,
    inputs_field="fund",
    columns=(
        _text("key", "Tjänst eller prisgrupp", required=True, width=16),
        _unit(note="Tjänstens enhet: dit saldot går om tjänsten har upphört."),
        Column("origin_year", "Ursprungsår", "integer", number_format="0", required=True,
               width=12, note="Året resultatet uppstod."),
        _kr("result_kr", "Resultat (kr)", required=True,
            note="Årets över- (+) eller underskott (−) när det fördes till fonden."),
        _kr("balance_kr", "Kvar att återföra (kr)", required=True, width=16,
            note="Ingående saldo: + skyldigt kunderna, − kunderna skyldiga."),
        Column("years_left", "Återstående år", "integer", number_format="0", required=True,
               width=12, note="Prisår kvar att återföra saldot på, detta inräknat."),
    ),
    note="Fylls av Nytt prisår från föregående års Fondavräkning.",
)

# --- named parameter cells ----------------------------------------------------------------------

PARAMETER_CELLS = (
    NamedCell("Prisar", "year", "Prisår", "integer", "0", note="Året prislistan gäller."),
    NamedCell("Arbetsdagar", "working_days", "Arbetsdagar per år", "number", FMT_INT, unit="dagar"),
    NamedCell("TimmarPerDag", "hours_per_day", "Timmar per dag", "number", FMT_HOURS, unit="tim"),
    NamedCell("Semesterdagar", "vacation_days", "Semesterdagar", "number", FMT_INT, unit="dagar"),
    NamedCell("Sjukfranvaro", "sick_leave", "Sjukfrånvaro", "share", FMT_PCT, unit="%"),
    NamedCell("Utbildning", "training", "Utbildning och möten", "share", FMT_PCT, unit="%"),
    NamedCell("OvrigFranvaro", "other_absence", "Övrig frånvaro", "share", FMT_PCT, unit="%"),
    NamedCell("TotaltBortfall", "total_shrinkage", "Totalt bortfall (ersätter delarna)", "share",
              FMT_PCT, required=False, unit="%", note="Tomt: summan av delarna ovan."),
    NamedCell("MaxBelaggning", "max_occupancy", "Max beläggning (realtid)", "share", FMT_PCT,
              unit="%"),
    NamedCell("MaxUtnyttjande", "max_utilisation", "Max utnyttjande (uppskjutet)", "share",
              FMT_PCT, unit="%"),
    NamedCell("Oppnar", "opening_hour", "Öppnar (timme)", "integer", FMT_HOUR_OF_DAY),
    NamedCell("Stanger", "closing_hour", "Stänger (timme)", "integer", FMT_HOUR_OF_DAY),
    NamedCell("PO_palagg", "payroll_overhead_rate", "PO-pålägg", "share", FMT_PCT, unit="%",
              note="Arbetsgivaravgifter och pension på lönen."),
    NamedCell("Lonerevision", "salary_revision", "Lönerevision till prisåret", "share", FMT_PCT,
              unit="%"),
    NamedCell("PlatserPerAa", "seat_ratio", "Platser per årsarbetare", "number", FMT_FACTOR),
    NamedCell("KvmPerPlats", "area_per_seat_m2", "Kvadratmeter per plats", "number", FMT_NUM,
              unit="kvm"),
    NamedCell("Stadspalagg", "city_charge_rate", "Stadsgemensamt påslag", "share", FMT_PCT,
              unit="%", note="På total kostnad."),
    NamedCell("Fordelningsmetod", "allocation_method", "Fördelningsmetod overhead", "enum",
              allowed=I.AllocationMethod),
    # Rounding per price unit: a step (0,01, 0,10, 0,50, 1, 10 … kr) and a direction each.
    NamedCell("AvrundningSteg", "rounding_step_kr", "Avrundning kr/kontakt (steg)", "number",
              FMT_KR2, unit="kr", note="Styckpris, pris per kanal, abonnemangets rörliga pris."),
    NamedCell("AvrundningRiktning", "rounding_direction", "Avrundningsriktning kr/kontakt",
              "enum", allowed=I.RoundingDirection),
    NamedCell("AvrundningStegMinut", "rounding_step_minute_kr", "Avrundning kr/minut (steg)",
              "number", FMT_KR2, required=False, unit="kr", note="Minutpris; tomt = 0,10 kr."),
    NamedCell("AvrundningRiktningMinut", "rounding_direction_minute",
              "Avrundningsriktning kr/minut", "enum", allowed=I.RoundingDirection,
              required=False),
    NamedCell("AvrundningStegTimme", "rounding_step_hour_kr", "Avrundning kr/timme (steg)",
              "number", FMT_KR2, required=False, unit="kr", note="Timpris; tomt = 1 kr."),
    NamedCell("AvrundningRiktningTimme", "rounding_direction_hour",
              "Avrundningsriktning kr/timme", "enum", allowed=I.RoundingDirection,
              required=False),
    NamedCell("AvrundningStegAr", "rounding_step_fee_kr", "Avrundning kr/år (steg)", "number",
              FMT_KR2, required=False, unit="kr",
              note="Fast årsavgift och abonnemangets avgift; tomt = 1 kr."),
    NamedCell("AvrundningRiktningAr", "rounding_direction_fee", "Avrundningsriktning kr/år",
              "enum", allowed=I.RoundingDirection, required=False),
    NamedCell("OverskottAr", "surplus_years", "År att fördela över-/underskott på", "integer",
              "0", unit="år"),
    NamedCell("PrislistaStatus", "price_list_status", "Prislistans status", "enum",
              allowed=I.PriceListStatus, note="Visas på Prislista för beslut."),
    NamedCell("Beslutsdatum", "decision_date", "Beslutsdatum", "datetime", "yyyy-mm-dd",
              required=False, note="Nämndens beslut; tomt för ett förslag."),
    NamedCell("Arendenummer", "case_number", "Ärendenummer", "text", required=False,
              note="Diarienummer för beslutet."),
)

STATUS_CELLS = (
    NamedCell("StatusTid", "time", "Tid", "datetime", FMT_DATETIME, required=False),
    NamedCell("StatusResultat", "status", "Resultat", "text", required=False),
    NamedCell("StatusTotalkostnad", "total_cost_kr", "Total kostnad", "money", FMT_KR,
              required=False, unit="kr"),
    NamedCell("StatusVersion", "version", "xlkc-version", "text", required=False),
    NamedCell("StatusVarningar", "warnings", "Varningar", "text", required=False),
    NamedCell("StatusOverhead", "overhead_rate", "Overheadpålägg", "share", FMT_PCT,
              required=False, unit="%",
              note="(Overhead + stadsgemensamt) / personalkostnad; Ny tjänst utgår från det."),
)
