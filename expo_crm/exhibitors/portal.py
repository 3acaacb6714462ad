"""The exhibitor portal: accounts, invitations, the deadline checklist, messages, staff badges, leads."""

from __future__ import annotations

import contextlib
import importlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from expo_crm import audit, clock
from expo_crm.auth import throttle
from expo_crm.auth.guard import register_user_kind
from expo_crm.auth.services import (
    _DUMMY_HASH,
    hash_password,
    hasher,
    password_problem,
    too_many_failures,
)
from expo_crm.db import db
from expo_crm.errors import UserError
from expo_crm.exhibitors.contracts import badge_quota, service_orders
from expo_crm.exhibitors.models import (
    Contact,
    Contract,
    ContractState,
    DeliverableKind,
    Lead,
    PortalInvitation,
    PortalUser,
    StaffBadge,
    Submission,
)
from expo_crm.shows.models import Show

INVITATION_VALID_FOR = timedelta(days=7)
# Exhibitor manual: days before the first open day each item is due.
MANUAL_DEADLINES = {
    DeliverableKind.catalogue_entry: 30,
    DeliverableKind.fascia_name: 21,
    DeliverableKind.service_orders: 14,
    DeliverableKind.staff_badges: 7,
}
TEXT_DELIVERABLES = (DeliverableKind.catalogue_entry, DeliverableKind.fascia_name)


class PortalError(UserError):
    """A portal action refused; str(error) is a message for the user."""


def _load_portal_user(ident: int) -> PortalUser | None:
    return db.session.get(PortalUser, ident)


register_user_kind("exhibitor", _load_portal_user)


# --- accounts and invitations ---------------------------------------------------------------


def invite_contact(contact: Contact, invited_by_id: int | None = None) -> str:
    """Create (or reuse) the contact's portal account and queue an email with a one-time link.
    Returns the link's token (tests and the demo use it; staff never see it)."""
    from expo_crm.mail.services import enqueue_email

    email = (contact.email or "").strip().lower()
    if not email:
        raise PortalError(_("This contact has no email address."))
    user = db.session.scalar(sa.select(PortalUser).where(PortalUser.email == email))
    if user is not None and user.company_id != contact.company_id:
        raise PortalError(_("This email address already signs in for another company."))
    if user is None:
        user = PortalUser(
            company_id=contact.company_id,
            contact_id=contact.id,
            email=email,
            name=contact.name,
            locale=contact.locale,
        )
        db.session.add(user)
        db.session.flush()
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    invitation = PortalInvitation(
        portal_user_id=user.id,
        secret_hash=PortalInvitation.hash(secret),
        created_at=now,
        expires_at=now + INVITATION_VALID_FOR,
        invited_by_id=invited_by_id,
    )
    db.session.add(invitation)
    db.session.flush()
    enqueue_email(
        email,
        "exhibitors/portal_invitation",
        language=contact.locale or "zh",
        to_name=contact.name,
        context={
            "name": contact.name,
            "company": contact.company,
            "token": invitation_token(secret),
            "expires_at": invitation.expires_at,
        },
        dedupe_key=f"exhibitors.invitation.{invitation.id}",
        subject_ref=("exhibitor", contact.company_id),
    )
    audit.record("portal.invite", user, after={"email": email, "invitation_id": invitation.id})
    return invitation_token(secret)


def _signer():
    from flask import current_app
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="exhibitors.portal-invitation")


def invitation_token(secret: str) -> str:
    """The link's token: the secret, signed, so a mistyped or forged link fails before any lookup."""
    return _signer().dumps(secret)


def invitation_for(token: str) -> PortalInvitation:
    """The usable invitation of this token, or PortalError saying plainly why not."""
    from itsdangerous import BadSignature

    invitation = None
    try:
        secret = _signer().loads(token or "") if len(token or "") < 200 else ""
    except BadSignature:
        secret = ""
    if isinstance(secret, str) and secret:
        invitation = db.session.scalar(
            sa.select(PortalInvitation).where(
                PortalInvitation.secret_hash == PortalInvitation.hash(secret)
            )
        )
    if invitation is None:
        raise PortalError(_("This link is not valid. Ask the organiser for a new invitation."))
    if invitation.used_at is not None:
        raise PortalError(
            _(
                "This link has already been used. Sign in with your password, or ask the organiser for a new invitation."
            )
        )
    if invitation.expires_at <= clock.now():
        raise PortalError(_("This link has expired. Ask the organiser for a new invitation."))
    return invitation


