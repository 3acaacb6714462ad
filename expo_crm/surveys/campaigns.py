"""Survey campaigns: who is invited, sending and reminders, closing, and the one-time links."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from expo_crm import audit
from expo_crm.db import db
from expo_crm.mail.models import MailCategory
from expo_crm.mail.services import Addressee, enqueue_many
from expo_crm.shows.models import Show
from expo_crm.subjects import SubjectKind
from expo_crm.surveys.models import (
    CampaignAudience,
    CampaignState,
    Segment,
    Survey,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)
from expo_crm.surveys.services import SurveyError, default_survey

CLOSE_AFTER_DAYS = 14  # after the last open day


def default_close_at(show: Show) -> datetime:
    day = show.open_to + timedelta(days=CLOSE_AFTER_DAYS)
    return datetime.combine(day, time(10), tzinfo=show.tz)


def create_campaign(
    survey: Survey,
    show: Show,
    audience: CampaignAudience | str,
    closes_at: datetime,
    *,
    at: datetime,
    created_by_id: int | None = None,
    automatic: bool = False,
) -> SurveyCampaign:
    if not survey.questions:
        raise SurveyError(_("The survey has no questions yet."))
    if closes_at <= at:
        raise SurveyError(_("The close date must be in the future."))
    campaign = SurveyCampaign(
        survey_id=survey.id,
        show_id=show.id,
        audience=CampaignAudience(audience),
        closes_at=closes_at,
        state=CampaignState.draft,
        automatic=automatic,
        created_by_id=created_by_id,
    )
    db.session.add(campaign)
    db.session.flush()
    audit.record(
        "survey_campaign.create",
        campaign,
        after={"show_id": show.id, "audience": campaign.audience.value},
    )
    return campaign


def automatic_campaign(show: Show, at: datetime) -> SurveyCampaign:
    """The plan's campaign for a show (one per show, made on first use)."""
    campaign = db.session.scalar(
        sa.select(SurveyCampaign).where(SurveyCampaign.show_id == show.id, SurveyCampaign.automatic)
    )
    if campaign is not None:
        return campaign
    closes_at = max(default_close_at(show), at + timedelta(days=1))
    return create_campaign(
        default_survey(), show, CampaignAudience.both, closes_at, at=at, automatic=True
    )


@dataclass(frozen=True)
class Recipient:
    kind: SubjectKind
    subject_id: int
    email: str
    name: str
    language: str
    segment: Segment
    category: str


@dataclass(frozen=True)
class Audience:
    """Whom a campaign reaches in one segment: each blueprint registers its own."""

    recipients: Callable[[int], list[Recipient]]  # show_id -> who is asked
    category_label: Callable[[str], str | None]  # a recipient's category key -> its label


_audiences: dict[Segment, Audience] = {}


def register_audience(segment: Segment, audience: Audience) -> None:
    _audiences[segment] = audience


def _audience(segment: Segment) -> Audience:
    if segment not in _audiences:
        raise LookupError(f"no survey audience is registered for {segment.value!r}")
    return _audiences[segment]


def category_label(key: str) -> str:
    for audience in _audiences.values():
        label = audience.category_label(key)
        if label is not None:
            return label
    return key


def recipients(campaign: SurveyCampaign) -> list[Recipient]:
    """Primary contacts of exhibitors with a signed contract and/or checked-in visitors."""
    found: list[Recipient] = []
    if campaign.audience in (CampaignAudience.exhibitors, CampaignAudience.both):
        found.extend(_audience(Segment.exhibitor).recipients(campaign.show_id))
    if campaign.audience in (CampaignAudience.visitors, CampaignAudience.both):
        found.extend(_audience(Segment.visitor).recipients(campaign.show_id))
    return found


def language_of(locale: str | None) -> str:
    return "en" if (locale or "").startswith("en") else "zh"


