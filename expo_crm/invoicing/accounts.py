"""Reconciliation: per contract and per show, what is invoiced, credited, paid, due and overdue.

Payments settle a contract's invoices oldest due date first; what an invoice still lacks after
that is open, and overdue once its due date has passed. A cancelled contract owes nothing.

One contract's account (and a page of them) is built in Python; the show's totals, the overdue
invoices and the accountant's balances are the same rule computed in the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from expo_crm.db import db
from expo_crm.exhibitors.models import Company, Contract, ContractState, Payment
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


# --- the show as a whole, in SQL ---------------------------------------------------------------
#
# The same rule, set-based. Amounts are summed in whole cents (SQLite stores NUMERIC as a float).
# With a contract's invoices in settling order and `through` the running sum of their nets up to
# and including one, payments leave `through - paid` of it and the older ones unpaid; of that,
# the invoice lacks at most its own net. This equals the loop above because an invoice's net is
# never below 0 (a credit note is for at most what is left of it) and a payment is above 0.


def _cents(amount):
    """An amount in whole cents, summed exactly on both databases."""
    return sa.cast(sa.func.round(amount * 100), sa.BigInteger)


def money_of_cents(cents) -> Decimal:
    """A sum in whole cents as money."""
    return (Decimal(int(cents or 0)) / 100).quantize(ZERO)


def _in_show(show_id: int, contract_id):
    return contract_id.in_(sa.select(Contract.id).where(Contract.show_id == show_id))


def _of_show(document, show_id: int):
    """The show's documents: a document's show is its contract's, set when it is issued."""
    return document.show_id == show_id


def _paid(show_id: int):
    return (
        sa.select(Payment.contract_id, sa.func.sum(_cents(Payment.amount)).label("paid"))
        .where(_in_show(show_id, Payment.contract_id))
        .group_by(Payment.contract_id)
        .subquery("paid")
    )


def invoice_balances(show_id: int, today: date):
    """Per invoice of the show, in cents: amount, credited, net, settled and open, and whether
    it is overdue (1 or 0)."""
    note = aliased(Invoice)
    credits = (
        sa.select(
            note.contract_id,
            note.credited_invoice_id.label("invoice_id"),
            sa.func.sum(_cents(note.amount)).label("credited"),
        )
        .where(note.kind == DocumentKind.credit_note, _of_show(note, show_id))
        .group_by(note.contract_id, note.credited_invoice_id)
        .subquery("credits")
    )
    paid = _paid(show_id)
    credited = sa.func.coalesce(credits.c.credited, 0)
    net = _cents(Invoice.amount) - credited
    ordered = (
        sa.select(
            Invoice.id.label("invoice_id"),
            Invoice.contract_id,
            Invoice.due_on,
            Contract.state,
            _cents(Invoice.amount).label("amount"),
            credited.label("credited"),
            net.label("net"),
            sa.func.sum(net)
            .over(
                # `+ 0`: else SQLite walks every show's invoices in contract order to save a sort
                partition_by=Invoice.contract_id + 0,
                order_by=(sa.func.coalesce(Invoice.due_on, Invoice.issued_on), Invoice.id),
                rows=(None, 0),
            )
            .label("through"),
            sa.func.coalesce(paid.c.paid, 0).label("paid"),
        )
        .join(Contract, Contract.id == Invoice.contract_id)
        .outerjoin(
            credits,
            sa.and_(
                credits.c.invoice_id == Invoice.id, credits.c.contract_id == Invoice.contract_id
            ),
        )
        .outerjoin(paid, paid.c.contract_id == Invoice.contract_id)
        .where(_of_show(Invoice, show_id), Invoice.kind == DocumentKind.invoice)
        .subquery("ordered")
    )
    unpaid = ordered.c.through - ordered.c.paid
    unsettled = sa.case((unpaid <= 0, 0), (unpaid < ordered.c.net, unpaid), else_=ordered.c.net)
    open_ = sa.case((ordered.c.state == ContractState.cancelled, 0), else_=unsettled)
    overdue = sa.and_(open_ > 0, ordered.c.due_on.is_not(None), ordered.c.due_on < today)
    return sa.select(
        ordered.c.invoice_id,
        ordered.c.contract_id,
        ordered.c.amount,
        ordered.c.credited,
        ordered.c.net,
        (ordered.c.net - unsettled).label("settled"),
        open_.label("open"),
        sa.case((overdue, 1), else_=0).label("overdue"),
    ).subquery("balances")


