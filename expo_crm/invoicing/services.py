"""Issuing invoices, credit notes and receipts; the organiser's invoicing details.

Every issue runs in the caller's writing transaction (a POST request, or a job inside
`db.writing()`): the number, the document and the audit entry commit together or not at all."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from expo_crm import audit, clock
from expo_crm.db import db
from expo_crm.errors import UserError
from expo_crm.exhibitors.models import Company, Contract, ContractState, Payment
from expo_crm.exhibitors.services import money
from expo_crm.invoicing.models import CreditCause, DocumentKind, Invoice, Issuer
from expo_crm.invoicing.numbering import format_number, next_sequence

PAYMENT_TERM_DAYS = 14


class InvoicingError(UserError):
    """An invoicing action refused; str(error) is a message for the user."""


# --- the organiser's details -------------------------------------------------------------------


def current_issuer() -> Issuer | None:
    return db.session.get(Issuer, 1)


def save_issuer(**values) -> Issuer:
    issuer = current_issuer()
    before = audit.snapshot(issuer, *values) if issuer else None
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    for required in ("code", "name_zh", "name_en", "tax_id"):
        if not values.get(required):
            raise InvoicingError(_("Give the organiser's code, names and tax id."))
    if issuer is None:
        issuer = Issuer(id=1)
        db.session.add(issuer)
    elif issuer.code != values["code"] and _has_documents():
        raise InvoicingError(_("The code is part of every number issued and cannot change."))
    for key, value in values.items():
        setattr(issuer, key, value)
    db.session.flush()
    audit.record("invoicing.issuer", issuer, before, audit.snapshot(issuer, *values))
    return issuer


def _has_documents() -> bool:
    return db.session.scalar(sa.select(Invoice.id).limit(1)) is not None


def _require_issuer() -> Issuer:
    issuer = current_issuer()
    if issuer is None:
        raise InvoicingError(_("Enter the organiser's invoicing details first."))
    return issuer


def organiser_today() -> date:
    return clock.now().astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


# --- what has been invoiced --------------------------------------------------------------------


def documents_of_contract(contract_id: int) -> list[Invoice]:
    return list(
        db.session.scalars(
            sa.select(Invoice).where(Invoice.contract_id == contract_id).order_by(Invoice.id)
        )
    )


def credited_amounts(invoice_ids: list[int]) -> dict[int, Decimal]:
    if not invoice_ids:
        return {}
    rows = db.session.execute(
        sa.select(Invoice.credited_invoice_id, sa.func.sum(Invoice.amount))
        .where(Invoice.credited_invoice_id.in_(invoice_ids))
        .group_by(Invoice.credited_invoice_id)
    )
    return {invoice_id: money(total) for invoice_id, total in rows}


def net_invoiced(contract_id: int) -> Decimal:
    """Invoiced minus credited on the contract."""
    amounts = dict(
        db.session.execute(
            sa.select(Invoice.kind, sa.func.sum(Invoice.amount))
            .where(Invoice.contract_id == contract_id)
            .group_by(Invoice.kind)
        ).all()
    )
    return money(amounts.get(DocumentKind.invoice)) - money(amounts.get(DocumentKind.credit_note))


# --- issuing -----------------------------------------------------------------------------------


def _locked_contract(contract_id: int) -> Contract:
    contract = db.session.scalar(
        sa.select(Contract).where(Contract.id == contract_id).with_for_update()
    )
    if contract is None:
        raise InvoicingError(_("No such contract."))
    return contract


def _language_of(company: Company) -> str:
    contact = company.primary_contact
    return contact.locale if contact is not None and contact.locale in ("zh", "en") else "zh"


def _issue(
    kind: DocumentKind, contract: Contract, amount: Decimal, issued_by_id: int | None, **values
) -> Invoice:
    issuer = _require_issuer()
    today = organiser_today()
    sequence = next_sequence(issuer.id, kind, today.year)
    company = contract.company
    document = Invoice(
        issuer_id=issuer.id,
        kind=kind,
        year=today.year,
        sequence=sequence,
        number=format_number(issuer.code, kind, today.year, sequence),
        contract_id=contract.id,
        company_id=contract.company_id,
        show_id=contract.show_id,
        amount=amount,
        tax_rate=issuer.tax_rate,
        issued_at=clock.now(),
        issued_on=today,
        language=values.pop("language", None) or _language_of(company),
        buyer_name_zh=company.name_zh,
        buyer_name_en=company.name_en,
        buyer_tax_id=company.tax_id or "",
        buyer_address=" ".join(p for p in (company.province, company.city) if p),
        issued_by_id=issued_by_id,
        **values,
    )
    db.session.add(document)
    db.session.flush()
    audit.record(
        f"invoicing.{kind.value}",
        document,
        after={"number": document.number, "amount": amount, "contract_id": contract.id},
    )
    return document


def issue_invoice(
    contract_id: int,
    *,
    amount=None,
    due_on: date | None = None,
    language: str | None = None,
    issued_by_id: int | None = None,
) -> Invoice:
    """An invoice for what the contract's total leaves uninvoiced (or part of it: a deposit)."""
    contract = _locked_contract(contract_id)
    if contract.state is not ContractState.signed:
        raise InvoicingError(_("Only a signed contract is invoiced."))
    open_amount = money(contract.total_amount) - net_invoiced(contract.id)
    if open_amount <= 0:
        raise InvoicingError(_("Everything on this contract has been invoiced."))
    value = open_amount if amount in (None, "") else money(amount)
    if value <= 0 or value > open_amount:
        raise InvoicingError(
            _(
                "The invoice amount must be more than 0 and at most %(open)s, what is not yet invoiced.",
                open=open_amount,
            )
        )
    today = organiser_today()
    if due_on is None:
        due_on = max(contract.balance_due or today, today + timedelta(days=PAYMENT_TERM_DAYS))
    if due_on < today:
        raise InvoicingError(_("The due date cannot be in the past."))
    return _issue(
        DocumentKind.invoice,
        contract,
        value,
        issued_by_id,
        due_on=due_on,
        language=language,
    )


