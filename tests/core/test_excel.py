"""The shared Excel export keeps what people typed and defuses what a spreadsheet would run."""

import io

from openpyxl import load_workbook

from expo_crm.documents.excel import xlsx_bytes


def _cells(*values):
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["value"], [[v] for v in values]))).active
    return [row[0] for row in sheet.iter_rows(min_row=2)]


def test_text_a_spreadsheet_would_run_as_a_formula_is_kept_as_text():
    cells = _cells('=HYPERLINK("http://x.example")', "+SUM(A1:A9)", "-1+2", "@cmd")
    assert [c.value for c in cells] == [
        '=HYPERLINK("http://x.example")',
        "+SUM(A1:A9)",
        "-1+2",
        "@cmd",
    ]
    assert all(c.data_type == "s" for c in cells)


def test_an_international_phone_number_is_shown_as_typed():
    cells = _cells("+86 138 0013 8000", "+49-30-1234567")
    assert [c.value for c in cells] == ["+86 138 0013 8000", "+49-30-1234567"]
    assert all(c.data_type == "s" for c in cells)
