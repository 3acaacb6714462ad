"""Finance staff at work: the organiser's details, an invoice, a receipt, a credit note, each
refusal said on the page; what another role may not do is a 403."""

from __future__ import annotations

import sqlalchemy as sa

from expo_crm.db import db, writing
from expo_crm.exhibitors.payments import record_payment
from expo_crm.invoicing.models import DocumentKind, Invoice, Issuer
from tests.factories import PASSWORD, create_contract, create_issuer, create_staff
from tests.helpers import csrf_from, login, post_form, text_of


def test_finance_enters_the_organiser_then_issues_invoice_receipt_and_credit_note(app, client):
    contract = create_contract(area="10", price="1000", signed=True)
    login(client, create_staff("sales").email, PASSWORD)
    page = f"/invoicing/contracts/{contract.id}"
    refused = post_form(client, f"{page}/invoices", {}, page=page, follow_redirects=True)
    assert "invoicing details first" in text_of(refused)

    saved = post_form(
        client,
        "/invoicing/organiser",
        {
            "code": "SIE",
            "name_zh": "上海国际展览有限公司",
            "name_en": "Shanghai International Exhibition Co., Ltd.",
            "tax_id": "91310000MA1FL0000N",
            "tax_rate": "0.06",
        },
    )
    assert saved.status_code == 303 and db.session.get(Issuer, 1).code == "SIE"

    issued = post_form(client, f"{page}/invoices", {"amount": "4000"}, page=page)
    assert issued.status_code == 303
    too_much = post_form(
        client, f"{page}/invoices", {"amount": "7000"}, page=page, follow_redirects=True
    )
    assert "at most 6,000.00" in text_of(too_much) or "at most 6000.00" in text_of(too_much)
    invoice = db.session.scalar(sa.select(Invoice).where(Invoice.kind == DocumentKind.invoice))
    assert invoice.number.startswith("SIE-INV-") and invoice.amount == 4000

    with writing():
        payment = record_payment(contract.id, "1500")
        db.session.commit()
    token = csrf_from(text_of(client.get(page)))
    receipt = client.post(f"/invoicing/payments/{payment.id}/receipt", data={"csrf_token": token})
    assert receipt.status_code == 303
    twice = client.post(
        f"/invoicing/payments/{payment.id}/receipt",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "was already issued" in text_of(twice)

    credited = post_form(
        client,
        f"/invoicing/documents/{invoice.id}/credit",
        {"reason": "金额有误"},
        page=page,
        follow_redirects=True,
    )
    assert "Credit note SIE-CN-" in text_of(credited)
    kinds = db.session.scalars(sa.select(Invoice.kind).order_by(Invoice.id)).all()
    assert kinds == [DocumentKind.invoice, DocumentKind.receipt, DocumentKind.credit_note]
    overview = text_of(client.get(f"/invoicing/?show={contract.show_id}"))
    assert contract.number in overview


def test_service_staff_read_invoices_but_issue_none(app, client):
    create_issuer()
    contract = create_contract(signed=True)
    login(client, create_staff("service").email, PASSWORD)
    page = f"/invoicing/contracts/{contract.id}"
    assert client.get(page).status_code == 200
    token = csrf_from(text_of(client.get("/invoicing/fapiao")))
    response = client.post(f"{page}/invoices", data={"csrf_token": token})
    assert response.status_code == 403
    assert client.get("/invoicing/organiser").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Invoice.id))) == 0