def pending_recipients(campaign: SurveyCampaign) -> list:
    """The recipients the next "send" would invite: each customer once, none invited already."""
    have = {
        SubjectKind.exhibitor: set(
            db.session.scalars(
                sa.select(SurveyInvitation.company_id).where(
                    SurveyInvitation.campaign_id == campaign.id
                )
            )
        ),
        SubjectKind.visitor: set(
            db.session.scalars(
                sa.select(SurveyInvitation.visitor_id).where(
                    SurveyInvitation.campaign_id == campaign.id
                )
            )
        ),
    }
    found = []
    for recipient in recipients(campaign):
        seen = have[
            SubjectKind.exhibitor
            if recipient.kind is SubjectKind.exhibitor
            else SubjectKind.visitor
        ]
        if recipient.subject_id in seen:
            continue
        seen.add(recipient.subject_id)
        found.append(recipient)
    return found


def add_invitations(campaign: SurveyCampaign) -> int:
    """One invitation per recipient, once (unique per campaign and customer)."""
    rows = [
        {
            "campaign_id": campaign.id,
            "email": recipient.email,
            "name": recipient.name,
            "language": recipient.language,
            "segment": recipient.segment,
            "category": recipient.category,
            "nonce": secrets.token_hex(16),
            "company_id": recipient.subject_id if recipient.kind is SubjectKind.exhibitor else None,
            "visitor_id": None if recipient.kind is SubjectKind.exhibitor else recipient.subject_id,
            "supplier_id": None,
            "partner_id": None,
        }
        for recipient in pending_recipients(campaign)
    ]
    if rows:
        db.session.execute(sa.insert(SurveyInvitation.__table__), rows)
    return len(rows)


def invitations_of(
    campaign: SurveyCampaign, *, without_response: bool = False
) -> list[SurveyInvitation]:
    query = (
        sa.select(SurveyInvitation)
        .where(SurveyInvitation.campaign_id == campaign.id)
        .order_by(SurveyInvitation.id)
    )
    if without_response:
        query = query.outerjoin(
            SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id
        ).where(SurveyResponse.id.is_(None))
    return list(db.session.scalars(query))


def send_campaign(campaign: SurveyCampaign, at: datetime) -> int:
    """Invite every recipient (once each). Returns how many emails were queued now."""
    if campaign.state is CampaignState.closed:
        raise SurveyError(_("This campaign is closed."))
    add_invitations(campaign)
    invitees = _invitees(campaign)
    queued = _queue_mails(campaign, invitees, "surveys/invitation", dedupe_prefix="survey")
    _stamp(SurveyInvitation.invited_at, queued, at, only_unset=True)
    if campaign.state is CampaignState.draft:
        campaign.state = CampaignState.open
        campaign.sent_at = at
        audit.record(
            "survey_campaign.send",
            campaign,
            after={"invitations": len(invitees)},
        )
    return len(queued)


def remind(campaign: SurveyCampaign, at: datetime) -> int:
    """One reminder to each invitee who has not answered (while the campaign is open)."""
    if campaign.state is not CampaignState.open or at >= campaign.closes_at:
        return 0
    invitees = _invitees(campaign, without_response=True)
    queued = _queue_mails(campaign, invitees, "surveys/reminder", dedupe_prefix="survey-reminder")
    _stamp(SurveyInvitation.reminded_at, queued, at)
    return len(queued)


def _invitees(campaign: SurveyCampaign, *, without_response: bool = False) -> list[sa.Row]:
    """What queueing needs of each invitation, as plain rows (no ORM objects to load)."""
    query = (
        sa.select(
            SurveyInvitation.id,
            SurveyInvitation.nonce,
            SurveyInvitation.email,
            SurveyInvitation.name,
            SurveyInvitation.language,
            SurveyInvitation.company_id,
            SurveyInvitation.visitor_id,
        )
        .where(SurveyInvitation.campaign_id == campaign.id)
        .order_by(SurveyInvitation.id)
    )
    if without_response:
        query = query.outerjoin(
            SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id
        ).where(SurveyResponse.id.is_(None))
    return list(db.session.execute(query))