def accept_invitation(token: str, password: str) -> PortalUser:
    invitation = invitation_for(token)
    invitee = invitation.portal_user
    problem = password_problem(password, email=invitee.email, name=invitee.name)
    if problem:
        raise PortalError(problem)
    # Mark used with a guarded UPDATE: of two tabs submitting at once only one wins.
    won = db.session.execute(
        sa.update(PortalInvitation)
        .where(PortalInvitation.id == invitation.id, PortalInvitation.used_at.is_(None))
        .values(used_at=clock.now())
    ).rowcount
    if not won:
        raise PortalError(
            _(
                "This link has already been used. Sign in with your password, or ask the organiser for a new invitation."
            )
        )
    user = invitation.portal_user
    user.password_hash = hash_password(password)
    user.session_version += 1
    user.active = True
    audit.record("portal.password_set", user, actor=("exhibitor", user.id, user.email))
    return user


def authenticate(email: str, password: str, address: str) -> PortalUser:
    """The portal user, or a refusal; failures are throttled per account and address as for
    staff (auth/throttle.py). The caller commits, refused or not."""
    refused = PortalError(_("Wrong email or password."))
    user = db.session.scalar(
        sa.select(PortalUser).where(PortalUser.email == (email or "").strip().lower())
    )
    if user is None or user.password_hash is None:
        with contextlib.suppress(VerificationError):
            hasher.verify(_DUMMY_HASH, password)
        raise refused
    if throttle.waiting_until("exhibitor", user.id, address):
        raise PortalError(str(too_many_failures()))
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        throttle.record_failure("exhibitor", user.id, address)
        raise refused from None
    if not user.active:
        raise PortalError(_("This account has been deactivated."))
    throttle.record_success("exhibitor", user.id, address)
    user.last_login_at = clock.now()
    return user


def portal_users_of(company_id: int) -> list[PortalUser]:
    return list(
        db.session.scalars(sa.select(PortalUser).where(PortalUser.company_id == company_id))
    )


# --- what the portal shows ------------------------------------------------------------------


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


def own_contract_or_404(company_id: int, contract_id: int) -> Contract:
    """A contract of this company, else 404: another company's id reveals nothing."""
    from flask import abort

    contract = db.session.scalar(
        sa.select(Contract).where(Contract.id == contract_id, Contract.company_id == company_id)
    )
    if contract is None:
        abort(404)
    return contract


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


def checklist(contract: Contract) -> list[ChecklistItem]:
    show = contract.show
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
            items.append(ChecklistItem(kind, due, bool(orders), str(len(orders))))
    return sorted(items, key=lambda i: i.due)


def submit_deliverable(
    contract: Contract,
    kind: DeliverableKind | str,
    content: str,
    submitted_by_id: int | None = None,
) -> Submission:
    kind = DeliverableKind(kind)
    if kind not in TEXT_DELIVERABLES:
        raise PortalError(_("This item cannot be handed in as text."))
    content = (content or "").strip()
    if not content:
        raise PortalError(_("Please fill in the text."))
    if kind is DeliverableKind.fascia_name and len(content) > 60:
        raise PortalError(_("The fascia name may have at most 60 characters."))
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


def send_message(user: PortalUser, subject: str, body: str, show_id: int | None = None):
    from expo_crm.relationships.services import log_interaction

    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject or not body:
        raise PortalError(_("Please write a subject and a message."))
    return log_interaction(
        "exhibitor",
        user.company_id,
        channel="portal",
        direction="inbound",
        subject=subject,
        notes=f"{body}\n\n— {user.name or user.email}",
        show_id=show_id,
    )


def messages(company_id: int, limit: int = 30) -> list:
    from expo_crm.relationships.models import Channel, Interaction

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


def _visitors_service(name: str):
    try:
        module = importlib.import_module("expo_crm.visitors.services")
    except ModuleNotFoundError:
        return None
    return getattr(module, name, None)


def staff_badges_available() -> bool:
    return _visitors_service("register_exhibitor_staff") is not None


