"""Leads: the visitors an exhibitor scanned at its booth. Contact details are shown only where
the visitor agreed, at registration, to share them with exhibitors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from expo_crm import clock, signals
from expo_crm.db import db
from expo_crm.exhibitors.models import Contract, Lead
from expo_crm.exhibitors.services import ExhibitorError
from expo_crm.shows.models import Show
from expo_crm.visitors.models import Registration, RegistrationState, Visitor
from expo_crm.visitors.services import badge_for_code


@dataclass
class LeadView:
    lead: Lead
    name: str
    company: str
    email: str
    mobile: str
    shared: bool


def badge_registration(code: str) -> Registration | None:
    """The registration behind a scanned badge code, or None (unknown, forged or revoked)."""
    badge = badge_for_code((code or "").strip())
    if badge is None or badge.revoked_at is not None:
        return None
    registration = badge.registration
    if registration is None or registration.state is not RegistrationState.active:
        return None
    return registration


def record_lead(
    contract: Contract,
    code: str,
    rating: int = 3,
    note: str = "",
    captured_by_id: int | None = None,
) -> tuple[Lead, bool]:
    """(lead, created). Scanning the same visitor again updates the rating and note."""
    registration = badge_registration(code)
    if registration is None or registration.show_id != contract.show_id:
        raise ExhibitorError(_("This badge is not valid for this show."))
    if not 1 <= int(rating) <= 5:
        raise ExhibitorError(_("The rating goes from 1 to 5."))
    lead = db.session.scalar(
        sa.select(Lead).where(
            Lead.company_id == contract.company_id,
            Lead.show_id == contract.show_id,
            Lead.visitor_id == registration.visitor_id,
        )
    )
    created = lead is None
    if created:
        lead = Lead(
            company_id=contract.company_id,
            show_id=contract.show_id,
            registration_id=registration.id,
            visitor_id=registration.visitor_id,
            captured_at=clock.now(),
            captured_by_id=captured_by_id,
        )
        db.session.add(lead)
    lead.rating = int(rating)
    if note.strip():
        lead.note = note.strip()[:2000]
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ExhibitorError(_("This visitor was just recorded. Reload the page.")) from None
    signals.lead_scanned.send(
        lead.id,
        company_id=contract.company_id,
        show_id=contract.show_id,
        visitor_id=registration.visitor_id,
        at=clock.now(),
    )
    return lead, created


def leads(company_id: int, show_id: int) -> list[LeadView]:
    """The company's leads, newest first; email and mobile only where the visitor agreed to share them."""
    found = db.session.execute(
        sa.select(Lead, Registration, Visitor)
        .outerjoin(Registration, Registration.id == Lead.registration_id)
        .outerjoin(Visitor, Visitor.id == Lead.visitor_id)
        .where(Lead.company_id == company_id, Lead.show_id == show_id)
        .order_by(Lead.captured_at.desc(), Lead.id.desc())
    )
    views = []
    for lead, registration, visitor in found:
        shared = bool(registration is not None and registration.share_contact)
        views.append(
            LeadView(
                lead,
                visitor.name if visitor else "",
                (visitor.company if visitor else "") or "",
                (visitor.email or "") if shared and visitor else "",
                (visitor.mobile or "") if shared and visitor else "",
                shared,
            )
        )
    return views


def lead_table(company_id: int, show: Show) -> tuple[list[str], list[list]]:
    """The leads as an export: a header row and one row per lead, times in the show's time zone."""
    headers = [
        _("Name"),
        _("Company"),
        _("Email"),
        _("Mobile"),
        _("Rating"),
        _("Note"),
        _("Scanned at"),
    ]
    rows = [
        [
            view.name,
            view.company,
            view.email,
            view.mobile,
            view.lead.rating,
            view.lead.note,
            _local(view.lead.captured_at, show),
        ]
        for view in leads(company_id, show.id)
    ]
    return headers, rows


def _local(moment: datetime, show: Show) -> datetime:
    # Excel has no time zones: the time as read on the show floor.
    return moment.astimezone(show.tz).replace(tzinfo=None)
