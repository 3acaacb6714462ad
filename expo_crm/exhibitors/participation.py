"""An exhibitor's own participation, as the portal shows it: its live contracts, the
deadline checklist of the exhibitor manual, staff badges and messages to the organiser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from expo_crm import audit, clock
from expo_crm.db import db
from expo_crm.exhibitors.contracts import badge_quota, order_deadline, service_orders
from expo_crm.exhibitors.models import (
    Contract,
    ContractState,
    DeliverableKind,
    PortalUser,
    StaffBadge,
    Submission,
)
from expo_crm.exhibitors.services import ExhibitorError
from expo_crm.relationships.models import Channel, Interaction
from expo_crm.relationships.services import log_interaction
from expo_crm.shows.models import Show
from expo_crm.visitors.services import register_exhibitor_staff

# Exhibitor manual: days before the first open day each item is due (service orders: the
# suppliers' order deadline when the show has one).
MANUAL_DEADLINES = {
    DeliverableKind.catalogue_entry: 30,
    DeliverableKind.fascia_name: 21,
    DeliverableKind.service_orders: 14,
    DeliverableKind.staff_badges: 7,
}
TEXT_DELIVERABLES = (DeliverableKind.catalogue_entry, DeliverableKind.fascia_name)


# --- contracts --------------------------------------------------------------------------------


def participations(company_id: int) -> list[Contract]:
    """The company's live contracts, newest show first: one per show it exhibits at."""
    return list(
        db.session.scalars(
            sa.select(Contract)
            .join(Show)
            .where(Contract.company_id == company_id, Contract.state != ContractState.cancelled)
            .order_by(Show.open_from.desc())
        )
    )


def current_participation(company_id: int, show_id: int | None = None) -> Contract | None:
    """The contract of the given show, else the next (or running) show the company exhibits at."""
    contracts = participations(company_id)
    if show_id is not None:
        return next((c for c in contracts if c.show_id == show_id), None)
    today = clock.today_utc()
    upcoming = [c for c in contracts if c.show.move_out_date >= today]
    return (
        min(upcoming, key=lambda c: c.show.open_from)
        if upcoming
        else (contracts[0] if contracts else None)
    )


def shows_of(company_id: int) -> list[Show]:
    """The shows the company has a live contract for, newest first."""
    return [contract.show for contract in participations(company_id)]


def upcoming_shows(company_id: int) -> list[Show]:
    """The shows the company has a live contract for that are still running or ahead, soonest first."""
    today = clock.today_utc()
    shows = [show for show in shows_of(company_id) if show.move_out_date >= today]
    return sorted(shows, key=lambda show: show.open_from)


def own_contract(company_id: int, contract_id: int) -> Contract | None:
    """A contract of this company, else None: another company's id reveals nothing."""
    return db.session.scalar(
        sa.select(Contract).where(Contract.id == contract_id, Contract.company_id == company_id)
    )


# --- the exhibitor manual's checklist -----------------------------------------------------------


@dataclass
class ChecklistItem:
    kind: DeliverableKind
    due: date
    done: bool
    detail: str = ""

    @property
    def overdue(self) -> bool:
        return not self.done and self.due < clock.today_utc()

    @property
    def state(self) -> str:
        return "done" if self.done else ("overdue" if self.overdue else "open")


def checklist(contract: Contract, day: date | None = None) -> list[ChecklistItem]:
    """The items of the exhibitor manual, as they stand on `day` (default today)."""
    show = contract.show
    day = day or clock.today_utc()
    submitted = {
        s.kind: s
        for s in db.session.scalars(
            sa.select(Submission).where(
                Submission.company_id == contract.company_id, Submission.show_id == contract.show_id
            )
        )
    }
    named = staff_badges(contract.company_id, contract.show_id)
    orders = service_orders(contract.company_id, contract.show_id)
    items = []
    for kind, days in MANUAL_DEADLINES.items():
        due = show.open_from - timedelta(days=days)
        if kind in TEXT_DELIVERABLES:
            entry = submitted.get(kind)
            items.append(
                ChecklistItem(kind, due, entry is not None, entry.content if entry else "")
            )
        elif kind is DeliverableKind.staff_badges:
            items.append(
                ChecklistItem(kind, due, bool(named), f"{len(named)} / {badge_quota(contract)}")
            )
        else:
            due = order_deadline(show.id, day) or due
            live = [o for o in orders if o.state.value != "cancelled"]
            items.append(ChecklistItem(kind, due, bool(live), str(len(live))))
    return sorted(items, key=lambda i: i.due)


