"""Overdue reminders, a step of each show's service plan: once per invoice and reminder level,
in the recipient's language, and never for an invoice that is paid when the step runs."""

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

# Reminder level -> days past the due date from which it is sent.
REMINDER_DAYS = {1: 1, 2: 14}


def reminder_level(days_overdue: int) -> int:
    return max((level for level, days in REMINDER_DAYS.items() if days_overdue >= days), default=0)


@plan_action(
    "invoicing.overdue_reminders",
    label=_l("Reminders of overdue invoices to exhibitors"),
    audience="exhibitors",
    anchor="move_in_date",
    offset_days=-120,
    until=("open_to", 1),
    hour=10,
    repeat_daily=True,
)
def remind_overdue(show: Show, at: datetime) -> int:
    today = show.local_date(at)
    sent_before = set(
        db.session.execute(sa.select(InvoiceReminder.invoice_id, InvoiceReminder.level)).tuples()
    )
    sent = 0
    for balance in overdue_balances(show.id, today):
        invoice = balance.invoice
        level = reminder_level((today - invoice.due_on).days)
        if level == 0 or (invoice.id, level) in sent_before:
            continue
        contact = invoice.company.primary_contact
        if contact is None or not contact.email:
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
