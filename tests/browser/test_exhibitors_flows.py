"""In real Chromium: the organiser sells a booth end to end; the exhibitor uses its invitation and portal."""

import subprocess

from playwright.sync_api import expect

from expo_crm.db import db
from expo_crm.exhibitors import accounts
from expo_crm.exhibitors.booths import assigned_booths
from tests.factories import (
    create_booth,
    create_company,
    create_contact,
    create_contract,
    create_show,
    create_staff,
)
from tests.helpers import sign_in_page


def test_organiser_flow_company_application_booth_contract_payment(page, app, tmp_path):
    user = create_staff("sales", locale="en")
    show = create_show(name_en="Hardware Fair 2027")
    create_booth(show, number="W1-018", area="18", price="1500")
    sign_in_page(page, user.email)

    page.goto("/exhibitors/new")
    page.fill("input[name=name_zh]", "永康博力电动工具有限公司")
    page.fill("input[name=name_en]", "Yongkang Boli Power Tools Co., Ltd.")
    page.fill("input[name=tax_id]", "91330784MA2BOLI01")
    page.click("button[type=submit]")
    page.get_by_role("link", name="New application").click()
    page.select_option("select[name=show_id]", label="Hardware Fair 2027")
    page.fill("input[name=requested_area_m2]", "18")
    page.click("button[type=submit]")
    expect(page.locator("#application-state")).to_have_text("Submitted", use_inner_text=True)

    page.select_option("#move-form select[name=state]", "approved")
    page.fill("#move-form textarea[name=reason]", "Returning exhibitor, documents complete")
    page.click("#move-form button[type=submit]")
    expect(page.locator("#application-state")).to_have_text("Approved", use_inner_text=True)
    expect(page.locator("#history")).to_contain_text("Returning exhibitor", use_inner_text=True)

    page.click("#assign-form button[type=submit]")
    expect(page.locator("#booths")).to_contain_text("W1-018", use_inner_text=True)
    page.fill("#contract-form input[name=discount]", "500")
    page.click("#contract-form button[type=submit]")
    page.click("#sign")
    expect(page.locator("#contract-state")).to_have_text("Signed", use_inner_text=True)

    href = page.locator("#pdf-zh").get_attribute("href")
    pdf = page.request.get(href)
    assert pdf.status == 200
    path = tmp_path / "contract.pdf"
    path.write_bytes(pdf.body())
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "永康博力电动工具有限公司" in text

    page.fill("#payment-form input[name=amount]", "30000")
    page.click("#payment-form button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text(
        "more than the outstanding balance", use_inner_text=True
    )
    page.fill("#payment-form input[name=amount]", "10000")
    page.click("#payment-form button[type=submit]")
    expect(page.locator("#outstanding")).to_contain_text("16,500.00", use_inner_text=True)
    expect(page.locator("#payments")).to_contain_text("10,000.00", use_inner_text=True)


def test_portal_flow_invitation_password_own_records_only(page, app):
    contract = create_contract(
        create_company("佛山华美卫浴五金有限公司", "Foshan Huamei Sanitary"), signed=True
    )
    other = create_contract(signed=True)
    contact = create_contact(
        contract.company, email="li.na@huamei.example", name="李娜", is_primary=True
    )
    token = accounts.invite_contact(contact)
    db.session.commit()
    booth = assigned_booths(contract.company_id, contract.show_id)[0]

    page.goto(
        f"/exhibitors/portal/welcome/{token}"
    )  # the address invitations carried before /portal
    page.fill("input[name=password]", "huamei-portal-2026")
    page.fill("input[name=confirm]", "huamei-portal-2026")
    page.click("button[type=submit]")
    page.wait_for_url("**/portal/")
    expect(page.locator("#booth")).to_contain_text(booth.number, use_inner_text=True)
    expect(page.locator("#contract")).to_contain_text(contract.number, use_inner_text=True)
    checklist = page.locator("#checklist").inner_text()
    assert "Catalogue entry" in checklist and "Fascia name" in checklist

    page.fill("#content-fascia_name", "HUAMEI 华美")
    page.locator("#content-fascia_name").locator("xpath=..").locator("button").click()
    expect(page.locator("#checklist")).to_contain_text("HUAMEI 华美", use_inner_text=True)

    response = page.goto(f"/portal/contracts/{other.id}/contract-zh.pdf")
    assert response.status == 404
    response = page.goto(f"/portal/?show={other.show_id}")
    assert response.status == 404

    page.goto(f"/portal/welcome/{token}")
    expect(page.locator("#invitation-problem")).to_contain_text(
        "already been used", use_inner_text=True
    )
