"""Overdue reminders, steps of each show's service plan (staff may move them like any step):
each reminds every invoice of the show that is overdue when it runs, once per invoice and
reminder, in the recipient's language, and never an invoice that is paid by then.

Payment falls due 30 days before the show opens by default (exhibitors/contracts.py), so the
steps come after it: 25, 14 and 5 days before opening."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm.db import db
from expo_crm.invoicing.accounts import overdue_balances
from expo_crm.invoicing.models import InvoiceReminder
from expo_crm.mail.services import enqueue_email
from expo_crm.scheduler.registry import plan_action
from expo_crm.shows.models import Show


def send_reminders(show: Show, at: datetime, level: int) -> int:
    today = show.local_date(at)
    reminded = set(
        db.session.scalars(
            sa.select(InvoiceReminder.invoice_id).where(InvoiceReminder.level == level)
        )
    )
    sent = 0
    for balance in overdue_balances(show.id, today):
        invoice = balance.invoice
        contact = invoice.company.primary_contact
        if invoice.id in reminded or contact is None or not contact.email:
            continue
        language = contact.locale if contact.locale in ("zh", "en") else invoice.language
        message = enqueue_email(
            contact.email,
            "invoicing/overdue_reminder",
            language=language,
            to_name=contact.name,
            context={
                "invoice": invoice,
                "show": show,
                "open_amount": balance.open,
                "level": level,
                "days_overdue": (today - invoice.due_on).days,
            },
            dedupe_key=f"invoicing.reminder:{invoice.id}:{level}",
            subject_ref=("exhibitor", invoice.company_id),
            show_id=show.id,
        )
        db.session.add(
            InvoiceReminder(
                invoice_id=invoice.id,
                level=level,
                sent_at=at,
                to_address=contact.email,
                open_amount=balance.open,
            )
        )
        sent += message is not None
    db.session.flush()
    return sent


@plan_action(
    "invoicing.overdue_reminder",
    label=_l("Reminder of overdue invoices to exhibitors"),
    audience="exhibitors",
    anchor="open_from",
    offset_days=-25,
    until=("open_from", -21),
    hour=10,
)
def first_reminder(show: Show, at: datetime) -> int:
    return send_reminders(show, at, 1)


@plan_action(
    "invoicing.overdue_reminder_2",
    label=_l("Second reminder of overdue invoices to exhibitors"),
    audience="exhibitors",
    anchor="open_from",
    offset_days=-14,
    until=("open_from", -10),
    hour=10,
)
def second_reminder(show: Show, at: datetime) -> int:
    return send_reminders(show, at, 2)


@plan_action(
    "invoicing.overdue_reminder_final",
    label=_l("Final reminder of overdue invoices to exhibitors"),
    audience="exhibitors",
    anchor="open_from",
    offset_days=-5,
    until=("open_from", 0),
    hour=10,
)
def final_reminder(show: Show, at: datetime) -> int:
    return send_reminders(show, at, 3)
