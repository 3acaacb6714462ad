"""Overdue reminders as steps of the show's plan, run by `jobs run-due` at their moments over a
real SMTP server: once per invoice and reminder, in the recipient's language, never for an
invoice paid by then."""

from __future__ import annotations

from datetime import UTC, timedelta

import sqlalchemy as sa

from expo_crm.db import db, writing
from expo_crm.exhibitors.payments import record_payment
from expo_crm.invoicing.models import InvoiceReminder
from expo_crm.invoicing.services import organiser_today
from expo_crm.scheduler import services as plan
from tests.factories import (
    create_company,
    create_contact,
    create_contract,
    create_invoice,
    create_issuer,
    create_show,
    run_due_at,
)


def _exhibitor(show, name, email, locale):
    company = create_company(name_en=name)
    create_contact(company, email=email, locale=locale, is_primary=True)
    return create_contract(company, show, area="10", price="1000", signed=True)


def _reminders(sink, invoice) -> list:
    """The overdue reminders of the invoice (the plan's other exhibitor mail is not counted)."""
    return [m for m in sink.messages if invoice.number in str(m["Subject"])]


def _step_time(show, action: str):
    step = next(s for s in plan.plan_of(show) if s.action == action)
    return plan.due_at(step, show) + timedelta(minutes=1)


def test_overdue_reminders_go_once_per_reminder_and_never_when_paid(app, smtp_server):
    create_issuer()
    show = create_show(open_from=organiser_today() + timedelta(days=70))
    db.session.commit()
    first, second = (
        _step_time(show, "invoicing.overdue_reminder"),
        _step_time(show, "invoicing.overdue_reminder_2"),
    )
    # Payment falls due 30 days before opening (the contract's balance date).
    unpaid = create_invoice(_exhibitor(show, "Slow Payer", "li@slow.example", "zh"))
    assert unpaid.due_on == show.open_from - timedelta(days=30)
    late = create_invoice(_exhibitor(show, "Late Payer", "ann@late.example", "en"))
    prompt_contract = _exhibitor(show, "Prompt Payer", "bo@prompt.example", "en")
    prompt = create_invoice(prompt_contract)
    with writing():
        record_payment(prompt_contract.id, prompt.amount)
        db.session.commit()

    run_due_at(show.local_start(unpaid.due_on).astimezone(UTC))  # due today: not yet overdue
    assert [_reminders(smtp_server, i) for i in (unpaid, late, prompt)] == [[], [], []]
    run_due_at(first)
    reminded = _reminders(smtp_server, unpaid)
    assert len(reminded) == 1 and str(reminded[0]["To"]).endswith("<li@slow.example>")
    assert str(reminded[0]["Subject"]) == f"提醒：账单 {unpaid.number} 已逾期"
    assert "10,000.00" in reminded[0].get_body(("plain",)).get_content()
    english = _reminders(smtp_server, late)
    assert [str(m["Subject"]) for m in english] == [f"Reminder: invoice {late.number} is overdue"]
    assert _reminders(smtp_server, prompt) == []

    run_due_at(first + timedelta(minutes=30))  # run again: nothing new
    run_due_at(first + timedelta(days=2))
    assert len(_reminders(smtp_server, unpaid)) + len(_reminders(smtp_server, late)) == 2

    with writing():
        record_payment(late.contract_id, late.amount)
        db.session.commit()
    run_due_at(second)
    again = _reminders(smtp_server, unpaid)
    assert len(again) == 2 and str(again[1]["Subject"]).startswith("第二次提醒")
    assert len(_reminders(smtp_server, late)) == 1  # paid before the second reminder
    levels = db.session.execute(sa.select(InvoiceReminder.invoice_id, InvoiceReminder.level)).all()
    assert sorted(levels) == sorted([(unpaid.id, 1), (late.id, 1), (unpaid.id, 2)])
