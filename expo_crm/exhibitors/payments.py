"""Payments on a contract: record one (never above the balance), what is paid and still owed."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from expo_crm import audit, clock
from expo_crm.db import db
from expo_crm.exhibitors.models import Contract, ContractState, Payment, PaymentMethod
from expo_crm.exhibitors.services import ExhibitorError, money


def paid_amount(contract: Contract) -> Decimal:
    total = db.session.scalar(
        sa.select(sa.func.sum(Payment.amount)).where(Payment.contract_id == contract.id)
    )
    return money(total)


def outstanding(contract: Contract) -> Decimal:
    """Nothing is outstanding on a cancelled contract."""
    if contract.state is ContractState.cancelled:
        return Decimal(0)
    return money(contract.total_amount) - paid_amount(contract)


def record_payment(
    contract_id: int,
    amount,
    *,
    paid_at=None,
    method: PaymentMethod | str = PaymentMethod.bank_transfer,
    reference: str = "",
    recorded_by_id: int | None = None,
) -> Payment:
    """A payment larger than the outstanding balance is refused; the contract row is locked first."""
    contract = db.session.scalar(
        sa.select(Contract).where(Contract.id == contract_id).with_for_update()
    )
    if contract is None:
        raise ExhibitorError(_("No such contract."))
    if contract.state is ContractState.cancelled:
        raise ExhibitorError(_("A cancelled contract takes no payments."))
    value = money(amount)
    if value <= 0:
        raise ExhibitorError(_("The amount must be more than 0."))
    due = outstanding(contract)
    if value > due:
        raise ExhibitorError(
            _(
                "The payment of %(amount)s is more than the outstanding balance of %(due)s.",
                amount=value,
                due=due,
            )
        )
    payment = Payment(
        contract_id=contract.id,
        amount=value,
        paid_at=paid_at or clock.now(),
        method=PaymentMethod(method),
        reference=reference.strip(),
        recorded_by_id=recorded_by_id,
        recorded_at=clock.now(),
    )
    db.session.add(payment)
    db.session.flush()
    audit.record("payment.create", payment, after={"contract_id": contract.id, "amount": value})
    return payment


def outstanding_balances(
    show_id: int | None = None, limit: int = 10
) -> list[tuple[Contract, Decimal]]:
    paid = (
        sa.select(Payment.contract_id, sa.func.sum(Payment.amount).label("paid"))
        .group_by(Payment.contract_id)
        .subquery()
    )
    due = Contract.total_amount - sa.func.coalesce(paid.c.paid, 0)
    query = (
        sa.select(Contract, due.label("due"))
        .outerjoin(paid, paid.c.contract_id == Contract.id)
        .where(Contract.state == ContractState.signed, due > 0)
        .order_by(due.desc())
        .limit(limit)
    )
    if show_id:
        query = query.where(Contract.show_id == show_id)
    return [(c, money(d)) for c, d in db.session.execute(query)]