def _stamp(column, invitation_ids: list[int], at: datetime, *, only_unset: bool = False) -> None:
    for start in range(0, len(invitation_ids), 500):
        query = sa.update(SurveyInvitation).where(
            SurveyInvitation.id.in_(invitation_ids[start : start + 500])
        )
        if only_unset:
            query = query.where(column.is_(None))
        db.session.execute(query.values({column: at}))


def close_campaign(campaign: SurveyCampaign, at: datetime) -> bool:
    if campaign.state is CampaignState.closed:
        return False
    campaign.state = CampaignState.closed
    campaign.closed_at = at
    audit.record("survey_campaign.close", campaign, after={"closed_at": at})
    return True


def _queue_mails(
    campaign: SurveyCampaign, invitees: list[sa.Row], template: str, *, dedupe_prefix: str
) -> list[int]:
    """Queue one survey email to each invitee, rendered once per language with the invitee's
    name and link put in; returns the ids of the invitations whose email was queued now (a
    dedupe key queued before is skipped)."""
    show = db.session.get(Show, campaign.show_id)
    context = {
        "show": show,
        "campaign": campaign,
        "closes_on": campaign.closes_at.astimezone(show.tz).date(),
    }
    base = current_app.config["BASE_URL"].rstrip("/") + "/s/"
    serializer = _serializer()
    by_language: dict[str, list[Addressee]] = {}
    invitation_of: dict[str, int] = {}
    for invitee in invitees:
        key = f"{dedupe_prefix}:{campaign.id}:{invitee.id}"
        invitation_of[key] = invitee.id
        by_language.setdefault(invitee.language, []).append(
            Addressee(
                address=invitee.email,
                name=invitee.name,
                dedupe_key=key,
                personal={
                    "name": invitee.name,
                    "link": base + serializer.dumps([invitee.id, invitee.nonce]),
                },
                subject_ref=(SubjectKind.exhibitor, invitee.company_id)
                if invitee.company_id is not None
                else (SubjectKind.visitor, invitee.visitor_id),
            )
        )
    queued: list[int] = []
    for language, addressees in by_language.items():
        keys = enqueue_many(
            template,
            addressees,
            language=language,
            context=context,
            category=MailCategory.service,
            show_id=campaign.show_id,
        )
        queued.extend(invitation_of[key] for key in keys)
    return sorted(queued)


def campaigns(show_id: int | None = None) -> list[SurveyCampaign]:
    query = sa.select(SurveyCampaign).order_by(SurveyCampaign.id.desc())
    if show_id:
        query = query.where(SurveyCampaign.show_id == show_id)
    return list(db.session.scalars(query))


# --- one-time links ------------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="expo-crm-survey")


def token_for(invitation: SurveyInvitation) -> str:
    return _serializer().dumps([invitation.id, invitation.nonce])


def invitation_from_token(token: str) -> SurveyInvitation | None:
    """The invitation a link was made for; None when the link is forged or damaged."""
    try:
        invitation_id, nonce = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    invitation = (
        db.session.get(SurveyInvitation, invitation_id) if isinstance(invitation_id, int) else None
    )
    if invitation is None or not secrets.compare_digest(invitation.nonce, str(nonce)):
        return None
    return invitation


def link_problem(invitation: SurveyInvitation | None, at: datetime) -> str | None:
    """Why this link cannot be answered now, or None."""
    if invitation is None:
        return _("This survey link is not valid. Please use the link from your email.")
    if invitation.response is not None:
        return _("This survey has already been answered with this link. Thank you!")
    campaign = invitation.campaign
    if campaign.state is CampaignState.closed or at >= campaign.closes_at:
        return _(
            "This survey closed on %(day)s. Thank you for your interest.",
            day=campaign.closes_at.astimezone(campaign.show.tz).date().isoformat(),
        )
    if campaign.state is CampaignState.draft:
        return _("This survey link is not valid. Please use the link from your email.")
    return None
