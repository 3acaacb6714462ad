"""Excel export shared by every list: rows in, an .xlsx workbook (or a download response) out."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Text that a spreadsheet would run as a formula (CSV/formula injection) starts with one of these.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# An international phone number ("+86 138 0013 8000") starts with "+" but cannot carry a formula.
PHONE_NUMBER = re.compile(r"\+[0-9][0-9 \-]*")


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
    text = str(value)
    if text.startswith(FORMULA_PREFIXES) and not PHONE_NUMBER.fullmatch(text):
        return "'" + text
    return text


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], *, title: str = "Sheet1") -> bytes:
    """One sheet: a bold header row, then the rows; columns sized to their content."""
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = (str(title) or "Sheet1")[:31]
    sheet.append([str(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) for h in headers]
    for row in rows:
        values = [cell_value(v) for v in row]
        sheet.append(values)
        for i, value in enumerate(values[: len(widths)]):
            widths[i] = max(widths[i], min(60, len(str(value)) if value is not None else 0))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width + 2
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence], *, title: str = "Sheet1"
) -> Response:
    """A download of the workbook; filename without extension (non-ASCII names are fine)."""
    name = filename if filename.endswith(".xlsx") else f"{filename}.xlsx"
    ascii_name = name.encode("ascii", "ignore").decode() or "export.xlsx"
    response = Response(xlsx_bytes(headers, rows, title=title), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    return response
