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
from expo_crm.mail.services import enqueue_email, look_up_dedupe_keys
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
    added = 0
    for recipient in pending_recipients(campaign):
        invitation = SurveyInvitation(
            campaign_id=campaign.id,
            email=recipient.email,
            name=recipient.name,
            language=recipient.language,
            segment=recipient.segment,
            category=recipient.category,
            nonce=secrets.token_hex(16),
        )
        if recipient.kind is SubjectKind.exhibitor:
            invitation.company_id = recipient.subject_id
        else:
            invitation.visitor_id = recipient.subject_id
        db.session.add(invitation)
        added += 1
    db.session.flush()
    return added


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


def _subject_ref(invitation: SurveyInvitation) -> tuple[SubjectKind, int]:
    return invitation.subject_kind, invitation.subject_id


def send_campaign(campaign: SurveyCampaign, at: datetime) -> int:
    """Invite every recipient (once each). Returns how many emails were queued now."""
    if campaign.state is CampaignState.closed:
        raise SurveyError(_("This campaign is closed."))
    add_invitations(campaign)
    queued = 0
    show = db.session.get(Show, campaign.show_id)
    invitations = invitations_of(campaign)
    look_up_dedupe_keys([_dedupe_key("survey", campaign, i) for i in invitations])
    for invitation in invitations:
        if _queue_mail(invitation, campaign, show, "surveys/invitation", dedupe_prefix="survey"):
            queued += 1
            invitation.invited_at = invitation.invited_at or at
    if campaign.state is CampaignState.draft:
        campaign.state = CampaignState.open
        campaign.sent_at = at
        audit.record(
            "survey_campaign.send",
            campaign,
            after={"invitations": len(invitations)},
        )
    return queued


def remind(campaign: SurveyCampaign, at: datetime) -> int:
    """One reminder to each invitee who has not answered (while the campaign is open)."""
    if campaign.state is not CampaignState.open or at >= campaign.closes_at:
        return 0
    show = db.session.get(Show, campaign.show_id)
    queued = 0
    invitations = invitations_of(campaign, without_response=True)
    look_up_dedupe_keys([_dedupe_key("survey-reminder", campaign, i) for i in invitations])
    for invitation in invitations:
        if _queue_mail(
            invitation, campaign, show, "surveys/reminder", dedupe_prefix="survey-reminder"
        ):
            queued += 1
            invitation.reminded_at = at
    return queued


def close_campaign(campaign: SurveyCampaign, at: datetime) -> bool:
    if campaign.state is CampaignState.closed:
        return False
    campaign.state = CampaignState.closed
    campaign.closed_at = at
    audit.record("survey_campaign.close", campaign, after={"closed_at": at})
    return True


def _queue_mail(
    invitation: SurveyInvitation,
    campaign: SurveyCampaign,
    show: Show,
    template: str,
    *,
    dedupe_prefix: str,
) -> bool:
    """Queue one survey email to the invitee; False when it was queued before (dedupe key)."""
    message = enqueue_email(
        invitation.email,
        template,
        language=invitation.language,
        to_name=invitation.name,
        context=_mail_context(invitation, campaign, show),
        category=MailCategory.service,
        dedupe_key=_dedupe_key(dedupe_prefix, campaign, invitation),
        subject_ref=_subject_ref(invitation),
        show_id=campaign.show_id,
    )
    return message is not None


def _dedupe_key(prefix: str, campaign: SurveyCampaign, invitation: SurveyInvitation) -> str:
    return f"{prefix}:{campaign.id}:{invitation.id}"


def _mail_context(invitation: SurveyInvitation, campaign: SurveyCampaign, show: Show) -> dict:
    return {
        "name": invitation.name,
        "show": show,
        "campaign": campaign,
        "link": current_app.config["BASE_URL"].rstrip("/") + "/s/" + token_for(invitation),
        "closes_on": campaign.closes_at.astimezone(show.tz).date(),
    }


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
