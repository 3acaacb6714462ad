"""Exhibitor steps of the service plan: reminders before the deadlines of the exhibitor manual
and of the contract's payments, the move-in information, the daily lead digest, and the
post-show performance report; the rebooking offer with each past exhibitor's priority window,
and the release of booth holds that lapsed (every minute).

Each step writes to the primary contact of every exhibitor with a signed contract for the show
(within the step's target, when it aims at a value class or tier), in the contact's language,
once per exhibitor (outbox dedupe_key). Whether it still applies is checked at send time: a
reminder never reaches an exhibitor who has met the deadline.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from expo_crm.db import db
from expo_crm.exhibitors import rebooking, return_report, returns
from expo_crm.exhibitors.booths import assigned_booths
from expo_crm.exhibitors.contracts import badge_quota, primary_contacts
from expo_crm.exhibitors.models import (
    Company,
    Contact,
    Contract,
    ContractState,
    DeliverableKind,
    Lead,
)
from expo_crm.exhibitors.participation import MANUAL_DEADLINES, checklist, staff_badges
from expo_crm.exhibitors.payments import outstanding, paid_amount
from expo_crm.mail.models import MailCategory
from expo_crm.mail.services import enqueue_email
from expo_crm.scheduler.registry import actions, in_step_target, periodic_job, plan_action
from expo_crm.shows.models import Show
from expo_crm.visitors.models import Visitor

# Reminders go out a week before each deadline.
REMINDER_DAYS = 7
# Leads listed by name in the daily digest; the counts cover them all.
DIGEST_LIST_LENGTH = 10


def _exhibitors(show: Show, action: str) -> list[tuple[Contract, Company, Contact]]:
    """Signed exhibitors of the show with a primary contact to write to, in the step's target."""
    rows = db.session.execute(
        sa.select(Contract, Company, Contact)
        .join(Company, Company.id == Contract.company_id)
        .join(Contact, sa.and_(Contact.company_id == Company.id, Contact.is_primary.is_(True)))
        .where(
            Contract.show_id == show.id,
            Contract.state == ContractState.signed,
            Contact.email != "",
        )
        .order_by(Company.id)
    ).all()
    # The step's own target, chosen per show on the plan page (a value class or tier).
    reached = in_step_target(
        "exhibitor", {c.id for _, c, _ in rows}, default=actions()[action].target
    )
    return [
        (contract, company, contact) for contract, company, contact in rows if company.id in reached
    ]


def _send(show: Show, company: Company, contact: Contact, template: str, key: str, **context):
    return enqueue_email(
        contact.email,
        f"exhibitors/{template}",
        language=contact.locale,
        to_name=contact.name,
        context={
            "show": show,
            "company": company,
            "contact": contact,
            "portal_url": current_app.config["BASE_URL"].rstrip("/") + "/portal/",
            **context,
        },
        category=MailCategory.service,
        dedupe_key=key,
        subject_ref=("exhibitor", company.id),
        show_id=show.id,
    )


# --- deadlines of the exhibitor manual -----------------------------------------------------------


def _remind_checklist(show: Show, at: datetime, kind: DeliverableKind, action: str) -> int:
    """To each exhibitor whose item is still open and not yet past its deadline."""
    today = show.local_date(at)
    sent = 0
    for contract, company, contact in _exhibitors(show, action):
        item = next(i for i in checklist(contract, today) if i.kind is kind)
        if item.done or item.due < today:
            continue
        message = _send(
            show,
            company,
            contact,
            "deadline_reminder",
            f"exhibitors.remind:{kind.value}:{show.id}:{company.id}",
            kind=kind.value,
            due=item.due,
            badges_named=len(staff_badges(company.id, show.id)),
            badge_quota=badge_quota(contract),
        )
        sent += message is not None
    return sent


def _reminder_offset(kind: DeliverableKind) -> int:
    return -(MANUAL_DEADLINES[kind] + REMINDER_DAYS)