def name_staff(contract: Contract, name: str, email: str, locale: str = "zh") -> StaffBadge:
    """Name one staff member: within the quota, registered by the visitors area (same QR and gate)."""
    register = _visitors_service("register_exhibitor_staff")
    if register is None:
        raise PortalError(_("Staff badges cannot be issued yet. Please try again later."))
    if contract.state is not ContractState.signed:
        raise PortalError(_("Staff badges can be named once the contract is signed."))
    name, email = (name or "").strip(), (email or "").strip().lower()
    if not name or "@" not in email:
        raise PortalError(_("Please give a name and a valid email address."))
    used = (
        db.session.scalar(
            sa.select(sa.func.count(StaffBadge.id)).where(
                StaffBadge.company_id == contract.company_id, StaffBadge.show_id == contract.show_id
            )
        )
        or 0
    )
    if used >= badge_quota(contract):
        raise PortalError(
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
        raise PortalError(_("%(email)s already has a staff badge.", email=email)) from None
    registration = register(contract.show_id, contract.company_id, name, email, locale=locale)
    badge.registration_id = getattr(registration, "id", None)
    audit.record("portal.staff_badge", badge, after={"email": email})
    return badge


# --- leads --------------------------------------------------------------------------------------


@dataclass
class LeadView:
    lead: Lead
    name: str
    company: str
    email: str
    phone: str
    shared: bool


def badge_registration(code: str):
    """The registration behind a scanned badge code, or None (unknown, forged or revoked)."""
    lookup = _visitors_service("badge_for_code")
    if lookup is None:
        raise PortalError(_("Badge scanning is not available yet."))
    badge = lookup((code or "").strip())
    if badge is None or getattr(badge, "revoked_at", None) is not None:
        return None
    registration = getattr(badge, "registration", None)
    if (
        registration is None
        or getattr(getattr(registration, "state", None), "value", "active") != "active"
    ):
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
        raise PortalError(_("This badge is not valid for this show."))
    if not 1 <= int(rating) <= 5:
        raise PortalError(_("The rating goes from 1 to 5."))
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
        raise PortalError(_("This visitor was just recorded. Reload the page.")) from None
    return lead, created


def update_lead(company_id: int, lead_id: int, rating: int, note: str) -> Lead:
    from flask import abort

    lead = db.session.scalar(
        sa.select(Lead).where(Lead.id == lead_id, Lead.company_id == company_id)
    )
    if lead is None:
        abort(404)
    if not 1 <= int(rating) <= 5:
        raise PortalError(_("The rating goes from 1 to 5."))
    lead.rating, lead.note = int(rating), note.strip()[:2000]
    return lead


def leads(company_id: int, show_id: int) -> list[LeadView]:
    """The company's leads; contact details only where the visitor agreed to share them."""
    rows = list(
        db.session.scalars(
            sa.select(Lead)
            .where(Lead.company_id == company_id, Lead.show_id == show_id)
            .order_by(Lead.captured_at.desc())
        )
    )
    if not rows:
        return []
    try:
        from expo_crm.visitors.models import Registration, Visitor
    except ImportError:
        return [LeadView(lead, "", "", "", "", False) for lead in rows]
    people = {
        r.id: (r, v)
        for r, v in db.session.execute(
            sa.select(Registration, Visitor)
            .join(Visitor, Visitor.id == Registration.visitor_id)
            .where(Registration.id.in_([lead.registration_id for lead in rows]))
        )
    }
    views = []
    for lead in rows:
        registration, visitor = people.get(lead.registration_id, (None, None))
        shared = bool(registration is not None and getattr(registration, "share_contact", False))
        views.append(
            LeadView(
                lead,
                visitor.name if visitor else "",
                (visitor.company if visitor else "") or "",
                visitor.email if shared else "",
                (getattr(visitor, "phone", "") or "") if shared else "",
                shared,
            )
        )
    return views


def lead_rows(company_id: int, show_id: int) -> list[list]:
    header = [
        _("Name"),
        _("Company"),
        _("Email"),
        _("Phone"),
        _("Rating"),
        _("Note"),
        _("Scanned at"),
    ]
    rows: list[list] = [header]
    for view in leads(company_id, show_id):
        rows.append(
            [
                view.name,
                view.company,
                view.email,
                view.phone,
                view.lead.rating,
                view.lead.note,
                _naive(view.lead.captured_at),
            ]
        )
    return rows


def _naive(moment: datetime) -> datetime:
    # Excel has no time zones: show the local time of the show's default zone.
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
