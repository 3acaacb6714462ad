"""Reading uploaded spreadsheets (.xlsx, .csv) within limits of what the file really holds.

An upload is hostile until read: its size is capped before parsing, an .xlsx is refused when
its members would unpack past a limit (a zip bomb) before openpyxl opens it, the dimension an
.xlsx declares is ignored (a forged A1:XFD1048576 would make openpyxl pad a million rows of
16,384 cells), and reading stops with a plain message at the row and column limits. CSV is
read as UTF-8 (with or without BOM) or else GB18030, the encoding of Chinese Excel.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask_babel import gettext as _

from expo_crm.errors import UserError

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
# An honest 20,000-row sheet unpacks to ~15 MB of XML; a zip bomb to gigabytes.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_ZIP_MEMBERS = 200
MAX_ROWS = 20_000
MAX_COLUMNS = 60
EXTENSIONS = (".xlsx", ".csv")


class UnreadableFile(UserError):
    """The upload cannot be read as a table; str(error) tells the user why."""


def _unreadable() -> UnreadableFile:
    return UnreadableFile(
        _("The file could not be read. Upload an Excel file (.xlsx) or a CSV file (.csv).")
    )


def _too_many_rows(max_rows: int) -> UnreadableFile:
    return UnreadableFile(
        _("The file has more than %(max)d rows. Split it into smaller files.", max=max_rows)
    )


def _too_many_columns(max_columns: int) -> UnreadableFile:
    return UnreadableFile(
        _(
            "The file has more than %(max)d columns. Keep only the columns to import.",
            max=max_columns,
        )
    )


def read_rows(
    filename: str, content: bytes, *, max_rows: int = MAX_ROWS, max_columns: int = MAX_COLUMNS
) -> Iterator[list]:
    """The rows of the first sheet, the header included, blank rows too (so that positions are
    line numbers); each row has at most max_columns cells. Raises UnreadableFile, also part way
    through, when the file passes max_rows rows after the header or max_columns columns."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise UnreadableFile(
            _(
                "The file is larger than %(mb)d MB. Split it into smaller files.",
                mb=MAX_UPLOAD_BYTES // (1024 * 1024),
            )
        )
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(content, max_columns)
    elif name.endswith(".csv"):
        rows = _csv_rows(content)
    else:
        raise _unreadable()
    for position, row in enumerate(rows):
        if position > max_rows:
            raise _too_many_rows(max_rows)
        if len(row) > max_columns:
            if any(value not in (None, "") for value in row[max_columns:]):
                raise _too_many_columns(max_columns)
            row = row[:max_columns]
        yield row


def _check_unpacked_size(content: bytes) -> None:
    """Sizes from the zip's directory: zipfile stops any member at its declared size, so a
    member cannot unpack to more than is counted here."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    # NotImplementedError: a damaged directory can claim a zip version or method zipfile lacks.
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        raise _unreadable() from None
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise UnreadableFile(
            _(
                "The file unpacks to more than %(mb)d MB. Split it into smaller files.",
                mb=MAX_UNPACKED_BYTES // (1024 * 1024),
            )
        )


def _xlsx_rows(content: bytes, max_columns: int) -> Iterator[list]:
    from openpyxl import load_workbook

    _check_unpacked_size(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises whatever its parsers meet in a broken file
        raise _unreadable() from None
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        if not hasattr(sheet, "reset_dimensions"):  # a chart sheet
            return
        # Read the cells that are there, not the range the file claims to have.
        sheet.reset_dimensions()
        # One column past the limit: a value there means the file is too wide.
        try:
            for row in sheet.iter_rows(max_col=max_columns + 1, values_only=True):
                yield list(row)
        except Exception:
            raise _unreadable() from None
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> Iterator[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _unreadable()
    if "\x00" in text:
        raise _unreadable()
    try:
        # newline="" lets the csv module see bare carriage returns (old Mac and Excel exports).
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error:  # e.g. a field longer than the csv module's limit
        raise _unreadable() from None


# --- checking an import: the shape both importers report in ----------------------------------


def header_key(title) -> str:
    """A header compared without case, spaces, _ or -."""
    return "".join(ch for ch in str(title or "").strip().lower() if ch not in " _-")


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass
class RowResult:
    line: int
    values: dict
    action: str = ""  # "create" | "update" (exhibitors) | "register" | "existing" (visitors)
    existing_id: int | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportCheck:
    """Every row checked, nothing written; an import writes only when `ok` (all or nothing)."""

    rows: list[RowResult] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def row_errors(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.row_errors and bool(self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.errors)


def read_columns(
    result: ImportCheck,
    filename: str,
    content: bytes,
    lookup: dict[str, str],
    known: list[str],
    *,
    needs: tuple[tuple[tuple[str, ...], str], ...] = (),
    max_rows: int = MAX_ROWS,
) -> Iterator[tuple[int, dict]]:
    """The data rows as (line number, {column: raw value}), blank rows skipped. Problems with
    the file itself (unreadable, too large, unknown or repeated columns, none of a needed set
    of columns: `needs` holds (columns, message) pairs) go to result.file_errors, and then no
    row is given (and rows already given are dropped)."""
    rows = read_rows(filename, content, max_rows=max_rows)
    try:
        header = next(rows, None)
        if header is None:
            result.file_errors.append(_("The file is empty."))
            return
        columns: list[str | None] = []
        for position, title in enumerate(header, start=1):
            if text(title) == "":
                columns.append(None)
                continue
            column = lookup.get(header_key(title))
            if column is None:
                result.file_errors.append(
                    _(
                        "Column %(n)d “%(title)s” is not known. Known columns: %(known)s.",
                        n=position,
                        title=text(title),
                        known=", ".join(known),
                    )
                )
            elif column in columns:
                result.file_errors.append(
                    _("The column “%(title)s” appears twice.", title=text(title))
                )
            columns.append(column)
        for any_of, message in needs:
            if not any(column in columns for column in any_of):
                result.file_errors.append(message)
        if result.file_errors:
            return
        for line, raw in enumerate(rows, start=2):
            if all(text(v) == "" for v in raw):
                continue
            yield line, {c: raw[i] if i < len(raw) else None for i, c in enumerate(columns) if c}
    except UnreadableFile as unreadable:
        result.rows = []
        result.file_errors.append(str(unreadable))
