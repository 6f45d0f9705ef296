"""The command line's arguments: the Swedish argument parser of ``xlkc`` and its commands
(:func:`build_parser`), and the default output files and exit codes its help names, which the
commands in :mod:`xlkc.cli` use too.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from xlkc import __version__

#: Default output file, in the current directory.
DEFAULT_OUTPUT = "Prismodell_beraknad.xlsm"
#: Default output file of ``xlkc importera``.
DEFAULT_IMPORT_OUTPUT = "Prismodell_importerad.xlsm"

EXIT_OK, EXIT_FAILURE, EXIT_INVALID, EXIT_CHECKS = 0, 1, 2, 3

#: The exit codes, as the help shows them.
EXIT_CODES_TEXT = ("Slutkoder: 0 klart (eventuella varningar skrivs ut), 2 fel i indata (inget "
                   "beräknas eller skrivs), 3 avstämningen avviker (berakna skriver filen för "
                   "granskning, markerad FEL), 1 annat fel.")

_ARGPARSE_SV = (
    ("the following arguments are required", "följande argument krävs"),
    ("unrecognized arguments", "okända argument"),
    ("invalid choice", "ogiltigt val"),
    ("choose from", "välj bland"),
    ("expected one argument", "väntade ett argument"),
    ("not allowed with argument", "får inte användas med argumentet"),
    ("ignored explicit argument", "ignorerat argument"),
    ("invalid", "ogiltigt"),
)


# --- argparse in Swedish -------------------------------------------------------------------------

class _SvFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001
        super().add_usage(usage, actions, groups, prefix if prefix is not None else "användning: ")


class SvArgumentParser(argparse.ArgumentParser):
    """ArgumentParser with Swedish headings, help option and error messages."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs["add_help"] = False
        kwargs.setdefault("formatter_class", _SvFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "argument"
        self._optionals.title = "flaggor"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="visa den här hjälpen och avsluta")

    def error(self, message: str):  # noqa: ANN201 - NoReturn
        for en, sv in _ARGPARSE_SV:
            message = message.replace(en, sv)
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog}: fel: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = SvArgumentParser(
        prog="xlkc",
        description="Prismodell Kontaktcenter: beräknar årsarbetare, självkostnad och priser "
        "per tjänst ur arbetsboken Prismodell.xlsm.",
        epilog=EXIT_CODES_TEXT,
    )
    parser.add_argument("--version", action="version", version=f"xlkc {__version__}",
                        help="visa versionen och avsluta")
    parser.add_argument("--debug", action="store_true", default=False,
                        help="visa hela felspårningen vid oväntade fel")
    sub = parser.add_subparsers(dest="kommando", metavar="KOMMANDO", title="kommandon")

    def debug_flag(p: argparse.ArgumentParser) -> None:
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="visa hela felspårningen vid oväntade fel")

    berakna = sub.add_parser(
        "berakna", help="läs arbetsboken, beräkna och skriv resultatbladen",
        description="Läser indata ur arbetsboken, validerar, beräknar och skriver resultatbladen "
        "(Bemanning till Datakvalitet), statusen på Start och en rad i Körlogg. Indatafilen skrivs "
        "aldrig över utan --skriv-over. Finns utfilen redan sparas den förra versionen som "
        "<namn>.bak-ÅÅÅÅMMDD-TTMMSS.xlsm (de tre senaste behålls).",
        epilog=EXIT_CODES_TEXT)
    berakna.add_argument("arbetsbok", nargs="?", metavar="ARBETSBOK",
                         help="arbetsboken att läsa (standard: workbook/Prismodell.xlsm)")
    target = berakna.add_mutually_exclusive_group()
    target.add_argument("-o", "--ut", metavar="UT", default=None,
                        help=f"fil (.xlsm) eller mapp där resultatet skrivs (standard: "
                        f"./{DEFAULT_OUTPUT})")
    target.add_argument("--skriv-over", action="store_true",
                        help="skriv resultatet i ARBETSBOK själv (en kopia sparas som "
                        "<namn>.bak-ÅÅÅÅMMDD-TTMMSS.xlsm)")
    berakna.add_argument("--versionsnamn", metavar="NAMN", default=None,
                         help="spara beräkningen som en version med detta namn på bladet "
                         "Versioner (t.ex. \"Förslag 1\"); ett förslag med samma namn ersätts, "
                         "en beslutad version kan aldrig ändras (standard: cellen Spara nästa "
                         "beräkning som version på Versioner; tom: ingen version)")
    berakna.add_argument("--status", choices=("Förslag", "Beslutad"), default=None,
                         help="versionens status (standard: Prislistans status på Parametrar)")
    debug_flag(berakna)

    versioner = sub.add_parser(
        "versioner", help="lista de sparade versionerna i en beräknad arbetsbok",
        description="Listar versionerna på bladet Versioner: namn, status, prisår, när de "
        "sparades, beslutsdatum, ärendenummer, total kostnad, intäkt, årsarbetare och "
        "indata-hash. Skriver ingenting.")
    versioner.add_argument("arbetsbok", nargs="?", metavar="ARBETSBOK",
                           help=f"arbetsboken (standard: ./{DEFAULT_OUTPUT})")
    debug_flag(versioner)

    validera = sub.add_parser(
        "validera", help="kontrollera indata utan att beräkna eller skriva något",
        description="Läser och validerar arbetsbokens indata. Skriver ingenting.",
        epilog=EXIT_CODES_TEXT)
    validera.add_argument("arbetsbok", nargs="?", metavar="ARBETSBOK",
                          help="arbetsboken att läsa (standard: workbook/Prismodell.xlsm)")
    debug_flag(validera)

    importera = sub.add_parser(
        "importera", help="läs statistikfiler och för in volymer, hanteringstider och profiler",
        description="Läser intervallstatistik (kanonisk CSV eller Calabrio/Teleopti, 15, 30 eller "
        "60 minuter) för köerna på bladet Köer och för in årsvolym och hanteringstid per tjänst "
        "och kanal (Kontakter, källa statistik, det ersatta värdet bredvid), svarsgruppernas egna "
        "profiler (Profil) och kundernas prognoser omräknade till de nya volymerna "
        "(Kundvolymer). Köernas utfall mot målen och fynd i filerna hamnar på bladet "
        "Statistikkvalitet. Är någon fil felaktig skrivs ingenting.",
        epilog=EXIT_CODES_TEXT)
    importera.add_argument("statistik", nargs="+", metavar="STATISTIK",
                           help="en eller flera statistikfiler")
    importera.add_argument("-a", "--arbetsbok", metavar="ARBETSBOK", default=None,
                           help="arbetsboken (standard: workbook/Prismodell.xlsm)")
    itarget = importera.add_mutually_exclusive_group()
    itarget.add_argument("-o", "--ut", metavar="UT", default=None,
                         help=f"var resultatet skrivs (standard: ./{DEFAULT_IMPORT_OUTPUT})")
    itarget.add_argument("--skriv-over", action="store_true",
                         help="skriv i ARBETSBOK själv (en kopia sparas som <namn>.bak.xlsm)")
    debug_flag(importera)

    dokument = sub.add_parser(
        "dokument", help="skapa PDF:er av Prislista för beslut och en kundspecifikation per kund",
        description="Läser och beräknar arbetsboken som berakna och skriver PDF:er: Prislista "
        "för beslut och en Kundspecifikation per kund, A4 liggande. PDF:erna skrivs ut av "
        "LibreOffice (headless), som måste vara installerat; i Excel gör knappen Skapa PDF "
        "samma sak. Inga PDF:er skapas om indata har fel eller avstämningen avviker.",
        epilog=EXIT_CODES_TEXT)
    dokument.add_argument("arbetsbok", nargs="?", metavar="ARBETSBOK",
                          help="arbetsboken att läsa (standard: workbook/Prismodell.xlsm)")
    dokument.add_argument("-o", "--ut", metavar="MAPP", default=None,
                          help="mappen PDF:erna skrivs i (standard: ./dokument)")
    debug_flag(dokument)

    nytt = sub.add_parser(
        "nytt-prisar", help="skapa nästa års arbetsbok från en beräknad arbetsbok",
        description="Skriver nästa års arbetsbok: prisår + 1, årets prislista som Föregående "
        "prislista, årets plan som Utfall (Källa plan: skriv in bokslutet), Resultatfondens "
        "utgående saldo som ingående, resultatbladen tömda, Körlogg kvar. Vägrar om senaste "
        "Beräkna priser misslyckades eller indata ändrats sedan dess.")
    nytt.add_argument("arbetsbok", nargs="?", metavar="ARBETSBOK",
                      help=f"den beräknade arbetsboken (standard: ./{DEFAULT_OUTPUT})")
    roll_target = nytt.add_mutually_exclusive_group()
    roll_target.add_argument("-o", "--ut", metavar="UT", default=None,
                             help="var nästa års arbetsbok skrivs (standard: <namn>_<år>.xlsm "
                             "bredvid ARBETSBOK)")
    roll_target.add_argument("--skriv-over", action="store_true",
                             help="skriv nästa år i ARBETSBOK själv (en kopia sparas som "
                             "<namn>.bak.xlsm)")
    debug_flag(nytt)

    exempel = sub.add_parser("exempel",
                             help="räkna det inbyggda syntetiska exemplet och visa prislistan")
    debug_flag(exempel)
    installera = sub.add_parser(
        "installera", help="förbered arbetsboken för den här Python-installationen",
        description="Skriver sökvägen till den här Python-installationen (pythonw.exe på Windows) "
        "och inställningarna för kalkylbladsfunktionerna på bladet xlwings.conf, efter att ha "
        "kontrollerat att installerad xlwings har samma version som arbetsbokens VBA-modul. "
        "Skriver en kopia; med --skriv-over skrivs arbetsboken själv (en kopia sparas som "
        "<namn>.bak.xlsm). Inget annat i arbetsboken ändras.")
    installera.add_argument("arbetsbok", nargs="?", metavar="ARBETSBOK",
                            help="arbetsboken att förbereda (standard: den som följer med xlkc)")
    inst_target = installera.add_mutually_exclusive_group()
    inst_target.add_argument("-o", "--ut", metavar="UT", default=None,
                             help="var kopian skrivs (standard: ./Prismodell.xlsm)")
    inst_target.add_argument("--skriv-over", action="store_true",
                             help="skriv i ARBETSBOK själv (en kopia sparas som <namn>.bak.xlsm)")
    debug_flag(installera)

    bygg = sub.add_parser("bygg", help="bygg arbetsboken Prismodell.xlsm med exemplets indata")
    bygg.add_argument("-o", "--utfil", metavar="SÖKVÄG", default=None,
                      help="var arbetsboken skrivs (standard: workbook/Prismodell.xlsm)")
    debug_flag(bygg)
    return parser
