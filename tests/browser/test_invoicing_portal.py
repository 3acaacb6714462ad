"""In real Chromium: an exhibitor finds its invoice in the portal, asks for a special VAT
fapiao, is told field by field what is missing, and sees the request; in Chinese and English."""

import pytest
from playwright.sync_api import expect

from expo_crm.db import db
from expo_crm.exhibitors.models import PortalUser
from tests.factories import (
    PASSWORD,
    VALID_TAX_ID,
    create_company,
    create_contract,
    create_invoice,
    create_issuer,
    create_portal_user,
)

TEXTS = {
    "en": {
        "nav": "Invoices",
        "to_pay": "To pay",
        "missing_bank": "Bank is required for a special VAT fapiao",
        "bad_tax_id": "The last character does not match the others",
        "sent": "your fapiao request has been sent",
        "requested": "Requested",
    },
    "zh": {
        "nav": "账单",
        "to_pay": "应付",
        "missing_bank": "开具专票须填写开户银行",
        "bad_tax_id": "校验位与前 17 位不符",
        "sent": "您的开票申请已提交财务",
        "requested": "已申请",
    },
}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_exhibitor_reads_its_invoice_and_requests_a_fapiao(page, app, language):
    texts = TEXTS[language]
    create_issuer()
    company = create_company("福州华美五金有限公司", "Fuzhou Huamei Hardware", tax_id=VALID_TAX_ID)
    invoice = create_invoice(create_contract(company, area="10", price="1000", signed=True))
    other = create_invoice(create_contract(signed=True))
    user = create_portal_user(company)
    db.session.get(PortalUser, user.id).locale = language
    db.session.commit()

    page.goto("/portal/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/portal/")
    page.get_by_role("link", name=texts["nav"], exact=True).first.click()
    page.wait_for_url("**/portal/invoices")
    body = page.locator("main")
    expect(body).to_contain_text(invoice.number, use_inner_text=True)
    expect(body).to_contain_text(texts["to_pay"] + " 10,000.00", use_inner_text=True)
    expect(body).not_to_contain_text(other.number, use_inner_text=True)

    form = page.locator("#fapiao-form")
    form.locator("select[name=kind]").select_option("special")
    expect(form.locator("input[name=title]")).to_have_value("福州华美五金有限公司")
    form.locator("input[name=tax_id]").fill("91350100M000100Y44")
    form.locator("input[name=address]").fill("福州市鼓楼区五四路 1 号")
    form.locator("input[name=phone]").fill("0591-87654321")
    form.locator("button[type=submit]").click()
    form = page.locator("#fapiao-form")
    expect(form.locator(".field-stringfield.has-error").first).to_be_visible()
    expect(form).to_contain_text(texts["bad_tax_id"], use_inner_text=True)
    expect(form).to_contain_text(texts["missing_bank"], use_inner_text=True)

    form.locator("input[name=tax_id]").fill(VALID_TAX_ID.lower())
    form.locator("input[name=bank]").fill("招商银行福州分行")
    form.locator("input[name=account]").fill("5919 0000 1234")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/portal/invoices*")
    expect(page.locator(".flash-success")).to_contain_text(texts["sent"], use_inner_text=True)
    expect(page.locator("#fapiao-requests")).to_contain_text(
        texts["requested"], use_inner_text=True
    )
    expect(page.locator("#fapiao-requests")).to_contain_text("福州华美五金有限公司")
    assert page.locator("#fapiao-form").count() == 0  # one open request per contract
    response = page.goto(f"/portal/invoices/{other.id}/en.pdf")
    assert response.status == 404