def _listed(show_id: int):
    """The contracts a show's accounts list: signed, or with documents."""
    has_documents = sa.select(Invoice.id).where(Invoice.contract_id == Contract.id).exists()
    return sa.and_(
        Contract.show_id == show_id,
        sa.or_(Contract.state == ContractState.signed, has_documents),
    )


@dataclass(frozen=True)
class ShowTotals:
    contracts: int
    invoiced: Decimal
    credited: Decimal
    paid: Decimal
    due: Decimal
    overdue: Decimal
    not_invoiced: Decimal


def show_totals(show_id: int, today: date) -> ShowTotals:
    """The sums of the accounts of every contract the show lists, computed in the database: one
    pass over the show's invoices (their balances, summed per contract), joined to its contracts.
    A credit note credits an invoice of its own contract, so the invoices' credits are all."""
    balances = invoice_balances(show_id, today)
    owed = (
        sa.select(
            balances.c.contract_id,
            sa.func.sum(balances.c.amount).label("invoiced"),
            sa.func.sum(balances.c.credited).label("credited"),
            sa.func.sum(balances.c.open).label("due"),
            sa.func.sum(sa.case((balances.c.overdue == 1, balances.c.open), else_=0)).label(
                "overdue"
            ),
        )
        .group_by(balances.c.contract_id)
        .subquery("owed")
    )
    paid = _paid(show_id)
    invoiced = sa.func.coalesce(owed.c.invoiced, 0)
    credited = sa.func.coalesce(owed.c.credited, 0)
    left = _cents(Contract.total_amount) - invoiced + credited
    row = db.session.execute(
        sa.select(
            sa.func.count(Contract.id),
            sa.func.sum(invoiced),
            sa.func.sum(credited),
            sa.func.sum(sa.func.coalesce(paid.c.paid, 0)),
            sa.func.sum(sa.func.coalesce(owed.c.due, 0)),
            sa.func.sum(sa.func.coalesce(owed.c.overdue, 0)),
            sa.func.sum(
                sa.case((sa.and_(Contract.state == ContractState.signed, left > 0), left), else_=0)
            ),
        )
        .outerjoin(owed, owed.c.contract_id == Contract.id)
        .outerjoin(paid, paid.c.contract_id == Contract.id)
        .where(_listed(show_id))
    ).one()
    count, *cents = row
    return ShowTotals(int(count or 0), *(money_of_cents(c) for c in cents))


def show_contracts_query(show_id: int) -> sa.Select:
    """(contract, company) of every contract the show lists, by company name: for a page."""
    return (
        sa.select(Contract, Company)
        .join(Company, Company.id == Contract.company_id)
        .where(_listed(show_id))
        .order_by(Company.name_zh, Company.name_en, Contract.id)
    )


@dataclass
class ShowAccounts:
    accounts: list[ContractAccount]

    def total(self, name: str) -> Decimal:
        return sum((getattr(a, name) for a in self.accounts), ZERO)


def show_accounts(show_id: int, today: date) -> ShowAccounts:
    """Every contract the show lists, each account built in Python: what `show_totals` sums in
    the database, contract by contract (for a check; a page reads one page of it)."""
    contracts = [
        contract for contract, _company in db.session.execute(show_contracts_query(show_id))
    ]
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
    """Open invoices of the show's live contracts whose due date has passed, by contract and
    in settling order (the balances computed in the database, only these invoices read)."""
    balances = invoice_balances(show_id, today)
    rows = db.session.execute(
        sa.select(Invoice, balances.c.credited, balances.c.settled, balances.c.open)
        .join(balances, balances.c.invoice_id == Invoice.id)
        .where(balances.c.overdue == 1)
        .order_by(
            Invoice.contract_id, sa.func.coalesce(Invoice.due_on, Invoice.issued_on), Invoice.id
        )
    )
    return [
        InvoiceBalance(
            invoice, money_of_cents(credited), money_of_cents(settled), money_of_cents(open_), True
        )
        for invoice, credited, settled, open_ in rows
    ]
