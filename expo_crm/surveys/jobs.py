"""The post-show steps of the service plan: send the survey, remind, close and report."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm.db import db
from expo_crm.mail.models import MailCategory
from expo_crm.mail.services import Attachment, enqueue_email
from expo_crm.scheduler.registry import plan_action
from expo_crm.shows.models import Show
from expo_crm.surveys import campaigns, reports
from expo_crm.surveys.models import CampaignState, SurveyCampaign


@plan_action(
    "surveys.send",
    label=_l("Satisfaction survey to exhibitors and checked-in visitors"),
    audience="exhibitors+visitors",
    anchor="open_to",
    offset_days=1,
    until=("open_to", 14),
    hour=10,
)
def send_survey(show: Show, at: datetime) -> int:
    campaign = campaigns.automatic_campaign(show, at)
    if campaign.state is CampaignState.closed:
        return 0
    return campaigns.send_campaign(campaign, at)


@plan_action(
    "surveys.remind",
    label=_l("Survey reminder to those who have not answered"),
    audience="exhibitors+visitors",
    anchor="open_to",
    offset_days=4,
    until=("open_to", 14),
    hour=10,
)
def remind_survey(show: Show, at: datetime) -> int:
    campaign = _automatic(show)
    return 0 if campaign is None else campaigns.remind(campaign, at)


@plan_action(
    "surveys.close",
    label=_l("Close the survey and email the report to service staff"),
    audience="staff",
    anchor="open_to",
    offset_days=14,
    until=("open_to", 60),
    hour=10,
)
def close_survey(show: Show, at: datetime) -> int:
    campaign = _automatic(show)
    if campaign is None:
        return 0
    campaigns.close_campaign(campaign, at)
    return email_report(campaign)


def _automatic(show: Show) -> SurveyCampaign | None:
    return db.session.scalar(
        sa.select(SurveyCampaign).where(SurveyCampaign.show_id == show.id, SurveyCampaign.automatic)
    )


def email_report(campaign: SurveyCampaign) -> int:
    """The PDF report to every active member of staff who manages surveys (once each)."""
    from expo_crm.auth.services import staff_with

    show = db.session.get(Show, campaign.show_id)
    queued = 0
    pdfs: dict[str, bytes] = {}
    for user in staff_with("surveys.manage"):
        language = user.locale or "zh"
        key = f"survey-report:{campaign.id}:{user.id}"
        if services_mail_queued(key):
            continue
        if language not in pdfs:
            pdfs[language] = reports.report_pdf(campaign, language)
        message = enqueue_email(
            user.email,
            "surveys/report",
            language=language,
            to_name=user.name,
            context={"show": show, "campaign": campaign, "user": user},
            attachments=[
                Attachment(f"survey-report-{show.code}.pdf", "application/pdf", pdfs[language])
            ],
            category=MailCategory.service,
            dedupe_key=key,
            show_id=show.id,
        )
        queued += message is not None
    return queued


def services_mail_queued(dedupe_key: str) -> bool:
    from expo_crm.mail.models import OutboxMessage

    return (
        db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
        is not None
    )
