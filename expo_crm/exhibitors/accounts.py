"""Exhibitor portal accounts: a contact invited by staff, the one-time link that sets the
password, and sign-in. The portal's pages (expo_crm.portal) call these; staff invite from
the company page."""

from __future__ import annotations

import contextlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

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
from expo_crm.exhibitors.models import Contact, PortalInvitation, PortalUser
from expo_crm.exhibitors.services import ExhibitorError

INVITATION_VALID_FOR = timedelta(days=7)


class PortalError(ExhibitorError):
    """An invitation or sign-in refused; str(error) is a message for the user."""


def _load_portal_user(ident: int) -> PortalUser | None:
    return db.session.get(PortalUser, ident)


register_user_kind("exhibitor", _load_portal_user)


def invite_contact(contact: Contact, invited_by_id: int | None = None) -> str:
    """Create (or reuse) the contact's portal account and queue an email with a one-time link.
    A contact that already has a login is invited again at that login's address: the new
    link replaces any earlier one, which stops working.
    Returns the link's token (tests and the demo use it; staff never see it)."""
    from expo_crm.mail.services import enqueue_email

    user = portal_login_of(contact)
    if user is None:
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
    elif user.contact_id is None:
        user.contact_id = contact.id
    email = user.email
    now = clock.now()
    db.session.execute(
        sa.update(PortalInvitation)
        .where(
            PortalInvitation.portal_user_id == user.id,
            PortalInvitation.used_at.is_(None),
            PortalInvitation.expires_at > now,
        )
        .values(expires_at=now)
    )
    secret = secrets.token_urlsafe(32)
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

    # The salt must not change: links already emailed are signed with it.
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


def portal_login_of(contact: Contact) -> PortalUser | None:
    return db.session.scalar(sa.select(PortalUser).where(PortalUser.contact_id == contact.id))


def portal_users_of(company_id: int) -> list[PortalUser]:
    return list(
        db.session.scalars(sa.select(PortalUser).where(PortalUser.company_id == company_id))
    )