@plan_action(
    "exhibitors.remind_catalogue_entry",
    label=_l("Catalogue entry reminder to exhibitors who have not handed it in"),
    audience="exhibitors",
    anchor="open_from",
    offset_days=_reminder_offset(DeliverableKind.catalogue_entry),
    until=("open_from", -MANUAL_DEADLINES[DeliverableKind.catalogue_entry]),
    hour=10,
    targetable=True,
)
def remind_catalogue_entry(show: Show, at: datetime) -> int:
    return _remind_checklist(
        show, at, DeliverableKind.catalogue_entry, "exhibitors.remind_catalogue_entry"
    )


@plan_action(
    "exhibitors.remind_fascia_name",
    label=_l("Fascia name reminder to exhibitors who have not handed it in"),
    audience="exhibitors",
    anchor="open_from",
    offset_days=_reminder_offset(DeliverableKind.fascia_name),
    until=("open_from", -MANUAL_DEADLINES[DeliverableKind.fascia_name]),
    hour=10,
    targetable=True,
)
def remind_fascia_name(show: Show, at: datetime) -> int:
    return _remind_checklist(show, at, DeliverableKind.fascia_name, "exhibitors.remind_fascia_name")


@plan_action(
    "exhibitors.remind_service_orders",
    label=_l("Service order reminder to exhibitors who have ordered nothing"),
    audience="exhibitors",
    anchor="open_from",
    offset_days=_reminder_offset(DeliverableKind.service_orders),
    # The suppliers' own order deadline may differ: the step checks it at send time.
    until=("open_from", 0),
    hour=10,
    targetable=True,
)
def remind_service_orders(show: Show, at: datetime) -> int:
    return _remind_checklist(
        show, at, DeliverableKind.service_orders, "exhibitors.remind_service_orders"
    )


@plan_action(
    "exhibitors.remind_staff_badges",
    label=_l("Staff badge reminder to exhibitors who have named no staff"),
    audience="exhibitors",
    anchor="open_from",
    offset_days=_reminder_offset(DeliverableKind.staff_badges),
    until=("open_from", -MANUAL_DEADLINES[DeliverableKind.staff_badges]),
    hour=10,
    targetable=True,
)
def remind_staff_badges(show: Show, at: datetime) -> int:
    return _remind_checklist(
        show, at, DeliverableKind.staff_badges, "exhibitors.remind_staff_badges"
    )


# --- payments --------------------------------------------------------------------------------------


def payments_due(contract: Contract, today: date) -> list[tuple[str, date, Decimal]]:
    """(which, due date, amount missing) of the contract's payments due within the reminder
    window from today and not yet covered by what was paid."""
    paid = paid_amount(contract)
    owed = outstanding(contract)
    due = []
    for which, day, missing in (
        ("deposit", contract.deposit_due, contract.deposit_amount - paid),
        ("balance", contract.balance_due, owed),
    ):
        if day is not None and missing > 0 and today <= day <= today + timedelta(REMINDER_DAYS):
            due.append((which, day, missing))
    return due


@plan_action(
    "exhibitors.remind_payments",
    label=_l("Payment reminders a week before each contract's deposit and balance due dates"),
    audience="exhibitors",
    anchor="move_in_date",
    offset_days=-365,
    until=("open_to", 1),
    hour=9,
    # Every contract has its own due dates: checked each day, each reminder sent once.
    repeat_daily=True,
    targetable=True,
)
def remind_payments(show: Show, at: datetime) -> int:
    today = show.local_date(at)
    sent = 0
    for contract, company, contact in _exhibitors(show, "exhibitors.remind_payments"):
        for which, day, missing in payments_due(contract, today):
            message = _send(
                show,
                company,
                contact,
                "payment_reminder",
                f"exhibitors.remind:{which}:{show.id}:{company.id}",
                contract=contract,
                which=which,
                due=day,
                amount=missing,
                paid=paid_amount(contract),
                owed=outstanding(contract),
            )
            sent += message is not None
    return sent


# --- move-in ---------------------------------------------------------------------------------------


@plan_action(
    "exhibitors.move_in_info",
    label=_l("Move-in information to exhibitors: hall, booth and move-in times"),
    audience="exhibitors",
    anchor="move_in_date",
    offset_days=-5,
    until=("open_from", 0),
    hour=10,
    targetable=True,
)
def send_move_in_info(show: Show, at: datetime) -> int:
    """To each signed exhibitor that has a booth."""
    sent = 0
    for contract, company, contact in _exhibitors(show, "exhibitors.move_in_info"):
        booths = assigned_booths(company.id, show.id)
        if not booths:
            continue
        message = _send(
            show,
            company,
            contact,
            "move_in",
            f"exhibitors.move_in:{show.id}:{company.id}",
            booths=booths,
            badges_named=len(staff_badges(company.id, show.id)),
            badge_quota=badge_quota(contract),
        )
        sent += message is not None
    return sent


