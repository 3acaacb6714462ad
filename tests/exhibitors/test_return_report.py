"""The post-show report PDF, read back with pdftotext in Chinese and English; the organiser's
table and its export."""

import subprocess
from datetime import UTC, datetime

import pytest

from expo_crm import clock
from expo_crm.db import db
from expo_crm.exhibitors import leads, return_report, returns
from tests.exhibitors.test_returns import _local, build_show
from tests.factories import create_company, create_contract, create_registration


@pytest.fixture(autouse=True)
def _english(app):
    from flask_babel import force_locale

    with force_locale("en"):
        yield


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def test_the_report_reads_back_in_english_and_chinese():
    show, a, _b, _c, d = build_show()
    english = pdf_text(return_report.render_report_pdf(a, show, "en"))
    assert "Return on exhibiting" in english and "Alpha Tools" in english
    assert "Booth traffic: badges scanned 3" in english
    assert "Qualified leads 1" in english
    assert "Meetings held 0" in english  # matchmaking runs; none were held
    assert "Cost (CNY) 18,000.00" in english
    assert "Cost per lead (CNY) 6,000.00" in english
    assert "Cost per qualified lead (CNY) 18,000.00" in english
    assert (
        "median 13,500.00 CNY per qualified lead; you: 1.3× the median, percentile 100 of 2"
        in english
    )
    assert "Booth traffic by hour" in english and "Your satisfaction (1–5) 4.50" in english
    chinese = pdf_text(return_report.render_report_pdf(a, show, "zh"))
    assert "参展效益" in chinese and "合格线索" in chinese
    assert "18,000.00" in chinese and "不适用" not in chinese

    # Delta named no staff and scanned nobody: the report says so, with no cost per lead.
    empty = pdf_text(return_report.render_report_pdf(d, show, "en"))
    assert "No staff badges were named for this show" in empty
    assert "No visitor badge was scanned at your booth" in empty
    assert "Cost per lead (CNY) no leads" in empty
    empty_zh = pdf_text(return_report.render_report_pdf(d, show, "zh"))
    assert "没有" in empty_zh


def test_a_report_for_a_show_not_over_is_refused():
    show, a, *_ = build_show()
    clock.freeze(_local(3, 12))
    with pytest.raises(returns.ReturnError):
        return_report.render_report_pdf(a, show, "en")


def test_a_long_chinese_name_and_many_leads_still_render():
    show, *_ = build_show()
    clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
    name = "浙江省宁波市北仑区超长名称五金工具制造与国际贸易集团股份有限公司" * 3
    company = create_company(name_zh=name[:200], name_en="N" * 190 + " Co., Ltd.")
    contract = create_contract(company, show, signed=True)
    clock.freeze(_local(2, 10))
    for n in range(120):
        _registration, code = create_registration(
            show, name=f"访客{n}号", company="宁波五金贸易公司", commit=False
        )
        leads.record_lead(contract, code, 4)
    db.session.commit()
    clock.freeze(_local(8, 9))
    text = pdf_text(return_report.render_report_pdf(company, show, "zh"))
    assert "浙江省宁波市北仑区" in text
    assert "访客0号" in text and "访客119号" in text
    assert "(120)" in text


def test_the_organiser_table_sorts_and_exports():
    show, a, b, c, d = build_show()
    by_cost = return_report.organiser_rows(show, "cost_per_qualified")
    assert [r.company_id for r in by_cost] == [b.id, a.id, c.id, d.id]
    by_leads = return_report.organiser_rows(show, "leads", descending=True)
    assert [r.company_id for r in by_leads][:3] == [a.id, b.id, c.id]
    headers, rows = return_report.organiser_table(show)
    assert headers[0] == "Exhibitor" and len(rows) == 4


def test_the_plan_sends_each_exhibitor_its_report_link_once_three_days_after_the_show():
    from expo_crm.mail.models import OutboxMessage
    from expo_crm.scheduler import services as plan
    from tests.factories import create_contact, run_due_at

    show, a, b, *_ = build_show()
    create_contact(a, email="boss@alpha.example", locale="zh", is_primary=True)
    create_contact(b, email="boss@beta.example", locale="en", is_primary=True)
    plan.ensure_plan(show)
    db.session.commit()

    def report_mails():
        return db.session.scalars(
            db.select(OutboxMessage)
            .where(OutboxMessage.template == "exhibitors/return_report")
            .order_by(OutboxMessage.to_address)
        ).all()

    run_due_at(_local(6, 11))  # two days after the last open day: not yet
    assert report_mails() == []
    run_due_at(_local(7, 11))
    run_due_at(_local(7, 12))
    mails = report_mails()
    assert [m.to_address for m in mails] == ["boss@alpha.example", "boss@beta.example"]
    alpha, beta = mails
    assert alpha.language == "zh" and "参展效益" in alpha.subject
    assert f"/portal/returns?show={show.id}" in alpha.body_text
    assert "Badges scanned at your booth: 2, of which qualified leads: 2." in beta.body_text
    assert "Cost per qualified lead: 9,000.00 CNY." in beta.body_text


def test_the_organiser_page_sorts_by_a_column_and_exports_to_excel(app):
    import io
    import re

    from openpyxl import load_workbook

    from tests.factories import create_staff
    from tests.helpers import login, text_of

    show, a, b, c, d = build_show()
    client = app.test_client()
    login(client, create_staff("service").email)
    page = text_of(client.get(f"/exhibitors/returns?show={show.id}&sort=cost_per_qualified"))
    names = re.findall(r"(Alpha Tools|Beta Locks|Gamma Bolts|Delta Taps)", page)
    assert names[:4] == ["Beta Locks", "Alpha Tools", "Gamma Bolts", "Delta Taps"]
    assert "not applicable" not in page  # matchmaking runs: meetings are counted
    page = text_of(client.get(f"/exhibitors/returns?show={show.id}&sort=leads&desc=1"))
    assert re.findall(r"(Alpha Tools|Beta Locks|Gamma Bolts)", page)[:3] == [
        "Alpha Tools",
        "Beta Locks",
        "Gamma Bolts",
    ]
    export = client.get(f"/exhibitors/returns.xlsx?show={show.id}")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Exhibitor", "Hall", "Category", "Staff badges", "Leads")
    alpha = next(r for r in rows if r[0] == "Alpha Tools")
    assert alpha[1:5] == ("W1", "五金工具", 2, 3) and alpha[12] == 18000
    pdf = client.get(
        f"/exhibitors/contracts/{return_report.returns.company_return(a.id, show).contract_id}/return-en.pdf"
    )
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