def submit_deliverable(
    contract: Contract,
    kind: DeliverableKind | str,
    content: str,
    submitted_by_id: int | None = None,
) -> Submission:
    kind = DeliverableKind(kind)
    if kind not in TEXT_DELIVERABLES:
        raise ExhibitorError(_("This item cannot be handed in as text."))
    content = (content or "").strip()
    if not content:
        raise ExhibitorError(_("Please fill in the text."))
    if kind is DeliverableKind.fascia_name and len(content) > 60:
        raise ExhibitorError(_("The fascia name may have at most 60 characters."))
    entry = db.session.scalar(
        sa.select(Submission).where(
            Submission.company_id == contract.company_id,
            Submission.show_id == contract.show_id,
            Submission.kind == kind,
        )
    )
    if entry is None:
        entry = Submission(company_id=contract.company_id, show_id=contract.show_id, kind=kind)
        db.session.add(entry)
    entry.content = content[:4000]
    entry.submitted_at = clock.now()
    entry.submitted_by_id = submitted_by_id
    db.session.flush()
    audit.record("portal.submission", entry, after={"kind": kind.value})
    return entry


# --- messages to the organiser --------------------------------------------------------------------


def send_message(user: PortalUser, subject: str, body: str, show_id: int | None = None):
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject or not body:
        raise ExhibitorError(_("Please write a subject and a message."))
    return log_interaction(
        "exhibitor",
        user.company_id,
        channel="portal",
        direction="inbound",
        subject=subject,
        notes=f"{body}\n\n— {user.name or user.email}",
        show_id=show_id,
    )


def messages(company_id: int, limit: int = 30) -> list[Interaction]:
    return list(
        db.session.scalars(
            sa.select(Interaction)
            .where(Interaction.company_id == company_id, Interaction.channel == Channel.portal)
            .order_by(Interaction.occurred_at.desc())
            .limit(limit)
        )
    )


# --- staff badges -----------------------------------------------------------------------------


def staff_badges(company_id: int, show_id: int) -> list[StaffBadge]:
    return list(
        db.session.scalars(
            sa.select(StaffBadge)
            .where(StaffBadge.company_id == company_id, StaffBadge.show_id == show_id)
            .order_by(StaffBadge.id)
        )
    )


def name_staff(contract: Contract, name: str, email: str, locale: str = "zh") -> StaffBadge:
    """Name one staff member: within the quota, registered by the visitors area (same QR and gate)."""
    if contract.state is not ContractState.signed:
        raise ExhibitorError(_("Staff badges can be named once the contract is signed."))
    name, email = (name or "").strip(), (email or "").strip().lower()
    if not name or "@" not in email:
        raise ExhibitorError(_("Please give a name and a valid email address."))
    used = (
        db.session.scalar(
            sa.select(sa.func.count(StaffBadge.id)).where(
                StaffBadge.company_id == contract.company_id, StaffBadge.show_id == contract.show_id
            )
        )
        or 0
    )
    if used >= badge_quota(contract):
        raise ExhibitorError(
            _("All %(n)d staff badges of your quota are used.", n=badge_quota(contract))
        )
    badge = StaffBadge(
        company_id=contract.company_id,
        show_id=contract.show_id,
        name=name,
        email=email,
        created_at=clock.now(),
    )
    db.session.add(badge)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ExhibitorError(_("%(email)s already has a staff badge.", email=email)) from None
    registration = register_exhibitor_staff(
        contract.show_id, contract.company_id, name, email, locale=locale
    )
    badge.registration_id = registration.id
    audit.record("portal.staff_badge", badge, after={"email": email})
    return badge
