"""In real Chromium: the exhibitor follows its return live during the show (ECharts chart and
the numbers beside it), then downloads its report; another exhibitor's report is a 404."""

import subprocess

from playwright.sync_api import expect

from expo_crm import clock
from expo_crm.db import db
from expo_crm.exhibitors.models import Contract
from tests.exhibitors.test_returns import _local, build_show
from tests.factories import PASSWORD, create_portal_user


def portal_sign_in(page, user) -> None:
    page.goto("/portal/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/portal/")


def contract_of(company, show) -> Contract:
    return db.session.scalar(
        db.select(Contract).where(Contract.company_id == company.id, Contract.show_id == show.id)
    )


def test_live_return_during_the_show_in_english(page, app):
    show, a, *_ = build_show()
    user = create_portal_user(a)
    clock.freeze(_local(3, 15))
    portal_sign_in(page, user)
    page.get_by_role("link", name="My return").click()
    expect(page.locator("#live-note")).to_contain_text("Live", use_inner_text=True)
    expect(page.locator("#figure-leads")).to_have_text("3", use_inner_text=True)
    expect(page.locator("#figure-qualified")).to_have_text("1", use_inner_text=True)
    expect(page.locator("#traffic-chart canvas")).to_have_count(1)
    expect(page.locator("#traffic-chart")).to_have_attribute("data-bars", "18")
    rows = page.locator("#traffic-table tbody tr")
    expect(rows).to_have_count(18)  # two open days so far, 9:00 to 17:00, empty hours too
    expect(rows.nth(1)).to_contain_text("06-02 10:00", use_inner_text=True)
    expect(rows.nth(1).locator("td.num")).to_have_text("2", use_inner_text=True)
    expect(rows.nth(0).locator("td.num")).to_have_text("0", use_inner_text=True)
    expect(page.locator("#no-history")).to_be_visible()
    expect(page.locator("#report-links")).to_have_count(0)
    response = page.goto(f"/portal/contracts/{contract_of(a, show).id}/return-en.pdf")
    assert response.url.endswith(f"/portal/returns?show={show.id}")
    expect(page.get_by_role("alert")).to_contain_text("once the show is over", use_inner_text=True)


def test_report_after_the_show_in_chinese_and_another_exhibitors_is_404(page, app, tmp_path):
    show, a, b, *_ = build_show()
    user = create_portal_user(a)
    user.locale = "zh"
    db.session.commit()
    portal_sign_in(page, user)
    page.goto(f"/portal/returns?show={show.id}")
    expect(page.locator("h1")).to_contain_text("我的参展效益", use_inner_text=True)
    expect(page.locator("#return-figures")).to_contain_text("合格线索", use_inner_text=True)
    expect(page.locator("#return-figures")).to_contain_text("已举行的洽谈\t0", use_inner_text=True)
    link = page.get_by_role("link", name="中文报告（PDF）")
    pdf = page.request.get(link.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.body())
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "参展效益" in text and "Alpha Tools" in text

    other = contract_of(b, show)
    response = page.goto(f"/portal/contracts/{other.id}/return-zh.pdf")
    assert response.status == 404
    response = page.goto(f"/portal/contracts/{other.id}/return-en.pdf")
    assert response.status == 404
