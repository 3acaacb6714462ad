"""Invoices, receipts and credit notes: numbers, amounts, what stays due, what can never change.
Outside a request the system speaks its default language, Chinese: refusals are matched in it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from expo_crm.db import db, writing
from expo_crm.exhibitors.contracts import cancel_contract, recalculate_contract
from expo_crm.exhibitors.payments import record_payment
from expo_crm.invoicing import services
from expo_crm.invoicing.accounts import contract_account, show_accounts
from expo_crm.invoicing.models import CreditCause, DocumentKind, Invoice
from expo_crm.invoicing.services import InvoicingError, organiser_today
from tests.factories import create_contract, create_invoice, create_issuer, create_show


def test_numbers_run_per_kind_and_year_without_gaps(app):
    create_issuer()
    show = create_show()
    first = create_invoice(create_contract(show=show, signed=True))
    second = create_invoice(create_contract(show=show, signed=True))
    year = organiser_today().year
    assert [first.number, second.number] == [f"EXPO-INV-{year}-00001", f"EXPO-INV-{year}-00002"]
    with writing():
        payment = record_payment(first.contract_id, "1000")
        receipt = services.issue_receipt(payment.id)
        db.session.commit()
    assert receipt.number == f"EXPO-RC-{year}-00001"
    assert receipt.amount == Decimal("1000.00")


def test_an_invoice_is_for_what_the_signed_contract_leaves_uninvoiced(app):
    create_issuer()
    contract = create_contract(area="18", price="1500", signed=True)  # 27,000.00
    deposit = create_invoice(contract, amount="8100")
    rest = create_invoice(contract)
    assert (deposit.amount, rest.amount) == (Decimal("8100.00"), Decimal("18900.00"))
    assert rest.due_on >= organiser_today() + timedelta(days=14)
    with pytest.raises(InvoicingError, match="已全部开具账单"):
        create_invoice(contract)


def test_a_draft_contract_or_a_missing_organiser_gets_no_invoice(app):
    contract = create_contract(signed=True)
    with pytest.raises(InvoicingError, match="请先填写主办方开票信息"):
        create_invoice(contract)
    db.session.rollback()
    create_issuer()
    with pytest.raises(InvoicingError, match="只有已签署的合同"):
        create_invoice(create_contract(signed=False))


def test_a_rolled_back_issue_leaves_no_gap(app):
    create_issuer()
    contract = create_contract(signed=True)
    with writing():
        services.issue_invoice(contract.id)
        db.session.rollback()
    invoice = create_invoice(contract)
    assert invoice.sequence == 1


def test_cancelling_a_contract_credits_it_and_nothing_stays_outstanding(app):
    create_issuer()
    contract = create_contract(signed=True)
    invoice = create_invoice(contract)
    with writing():
        record_payment(contract.id, "5000")
        cancel_contract(contract, "公司预算取消")
        db.session.commit()
    notes = db.session.scalars(
        sa.select(Invoice).where(Invoice.kind == DocumentKind.credit_note)
    ).all()
    assert len(notes) == 1
    note = notes[0]
    assert note.credited_invoice_id == invoice.id and note.amount == invoice.amount
    assert note.credit_cause is CreditCause.cancelled and note.reason == "公司预算取消"
    account = contract_account(contract, organiser_today() + timedelta(days=400))
    assert (account.due, account.overdue, account.not_invoiced) == (0, 0, 0)
    assert show_accounts(contract.show_id, organiser_today()).total("due") == 0


def test_reducing_a_contract_credits_what_was_invoiced_above_the_new_total(app):
    create_issuer()
    contract = create_contract(area="18", price="1500", signed=True)
    create_invoice(contract)
    with writing():
        recalculate_contract(contract, discount=Decimal("2000"))
        db.session.commit()
    note = db.session.scalar(sa.select(Invoice).where(Invoice.kind == DocumentKind.credit_note))
    assert note.amount == Decimal("2000.00") and note.credit_cause is CreditCause.reduced
    account = contract_account(contract, organiser_today())
    assert account.net_invoiced == Decimal("25000.00") == account.due


def test_payments_settle_the_oldest_invoice_first_and_overdue_follows_the_due_date(app):
    create_issuer()
    contract = create_contract(area="10", price="1000", signed=True)  # 10,000.00
    today = organiser_today()
    create_invoice(contract, amount="3000", due_on=today + timedelta(days=1))
    create_invoice(contract, due_on=today + timedelta(days=30))
    with writing():
        record_payment(contract.id, "4000")
        db.session.commit()
    later = contract_account(contract, today + timedelta(days=10))
    assert [b.open for b in later.invoices] == [Decimal("0.00"), Decimal("6000.00")]
    assert later.due == Decimal("6000.00") and later.overdue == 0
    much_later = contract_account(contract, today + timedelta(days=31))
    assert much_later.overdue == Decimal("6000.00")


def test_an_invoice_can_be_credited_but_never_deleted_or_renumbered(app):
    create_issuer()
    invoice = create_invoice(create_contract(signed=True))
    table = Invoice.__table__
    for statement in (
        sa.update(table).where(table.c.id == invoice.id).values(number="EXPO-INV-1999-00001"),
        sa.update(table).where(table.c.id == invoice.id).values(amount=1),
        sa.delete(table).where(table.c.id == invoice.id),
    ):
        with pytest.raises(sa.exc.DatabaseError, match="never deleted nor renumbered"):
            db.session.execute(statement)
        db.session.rollback()
    with writing():
        note = services.credit_invoice(invoice.id, CreditCause.corrected, "写错了公司名称")
        db.session.commit()
    assert note.amount == invoice.amount
    with pytest.raises(InvoicingError, match="已全额冲销"):
        services.credit_invoice(invoice.id, CreditCause.corrected, "again")
