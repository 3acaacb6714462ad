"""The invoice, credit note or receipt as a PDF in its buyer's language, and the accountant's
workbook of a show's documents."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from expo_crm.documents.pdf import render_pdf
from expo_crm.invoicing.accounts import show_accounts
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
    (credit notes negative), what is still open and overdue on each invoice."""
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
    rows = []
    for account in show_accounts(show_id, today).accounts:
        balances = {b.invoice.id: b for b in account.invoices}
        for document in account.documents:
            sign = -1 if document.kind is DocumentKind.credit_note else 1
            balance = balances.get(document.id)
            rows.append(
                [
                    document.number,
                    document.kind.label,
                    document.issued_on,
                    document.due_on,
                    account.contract.number,
                    document.buyer_name_zh or document.buyer_name_en,
                    document.buyer_tax_id,
                    sign * document.amount,
                    sign * document.tax_included,
                    document.credited_invoice.number if document.credited_invoice else "",
                    balance.open if balance else None,
                    (_("yes") if balance.overdue else _("no")) if balance else "",
                ]
            )
    return headers, rows
