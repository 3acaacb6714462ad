"""The one spreadsheet writer of every export: rows in, an .xlsx workbook or a CSV text out.

What people typed is data, never a formula: a text that a spreadsheet would run (it starts
with = + - @, a tab or a carriage return) is stored as text. In .xlsx the cell is a string
cell with Excel's quote prefix, so the text shows unchanged and stays text when edited; CSV
has no cell types, so the text gets a leading apostrophe there (OWASP's CSV-injection advice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from itertools import chain, islice
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Text that a spreadsheet would run as a formula (CSV/formula injection) starts with one of these.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Column widths are measured on the first rows; the rest stream through.
WIDTH_SAMPLE = 200


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def cell_value(value):
    """A value openpyxl can store: aware datetimes lose their zone, enums show their label."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(getattr(value, "label", value.value))
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, bool | int | float | Decimal | date):
        return value
    return str(value)


def csv_value(value) -> str:
    """A CSV field: formula-like text gets a leading apostrophe, numbers stay numbers."""
    value = cell_value(value)
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if not isinstance(value, str):
        return str(value)  # a number, even a negative one, is no formula
    return "'" + value if looks_like_formula(value) else value


def _xlsx_cell(sheet, value):
    value = cell_value(value)
    if not looks_like_formula(value):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"  # openpyxl took the leading "=" for a formula
    cell.quotePrefix = True
    return cell


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], *, title: str = "Sheet1") -> bytes:
    """One sheet: a bold header row, then the rows, streamed (write-only) so ten thousand
    companies stay cheap; columns sized to the header and the first rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet((str(title) or "Sheet1")[:31])
    rows = iter(rows)
    sample = [[cell_value(v) for v in row] for row in islice(rows, WIDTH_SAMPLE)]
    widths = [len(str(h)) for h in headers]
    for row in sample:
        for i, value in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], min(60, len(str(value)) if value is not None else 0))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width + 2
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, str(header))
        cell.data_type = "s"
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in chain(sample, rows):
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(headers: Sequence[str], rows: Iterable[Sequence]) -> str:
    """A header line, then the rows; formula-like text neutralised (see the module's note)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_value(h) for h in headers])
    writer.writerows([csv_value(v) for v in row] for row in rows)
    return out.getvalue()


def _attachment(response: Response, name: str, fallback: str) -> Response:
    ascii_name = name.encode("ascii", "ignore").decode() or fallback
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    return response


def xlsx_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence], *, title: str = "Sheet1"
) -> Response:
    """A download of the workbook; filename with or without extension (non-ASCII is fine)."""
    name = filename if filename.endswith(".xlsx") else f"{filename}.xlsx"
    response = Response(xlsx_bytes(headers, rows, title=title), mimetype=XLSX_MIMETYPE)
    return _attachment(response, name, "export.xlsx")
