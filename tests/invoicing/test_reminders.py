"""Overdue reminders as a step of the show's plan, run by `jobs run-due` at moments in the
future over a real SMTP server: once per invoice and level, in the recipient's language, never
for an invoice paid by then."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from expo_crm.db import db, writing
from expo_crm.exhibitors.payments import record_payment
from expo_crm.invoicing.models import InvoiceReminder
from expo_crm.invoicing.services import organiser_today
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
    return [m for m in sink.messages if invoice.number in str(m["Subject"])]


def test_overdue_reminders_go_once_per_level_and_never_when_paid(app, smtp_server):
    create_issuer()
    today = organiser_today()
    show = create_show(open_from=today + timedelta(days=70))
    due = today + timedelta(days=14)
    unpaid = create_invoice(_exhibitor(show, "Slow Payer", "li@slow.example", "zh"), due_on=due)
    late = create_invoice(_exhibitor(show, "Late Payer", "ann@late.example", "en"), due_on=due)
    prompt_contract = _exhibitor(show, "Prompt Payer", "bo@prompt.example", "en")
    prompt = create_invoice(prompt_contract, due_on=due)
    with writing():
        record_payment(prompt_contract.id, prompt.amount)
        db.session.commit()

    def at(day):
        return datetime.combine(day, time(10, 1), tzinfo=show.tz)

    run_due_at(at(due))  # due today: not yet overdue
    assert smtp_server.messages == []
    run_due_at(at(due + timedelta(days=1)))
    first = _reminders(smtp_server, unpaid)
    assert len(first) == 1 and str(first[0]["To"]).endswith("<li@slow.example>")
    assert str(first[0]["Subject"]) == f"提醒：账单 {unpaid.number} 已逾期"
    assert "10,000.00" in first[0].get_body(("plain",)).get_content()
    english = _reminders(smtp_server, late)
    assert [str(m["Subject"]) for m in english] == [f"Reminder: invoice {late.number} is overdue"]
    assert _reminders(smtp_server, prompt) == []

    run_due_at(at(due + timedelta(days=1)) + timedelta(minutes=30))  # run again: nothing new
    run_due_at(at(due + timedelta(days=5)))
    assert len(smtp_server.messages) == 2

    with writing():
        record_payment(late.contract_id, late.amount)
        db.session.commit()
    run_due_at(at(due + timedelta(days=14)))
    second = _reminders(smtp_server, unpaid)
    assert len(second) == 2 and str(second[1]["Subject"]).startswith("第二次提醒")
    assert len(_reminders(smtp_server, late)) == 1  # paid before its second reminder
    levels = db.session.execute(
        sa.select(InvoiceReminder.invoice_id, InvoiceReminder.level).order_by(InvoiceReminder.id)
    ).all()
    assert sorted(levels) == sorted([(unpaid.id, 1), (late.id, 1), (unpaid.id, 2)])
