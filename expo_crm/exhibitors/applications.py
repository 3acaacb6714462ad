"""Applications to exhibit: submission, the allowed state changes and their history."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from expo_crm import audit, clock
from expo_crm.db import db
from expo_crm.exhibitors.booths import release_booth
from expo_crm.exhibitors.contracts import cancel_contract
from expo_crm.exhibitors.models import (
    APPLIED,
    Application,
    ApplicationEvent,
    ApplicationState,
    BoothAssignment,
    BoothType,
    Company,
    Contract,
    ContractState,
)
from expo_crm.exhibitors.services import ExhibitorError
from expo_crm.relationships.referrals import referrer_for
from expo_crm.shows.models import Show
from expo_crm.shows.services import ensure_open_for_sale

TRANSITIONS: dict[ApplicationState, set[ApplicationState]] = {
    ApplicationState.submitted: {
        ApplicationState.under_review,
        ApplicationState.approved,
        ApplicationState.waitlisted,
        ApplicationState.rejected,
        ApplicationState.withdrawn,
    },
    ApplicationState.under_review: {
        ApplicationState.approved,
        ApplicationState.waitlisted,
        ApplicationState.rejected,
        ApplicationState.withdrawn,
    },
    ApplicationState.waitlisted: {
        ApplicationState.under_review,
        ApplicationState.approved,
        ApplicationState.rejected,
        ApplicationState.withdrawn,
    },
    ApplicationState.approved: {ApplicationState.withdrawn, ApplicationState.waitlisted},
    ApplicationState.rejected: {ApplicationState.under_review},
    ApplicationState.withdrawn: {ApplicationState.submitted},
}


def create_application(
    company: Company,
    show_id: int,
    *,
    requested_area_m2,
    booth_type: BoothType | str,
    preferred_hall: str = "",
    notes: str = "",
    reason: str = "",
    actor: tuple[str, int | None, str] | None = None,
    referral_token: str | None = None,
) -> Application:
    """A company applies for a show. `referral_token`: the token of the customer referral link
    the applicant came through (the `ref` of the link, relationships/referrals.py); a forged
    one, another show's or the company's own attributes nothing and refuses nothing."""
    area = Decimal(str(requested_area_m2 or 0))
    if area <= 0:
        raise ExhibitorError(_("The requested area must be more than 0 m²."))
    exists = db.session.scalar(
        sa.select(Application.id).where(
            Application.company_id == company.id, Application.show_id == show_id
        )
    )
    if exists:
        raise ExhibitorError(_("This company has already applied for this show."))
    ensure_open_for_sale(db.get_or_404(Show, show_id))
    application = Application(
        company_id=company.id,
        show_id=show_id,
        requested_area_m2=area,
        booth_type=BoothType(booth_type),
        preferred_hall=preferred_hall.strip(),
        notes=notes,
        state=ApplicationState.submitted,
        **application_referral(referral_token, company.id, show_id),
    )
    db.session.add(application)
    db.session.flush()
    # Without a reason the event reads "Application received." in the reader's language.
    _record_event(application, None, ApplicationState.submitted, reason, actor)
    from expo_crm.relationships.services import log_interaction

    log_interaction(
        "exhibitor",
        company.id,
        channel="system",
        direction="inbound",
        show_id=show_id,
        event=APPLIED,
        params={"area": str(area), "booth_type": application.booth_type.value},
        source_key=f"exhibitors.application.{application.id}",
    )
    audit.record(
        "application.create",
        application,
        after={
            "state": "submitted",
            "show_id": show_id,
            "referrer_company_id": application.referrer_company_id,
            "referrer_visitor_id": application.referrer_visitor_id,
        },
    )
    return application


def application_referral(token: str | None, company_id: int, show_id: int) -> dict[str, int]:
    """The referrer columns of an application made through a customer's referral link."""
    referrer = referrer_for(token, show_id)
    if referrer is None or referrer.attribution() == {"referrer_company_id": company_id}:
        return {}
    return referrer.attribution()


def _record_event(
    application: Application,
    old: ApplicationState | None,
    new: ApplicationState,
    reason: str,
    actor: tuple[str, int | None, str] | None,
) -> None:
    kind, actor_id, label = actor or audit._actor()
    application.events.append(
        ApplicationEvent(
            at=clock.now(),
            from_state=old,
            to_state=new,
            reason=reason.strip(),
            actor_kind=kind,
            actor_id=actor_id,
            actor_label=label,
        )
    )


def move_application(
    application: Application,
    new_state: ApplicationState | str,
    reason: str,
    actor: tuple[str, int | None, str] | None = None,
) -> Application:
    new = ApplicationState(new_state)
    old = application.state
    if new not in TRANSITIONS[old]:
        raise ExhibitorError(
            _("An application cannot go from “%(old)s” to “%(new)s”.", old=old.label, new=new.label)
        )
    if not reason.strip():
        raise ExhibitorError(_("Please give a reason for the change."))
    if old is ApplicationState.approved:
        signed = db.session.scalar(
            sa.select(Contract.id).where(
                Contract.application_id == application.id, Contract.state == ContractState.signed
            )
        )
        if signed:
            raise ExhibitorError(
                _("The contract is signed: cancel it before changing the application.")
            )
        for contract in db.session.scalars(
            sa.select(Contract).where(
                Contract.application_id == application.id, Contract.state == ContractState.draft
            )
        ):
            cancel_contract(contract, reason)
        for assignment in list(_assignments(application.id)):
            release_booth(assignment)
    application.state = new
    _record_event(application, old, new, reason, actor)
    audit.record(
        "application.state",
        application,
        {"state": old.value},
        {"state": new.value, "reason": reason},
    )
    if new is ApplicationState.approved:
        _invite_applicant(application)
    return application


def _invite_applicant(application: Application) -> None:
    """The contact who applied online gets a portal invitation when approved, unless it has a login."""
    from expo_crm.exhibitors.accounts import invite_contact, portal_login_of

    contact = application.contact
    if contact is None or not contact.email:
        return
    login = portal_login_of(contact)
    if login is not None and login.password_hash is not None:
        return
    invite_contact(contact)


def _assignments(application_id: int) -> list[BoothAssignment]:
    return list(
        db.session.scalars(
            sa.select(BoothAssignment).where(BoothAssignment.application_id == application_id)
        )
    )


def get_application_or_404(application_id: int) -> Application:
    return db.get_or_404(Application, application_id)
