"""What staff and exhibitors read: invoice and credit note PDFs in Chinese and English, the
show's accounts, the accountant's workbook, and a cancelled contract with nothing outstanding."""

from __future__ import annotations

import io
import subprocess

from openpyxl import load_workbook

from expo_crm.db import db, writing
from expo_crm.exhibitors.contracts import cancel_contract
from expo_crm.invoicing.models import DocumentKind, Invoice
from tests.factories import (
    PASSWORD,
    create_company,
    create_contact,
    create_contract,
    create_invoice,
    create_issuer,
    create_portal_user,
    create_staff,
)
from tests.helpers import login, post_form, text_of


def _pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    result = subprocess.run(
        ["pdftotext", "-", "-"], input=response.data, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def _cancelled_with_credit_note():
    create_issuer()
    company = create_company(
        name_zh="华美五金有限公司", name_en="Huamei Hardware Co., Ltd.", tax_id="91350100M000100Y43"
    )
    create_contact(company, email="li@huamei.example", locale="zh", is_primary=True)
    contract = create_contract(company, area="18", price="1500", signed=True)
    invoice = create_invoice(contract)
    with writing():
        cancel_contract(contract, "展位调整")
        db.session.commit()
    note = db.session.query(Invoice).filter_by(kind=DocumentKind.credit_note).one()
    return company, contract, invoice, note


def test_invoice_and_credit_note_pdfs_read_back_in_chinese_and_english(app, client):
    _company, contract, invoice, note = _cancelled_with_credit_note()
    login(client, create_staff("sales").email, PASSWORD)
    zh = _pdf_text(client.get(f"/invoicing/documents/{invoice.id}/zh.pdf"))
    assert f"账单 {invoice.number}" in zh and "到期日" in zh
    assert "华美五金有限公司" in zh and "91350100M000100Y43" in zh
    assert "上海国际展览有限公司" in zh and "91310000MA1FL0000N" in zh
    assert "27,000.00" in zh and "1,528.30" in zh  # VAT included at 6 %
    en = _pdf_text(client.get(f"/invoicing/documents/{invoice.id}/en.pdf"))
    assert f"Invoice {invoice.number}" in en and "Huamei Hardware Co., Ltd." in en
    assert "Shanghai International Exhibition Co., Ltd." in en and "Due on" in en
    note_zh = _pdf_text(client.get(f"/invoicing/documents/{note.id}/zh.pdf"))
    assert f"贷项通知单 {note.number}" in note_zh and "合同取消" in note_zh
    assert invoice.number in note_zh and "−27,000.00" in note_zh and "展位调整" in note_zh
    note_en = _pdf_text(client.get(f"/invoicing/documents/{note.id}/en.pdf"))
    assert f"Credit note {note.number}" in note_en and "Contract cancelled" in note_en


def test_a_cancelled_contract_shows_nothing_outstanding_to_staff_or_exhibitor(app, client):
    company, contract, invoice, _note = _cancelled_with_credit_note()
    login(client, create_staff("sales").email, PASSWORD)
    overview = text_of(client.get(f"/invoicing/?show={contract.show_id}"))
    assert contract.number in overview
    detail = text_of(client.get(f"/invoicing/contracts/{contract.id}"))
    assert 'id="due">0.00<' in detail and 'id="overdue">0.00<' in detail
    client.post("/logout", data={})
    user = create_portal_user(company)
    post_form(client, "/portal/login", {"email": user.email, "password": PASSWORD})
    page = text_of(client.get("/portal/invoices"))
    assert invoice.number in page and "Nothing to pay: the contract is cancelled." in page
    assert "To pay" not in page


def test_the_accountants_workbook_lists_every_document_with_signed_amounts(app, client):
    _company, contract, invoice, note = _cancelled_with_credit_note()
    login(client, create_staff("sales").email, PASSWORD)
    response = client.get(f"/invoicing/shows/{contract.show_id}/invoices.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Number", "Kind", "Issued on")
    by_number = {row[0]: row for row in rows[1:]}
    assert by_number[invoice.number][7] == 27000 and by_number[note.number][7] == -27000
    assert by_number[note.number][9] == invoice.number


def test_another_companys_invoice_is_a_404_in_the_portal(app, client):
    _company, _contract, invoice, _note = _cancelled_with_credit_note()
    stranger = create_portal_user(create_company())
    post_form(client, "/portal/login", {"email": stranger.email, "password": PASSWORD})
    assert client.get(f"/portal/invoices/{invoice.id}/zh.pdf").status_code == 404
    assert invoice.number not in text_of(client.get("/portal/invoices"))
