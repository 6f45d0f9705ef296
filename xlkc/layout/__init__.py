"""The workbook's layout, defined once.

Every sheet of ``Prismodell.xlsm``: its Swedish name, purpose, the Excel Tables on it (columns with
Swedish headers, code field, kind, unit, number format, allowed values) and its named cells. The
builder, the reader, the writer and the tests use this module; nothing else hard-codes a sheet name,
a header or a cell address.

Geometry (all 1-based Excel rows/columns):

- row 1 the sheet title, row 2 its purpose, row 3 a note (outputs: "Fylls av Beräkna priser ...",
  after a run the price year and the run's time);
- every table's header row is :data:`HEADER_ROW`, its first data row the one below it; the header
  row is frozen;
- the named-cell block of a sheet (``Sheet.named_cells``) starts at ``Sheet.named_cells_origin``:
  a header row (Parameter, Värde, Enhet, Förklaring), then one row per named cell with its value
  in the second column;
- tables sit side by side from ``Sheet.first_table_col``, one empty column between them; an
  output table with additive columns has its totals row one empty row below its last data row
  (``totals_row``), outside the Excel Table.

Values in a column are ``to_code``/``to_sheet`` converted by ``Column.scale``: the dataclass holds
``aht_s`` (seconds), the sheet shows minutes (``scale=60``): ``code = sheet * scale``.

The package is split along the layout's own lines: :mod:`~xlkc.layout.core` (formats, Column,
Table, NamedCell, Chart, Sheet, A1 helpers, shared column makers), :mod:`~xlkc.layout.input_tables`
(input tables, parameter and status cells), :mod:`~xlkc.layout.output_tables` (output tables, run
log, charts) and :mod:`~xlkc.layout.sheets` (the sheets in order, Start, xlwings.conf, lookups).
Everything is re-exported here: ``from xlkc import layout as L; L.T_SERVICES``.
"""

from xlkc.layout.core import *  # noqa: F403
from xlkc.layout.input_tables import *  # noqa: F403
from xlkc.layout.output_tables import *  # noqa: F403
from xlkc.layout.sheets import *  # noqa: F403
from xlkc.layout.version_tables import *  # noqa: F403
