"""The shared Excel export keeps what people typed and defuses what a spreadsheet would run."""

from expo_crm.documents.excel import cell_value


def test_text_a_spreadsheet_would_run_as_a_formula_is_kept_as_text():
    assert cell_value('=HYPERLINK("http://x.example")').startswith("'")
    assert cell_value("+SUM(A1:A9)") == "'+SUM(A1:A9)"
    assert cell_value("-1+2") == "'-1+2"


def test_an_international_phone_number_is_shown_as_typed():
    assert cell_value("+86 138 0013 8000") == "+86 138 0013 8000"
    assert cell_value("+49-30-1234567") == "+49-30-1234567"
