"""Excel in and out (openpyxl), CSV in."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from flask import Response


def xlsx_bytes(rows: Iterable[list], sheet: str = "Sheet1") -> bytes:
    from openpyxl import Workbook

    # write_only streams rows: ten thousand companies stay cheap in memory.
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(rows: Iterable[list], filename: str, sheet: str = "Sheet1") -> Response:
    response = Response(
        xlsx_bytes(rows, sheet),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class UnreadableFile(ValueError):
    pass


def read_rows(filename: str, content: bytes) -> Iterator[list]:
    """Rows of the first sheet of an .xlsx, or of a .csv (UTF-8, with or without BOM, or GB18030)."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as broken:
            raise UnreadableFile(str(broken)) from None
        worksheet = workbook.worksheets[0]
        for row in worksheet.iter_rows(values_only=True):
            yield list(row)
        workbook.close()
        return
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise UnreadableFile("encoding")
        if "\x00" in text:
            raise UnreadableFile("binary")
        try:
            # newline="" lets the csv module see bare carriage returns (old Mac and Excel exports).
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as broken:  # e.g. a field longer than the csv module's limit
            raise UnreadableFile(str(broken)) from None
        yield from rows
        return
    raise UnreadableFile("type")