def credit_invoice(
    invoice_id: int,
    cause: CreditCause,
    reason: str = "",
    amount=None,
    issued_by_id: int | None = None,
) -> Invoice:
    """A credit note against one invoice, for what is left of it (or less)."""
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None or invoice.kind is not DocumentKind.invoice:
        raise InvoicingError(_("Only an invoice can be credited."))
    _locked_contract(invoice.contract_id)
    left = money(invoice.amount) - credited_amounts([invoice.id]).get(invoice.id, Decimal(0))
    value = left if amount is None else money(amount)
    if left <= 0:
        raise InvoicingError(_("This invoice has been credited in full."))
    if value <= 0 or value > left:
        raise InvoicingError(_("A credit note is for at most what is left of the invoice."))
    if cause is CreditCause.corrected and not (reason or "").strip():
        raise InvoicingError(_("Give a reason for the credit note."))
    return _issue(
        DocumentKind.credit_note,
        invoice.contract,
        value,
        issued_by_id,
        credited_invoice_id=invoice.id,
        credit_cause=cause,
        reason=(reason or "").strip(),
        language=invoice.language,
    )


def credit_down_to(
    contract: Contract, target: Decimal, cause: CreditCause, reason: str = ""
) -> list:
    """Credit notes, newest invoice first, until no more than `target` stays invoiced."""
    excess = net_invoiced(contract.id) - money(target)
    notes = []
    if excess <= 0:
        return notes
    invoices = [
        d for d in reversed(documents_of_contract(contract.id)) if d.kind is DocumentKind.invoice
    ]
    credited = credited_amounts([i.id for i in invoices])
    for invoice in invoices:
        left = money(invoice.amount) - credited.get(invoice.id, Decimal(0))
        if left <= 0:
            continue
        value = min(left, excess)
        notes.append(credit_invoice(invoice.id, cause, reason, value))
        excess -= value
        if excess <= 0:
            break
    return notes


def issue_receipt(payment_id: int, issued_by_id: int | None = None) -> Invoice:
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        raise InvoicingError(_("No such payment."))
    contract = _locked_contract(payment.contract_id)
    existing = db.session.scalar(sa.select(Invoice).where(Invoice.payment_id == payment.id))
    if existing is not None:
        raise InvoicingError(_("Receipt %(number)s was already issued.", number=existing.number))
    return _issue(
        DocumentKind.receipt, contract, money(payment.amount), issued_by_id, payment_id=payment.id
    )


def get_document_or_404(document_id: int) -> Invoice:
    return db.get_or_404(Invoice, document_id)