# --- the daily lead digest ---------------------------------------------------------------------------


def leads_of_day(company_id: int, show: Show, day: date) -> list[tuple[Lead, Visitor | None]]:
    """The leads the exhibitor scanned on a local day of the show, best rated first."""
    return list(
        db.session.execute(
            sa.select(Lead, Visitor)
            .outerjoin(Visitor, Visitor.id == Lead.visitor_id)
            .where(
                Lead.company_id == company_id,
                Lead.show_id == show.id,
                Lead.captured_at >= show.local_start(day),
                Lead.captured_at < show.local_end(day),
            )
            .order_by(Lead.rating.desc(), Lead.captured_at, Lead.id)
        ).all()
    )


@plan_action(
    "exhibitors.lead_digest",
    label=_l("Evening lead digest to each exhibitor with leads that day"),
    audience="exhibitors",
    anchor="open_from",
    offset_days=0,
    until=("open_to", 1),
    hour=19,
    repeat_daily=True,
    targetable=True,
)
def send_lead_digest(show: Show, at: datetime) -> int:
    day = show.local_date(at)
    sent = 0
    for _contract, company, contact in _exhibitors(show, "exhibitors.lead_digest"):
        today = leads_of_day(company.id, show, day)
        if not today:
            continue
        total = db.session.scalar(
            sa.select(sa.func.count(Lead.id)).where(
                Lead.company_id == company.id,
                Lead.show_id == show.id,
                Lead.captured_at < show.local_end(day),
            )
        )
        message = _send(
            show,
            company,
            contact,
            "lead_digest",
            f"exhibitors.lead_digest:{show.id}:{day.isoformat()}:{company.id}",
            day=day,
            count=len(today),
            hot=sum(1 for lead, _visitor in today if lead.rating >= 4),
            total=total,
            leads=today[:DIGEST_LIST_LENGTH],
        )
        sent += message is not None
    return sent


@plan_action(
    "exhibitors.return_report",
    label=_l("Post-show performance report to exhibitors (link to the portal)"),
    audience="exhibitors",
    anchor="open_to",
    offset_days=3,
    until=("open_to", 30),
    hour=10,
    targetable=True,
)
def send_return_reports(show: Show, at: datetime) -> int:
    """Each signed exhibitor's figures, in its language, with the link to its report."""
    if not returns.is_over(show, at):
        return 0
    found = {r.company_id: r for r in returns.show_returns(show)}
    reached = in_step_target("exhibitor", set(found))
    base_url = current_app.config["BASE_URL"]
    sent = 0
    for company, contact in primary_contacts(show.id):
        result = found.get(company.id) if company.id in reached else None
        if result is None or not contact.email:
            continue
        message = enqueue_email(
            contact.email,
            "exhibitors/return_report",
            language=return_report.language_of(company, contact),
            to_name=contact.name,
            context={
                "name": contact.name,
                "company": company,
                "show": show,
                "r": result,
                "url": f"{base_url}/portal/returns?show={show.id}",
            },
            category=MailCategory.service,
            dedupe_key=f"exhibitors.return_report:{show.id}:{company.id}",
            subject_ref=("exhibitor", company.id),
            show_id=show.id,
        )
        sent += message is not None
    return sent


@plan_action(
    "exhibitors.rebooking_offer",
    label=_l("Rebooking offer to past exhibitors, with their priority window"),
    audience="exhibitors",
    anchor="open_from",
    offset_days=-180,
    until=("open_from", -1),
    hour=10,
)
def send_rebooking_offers(show: Show, at: datetime) -> int:
    return rebooking.send_offers(show, at)


@periodic_job(
    "exhibitors.release_lapsed_holds", label=_l("Free the booths whose hold lapsed"), minutes=1
)
def release_lapsed_holds(at: datetime) -> int:
    return rebooking.release_lapsed(at)
