"""Reconciliation: per contract and per show, what is invoiced, credited, paid, due and overdue.

Payments settle a contract's invoices oldest due date first; what an invoice still lacks after
that is open, and overdue once its due date has passed. A cancelled contract owes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from expo_crm.db import db
from expo_crm.exhibitors.models import Contract, ContractState, Payment
from expo_crm.exhibitors.services import money
from expo_crm.invoicing.models import DocumentKind, Invoice

ZERO = Decimal("0.00")


@dataclass
class InvoiceBalance:
    invoice: Invoice
    credited: Decimal
    paid: Decimal
    open: Decimal
    overdue: bool

    @property
    def net(self) -> Decimal:
        return money(self.invoice.amount) - self.credited


@dataclass
class ContractAccount:
    contract: Contract
    documents: list[Invoice]
    invoices: list[InvoiceBalance] = field(default_factory=list)
    invoiced: Decimal = ZERO
    credited: Decimal = ZERO
    paid: Decimal = ZERO
    due: Decimal = ZERO
    overdue: Decimal = ZERO

    @property
    def net_invoiced(self) -> Decimal:
        return self.invoiced - self.credited

    @property
    def not_invoiced(self) -> Decimal:
        if self.contract.state is not ContractState.signed:
            return ZERO
        return max(ZERO, money(self.contract.total_amount) - self.net_invoiced)

    @property
    def cancelled(self) -> bool:
        return self.contract.state is ContractState.cancelled


def _account(contract: Contract, documents: list[Invoice], paid: Decimal, today: date):
    account = ContractAccount(contract, documents, paid=paid)
    invoices = [d for d in documents if d.kind is DocumentKind.invoice]
    credits: dict[int, Decimal] = {}
    for note in documents:
        if note.kind is DocumentKind.credit_note:
            credits[note.credited_invoice_id] = credits.get(note.credited_invoice_id, ZERO) + money(
                note.amount
            )
    account.invoiced = sum((money(i.amount) for i in invoices), ZERO)
    account.credited = sum(credits.values(), ZERO)
    pool = paid
    for invoice in sorted(invoices, key=lambda i: (i.due_on or i.issued_on, i.id)):
        credited = credits.get(invoice.id, ZERO)
        net = money(invoice.amount) - credited
        settled = min(net, pool)
        pool -= settled
        open_amount = ZERO if account.cancelled else net - settled
        overdue = open_amount > 0 and invoice.due_on is not None and invoice.due_on < today
        account.invoices.append(InvoiceBalance(invoice, credited, settled, open_amount, overdue))
    account.due = sum((b.open for b in account.invoices), ZERO)
    account.overdue = sum((b.open for b in account.invoices if b.overdue), ZERO)
    return account


def _paid_by_contract(contract_ids: list[int]) -> dict[int, Decimal]:
    if not contract_ids:
        return {}
    rows = db.session.execute(
        sa.select(Payment.contract_id, sa.func.sum(Payment.amount))
        .where(Payment.contract_id.in_(contract_ids))
        .group_by(Payment.contract_id)
    )
    return {contract_id: money(total) for contract_id, total in rows}


def _documents_by_contract(contract_ids: list[int]) -> dict[int, list[Invoice]]:
    found: dict[int, list[Invoice]] = {cid: [] for cid in contract_ids}
    if contract_ids:
        for document in db.session.scalars(
            sa.select(Invoice).where(Invoice.contract_id.in_(contract_ids)).order_by(Invoice.id)
        ):
            found[document.contract_id].append(document)
    return found


def accounts_for(contracts: list[Contract], today: date) -> list[ContractAccount]:
    ids = [c.id for c in contracts]
    paid, documents = _paid_by_contract(ids), _documents_by_contract(ids)
    return [_account(c, documents[c.id], paid.get(c.id, ZERO), today) for c in contracts]


def contract_account(contract: Contract, today: date) -> ContractAccount:
    return accounts_for([contract], today)[0]


@dataclass
class ShowAccounts:
    accounts: list[ContractAccount]

    def total(self, name: str) -> Decimal:
        return sum((getattr(a, name) for a in self.accounts), ZERO)


def show_accounts(show_id: int, today: date) -> ShowAccounts:
    """Every contract of the show that was signed or has documents, by company name."""
    from expo_crm.exhibitors.models import Company

    has_documents = sa.select(Invoice.id).where(Invoice.contract_id == Contract.id).exists()
    contracts = list(
        db.session.scalars(
            sa.select(Contract)
            .join(Company, Company.id == Contract.company_id)
            .where(
                Contract.show_id == show_id,
                sa.or_(Contract.state == ContractState.signed, has_documents),
            )
            .order_by(Company.name_zh, Company.name_en, Contract.id)
        )
    )
    return ShowAccounts(accounts_for(contracts, today))


def company_accounts(company_id: int, today: date) -> list[ContractAccount]:
    """The company's contracts that have documents, newest first (the portal's invoices page)."""
    has_documents = sa.select(Invoice.id).where(Invoice.contract_id == Contract.id).exists()
    contracts = list(
        db.session.scalars(
            sa.select(Contract)
            .where(Contract.company_id == company_id, has_documents)
            .order_by(Contract.id.desc())
        )
    )
    return accounts_for(contracts, today)


def overdue_balances(show_id: int, today: date) -> list[InvoiceBalance]:
    """Open invoices of the show's live contracts whose due date has passed."""
    contracts = list(
        db.session.scalars(
            sa.select(Contract).where(
                Contract.show_id == show_id,
                Contract.state != ContractState.cancelled,
                sa.select(Invoice.id)
                .where(Invoice.contract_id == Contract.id, Invoice.due_on < today)
                .exists(),
            )
        )
    )
    return [b for a in accounts_for(contracts, today) for b in a.invoices if b.overdue]
