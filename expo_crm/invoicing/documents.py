"""The invoice, credit note or receipt as a PDF in its buyer's language, and the accountant's
workbook of a show's documents."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from expo_crm.db import db
from expo_crm.documents.pdf import render_pdf
from expo_crm.exhibitors.models import Company, Contract
from expo_crm.invoicing.accounts import invoice_balances, money_of_cents
from expo_crm.invoicing.models import DocumentKind, Invoice


def render_document_pdf(document: Invoice, language: str | None = None) -> bytes:
    language = language or document.language
    return render_pdf(
        "invoicing/document.html",
        language=language,
        pdf_language=language,
        document=document,
        issuer=document.issuer,
        kinds=DocumentKind,
    )


def pdf_filename(document: Invoice, language: str) -> str:
    return f"{document.number}-{language}.pdf"


def accountant_rows(show_id: int, today: date) -> tuple[list[str], list[list]]:
    """One row per document of the show, in the reader's language: numbers, amounts signed
    (credit notes negative), what is still open and overdue on each invoice. One query: the
    balances come from the database, the documents in the order of the show's accounts."""
    headers = [
        _("Number"),
        _("Kind"),
        _("Issued on"),
        _("Due on"),
        _("Contract"),
        _("Buyer"),
        _("Buyer tax id"),
        _("Amount (CNY)"),
        _("VAT included (CNY)"),
        _("Credits invoice"),
        _("Open (CNY)"),
        _("Overdue"),
    ]
    balances = invoice_balances(show_id, today)
    credited = aliased(Invoice)
    kinds = {kind: kind.label for kind in DocumentKind}
    yes, no = _("yes"), _("no")
    rows = []
    for document, contract_number, credited_number, open_cents, overdue in db.session.execute(
        sa.select(Invoice, Contract.number, credited.number, balances.c.open, balances.c.overdue)
        .join(Contract, Contract.id == Invoice.contract_id)
        .join(Company, Company.id == Contract.company_id)
        .outerjoin(credited, credited.id == Invoice.credited_invoice_id)
        .outerjoin(balances, balances.c.invoice_id == Invoice.id)
        .where(Contract.show_id == show_id)
        .order_by(Company.name_zh, Company.name_en, Contract.id, Invoice.id)
    ):
        sign = -1 if document.kind is DocumentKind.credit_note else 1
        is_invoice = document.kind is DocumentKind.invoice
        rows.append(
            [
                document.number,
                kinds[document.kind],
                document.issued_on,
                document.due_on,
                contract_number,
                document.buyer_name_zh or document.buyer_name_en,
                document.buyer_tax_id,
                sign * document.amount,
                sign * document.tax_included,
                credited_number or "",
                money_of_cents(open_cents) if is_invoice else None,
                (yes if overdue else no) if is_invoice else "",
            ]
        )
    return headers, rows
