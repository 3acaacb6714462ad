"""Surveys: the builder, campaigns and their one-time links, and taking a response."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from expo_crm import audit
from expo_crm.db import db, is_unique_violation
from expo_crm.mail.models import MailCategory
from expo_crm.mail.services import enqueue_email
from expo_crm.relationships.models import SubjectKind
from expo_crm.shows.models import Show
from expo_crm.surveys.models import (
    CampaignAudience,
    CampaignState,
    QuestionKind,
    Segment,
    Survey,
    SurveyAnswer,
    SurveyCampaign,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)

# A score at or below these opens a complaint for follow-up.
LOW_NPS = 6
LOW_SATISFACTION = Decimal(3)
CLOSE_AFTER_DAYS = 14  # after the last open day
CHOICE_KINDS = (QuestionKind.single, QuestionKind.multiple)


class SurveyError(ValueError):
    """Refused input; str(error) is a message for the user."""


# --- the builder ----------------------------------------------------------------------------


def create_survey(title_zh: str, title_en: str, intro_zh: str = "", intro_en: str = "") -> Survey:
    if not title_zh.strip() or not title_en.strip():
        raise SurveyError(_("Give the survey a title in both languages."))
    survey = Survey(title_zh=title_zh.strip(), title_en=title_en.strip(), intro_zh=intro_zh, intro_en=intro_en)
    db.session.add(survey)
    db.session.flush()
    audit.record("survey.create", survey, after={"title_en": survey.title_en})
    return survey


def parse_options(zh_lines: str, en_lines: str) -> list[dict]:
    zh = [line.strip() for line in zh_lines.splitlines() if line.strip()]
    en = [line.strip() for line in en_lines.splitlines() if line.strip()]
    if len(zh) != len(en):
        raise SurveyError(_("Give every option in both languages, one per line, in the same order."))
    return [{"zh": a, "en": b} for a, b in zip(zh, en, strict=True)]


def add_question(survey: Survey, kind: QuestionKind | str, text_zh: str, text_en: str,
                 options: list[dict] | None = None, required: bool = True) -> SurveyQuestion:
    kind = QuestionKind(kind)
    if not text_zh.strip() or not text_en.strip():
        raise SurveyError(_("Give the question in both languages."))
    options = options or []
    if kind in CHOICE_KINDS and len(options) < 2:
        raise SurveyError(_("A choice question needs at least two options."))
    if kind not in CHOICE_KINDS:
        options = []
    if _in_use(survey):
        raise SurveyError(_("This survey has been sent already; copy it to change its questions."))
    position = max((q.position for q in survey.questions), default=0) + 1
    question = SurveyQuestion(
        survey=survey, kind=kind, text_zh=text_zh.strip(), text_en=text_en.strip(),
        options=options, required=required, position=position,
    )
    db.session.add(question)
    db.session.flush()
    audit.record("survey.question_add", question, after={"kind": kind.value, "text_en": question.text_en})
    return question


def remove_question(question: SurveyQuestion) -> None:
    if _in_use(question.survey):
        raise SurveyError(_("This survey has been sent already; copy it to change its questions."))
    audit.record("survey.question_remove", question, before={"text_en": question.text_en})
    db.session.delete(question)


def _in_use(survey: Survey) -> bool:
    return db.session.scalar(
        sa.select(sa.func.count(SurveyCampaign.id)).where(
            SurveyCampaign.survey_id == survey.id, SurveyCampaign.state != CampaignState.draft
        )
    ) > 0


DEFAULT_QUESTIONS = (
    (QuestionKind.nps, "您有多大可能向同行推荐本展会?", "How likely are you to recommend this show to a colleague?", []),
    (QuestionKind.rating, "您对展会组织与服务的满意度", "How satisfied are you with the organisation and service?", []),
    (QuestionKind.rating, "您对观众/客商质量的满意度", "How satisfied are you with the quality of the people you met?", []),
    (QuestionKind.single, "您明年还会参加吗?", "Will you come again next year?",
     [{"zh": "会", "en": "Yes"}, {"zh": "不确定", "en": "Not sure"}, {"zh": "不会", "en": "No"}]),
    (QuestionKind.multiple, "您参展/参观的主要目的", "What did you come for?",
     [{"zh": "寻找新客户或供应商", "en": "Find new customers or suppliers"},
      {"zh": "了解新产品", "en": "See new products"},
      {"zh": "维护现有关系", "en": "Meet existing partners"},
      {"zh": "行业交流", "en": "Industry networking"}]),
    (QuestionKind.text, "还有什么建议或意见?", "Anything else you would like to tell us?", []),
)


def default_survey() -> Survey:
    """The survey the service plan sends; made with standard questions the first time."""
    survey = db.session.scalar(sa.select(Survey).where(Survey.is_default))
    if survey is not None:
        return survey
    survey = Survey(
        title_zh="展后满意度调查", title_en="Post-show satisfaction survey", is_default=True,
        intro_zh="感谢您参加本届展会。请花两分钟告诉我们您的感受。",
        intro_en="Thank you for taking part in the show. Two minutes of your time help us improve.",
    )
    db.session.add(survey)
    for position, (kind, zh, en, options) in enumerate(DEFAULT_QUESTIONS, start=1):
        required = kind in (QuestionKind.nps, QuestionKind.rating)
        survey.questions.append(SurveyQuestion(
            kind=kind, text_zh=zh, text_en=en, options=options, position=position, required=required,
        ))
    db.session.flush()
    return survey


# --- campaigns ---------------------------------------------------------------------------------


def default_close_at(show: Show) -> datetime:
    day = show.open_to + timedelta(days=CLOSE_AFTER_DAYS)
    return datetime.combine(day, time(10), tzinfo=show.tz)


def create_campaign(survey: Survey, show: Show, audience: CampaignAudience | str, closes_at: datetime,
                    *, at: datetime, created_by_id: int | None = None, automatic: bool = False) -> SurveyCampaign:
    if not survey.questions:
        raise SurveyError(_("The survey has no questions yet."))
    if closes_at <= at:
        raise SurveyError(_("The close date must be in the future."))
    campaign = SurveyCampaign(
        survey_id=survey.id, show_id=show.id, audience=CampaignAudience(audience), closes_at=closes_at,
        state=CampaignState.draft, automatic=automatic, created_by_id=created_by_id,
    )
    db.session.add(campaign)
    db.session.flush()
    audit.record("survey_campaign.create", campaign, after={"show_id": show.id, "audience": campaign.audience.value})
    return campaign


def automatic_campaign(show: Show, at: datetime) -> SurveyCampaign:
    """The plan's campaign for a show (one per show, made on first use)."""
    campaign = db.session.scalar(
        sa.select(SurveyCampaign).where(SurveyCampaign.show_id == show.id, SurveyCampaign.automatic)
    )
    if campaign is not None:
        return campaign
    closes_at = max(default_close_at(show), at + timedelta(days=1))
    return create_campaign(default_survey(), show, CampaignAudience.both, closes_at, at=at, automatic=True)


@dataclass(frozen=True)
class Recipient:
    kind: SubjectKind
    subject_id: int
    email: str
    name: str
    language: str
    segment: Segment
    category: str


def recipients(campaign: SurveyCampaign) -> list[Recipient]:
    """Primary contacts of exhibitors with a signed contract and/or checked-in visitors."""
    found: list[Recipient] = []
    if campaign.audience in (CampaignAudience.exhibitors, CampaignAudience.both):
        from expo_crm.exhibitors.contracts import primary_contacts

        for company, contact in primary_contacts(campaign.show_id):
            if contact.email:
                found.append(Recipient(
                    SubjectKind.exhibitor, company.id, contact.email, contact.name,
                    _language(contact.locale), Segment.exhibitor, "exhibitor",
                ))
    if campaign.audience in (CampaignAudience.visitors, CampaignAudience.both):
        from expo_crm.visitors.services import checked_in_registrations

        seen: set[int] = set()
        for registration in checked_in_registrations(campaign.show_id):
            category = getattr(registration.category, "value", registration.category)
            if category == "exhibitor_staff" or registration.visitor_id in seen:
                continue  # exhibitor staff answer through their company
            seen.add(registration.visitor_id)
            visitor = registration.visitor
            found.append(Recipient(
                SubjectKind.visitor, visitor.id, visitor.email, visitor.name,
                _language(visitor.locale), Segment.visitor, category,
            ))
    return found


def _language(locale: str | None) -> str:
    return "en" if (locale or "").startswith("en") else "zh"


def add_invitations(campaign: SurveyCampaign) -> int:
    """One invitation per recipient, once (unique per campaign and customer)."""
    existing_companies = set(db.session.scalars(
        sa.select(SurveyInvitation.company_id).where(SurveyInvitation.campaign_id == campaign.id)
    ))
    existing_visitors = set(db.session.scalars(
        sa.select(SurveyInvitation.visitor_id).where(SurveyInvitation.campaign_id == campaign.id)
    ))
    added = 0
    for recipient in recipients(campaign):
        have = existing_companies if recipient.kind is SubjectKind.exhibitor else existing_visitors
        if recipient.subject_id in have:
            continue
        have.add(recipient.subject_id)
        invitation = SurveyInvitation(
            campaign_id=campaign.id, email=recipient.email, name=recipient.name, language=recipient.language,
            segment=recipient.segment, category=recipient.category, nonce=secrets.token_hex(16),
        )
        if recipient.kind is SubjectKind.exhibitor:
            invitation.company_id = recipient.subject_id
        else:
            invitation.visitor_id = recipient.subject_id
        db.session.add(invitation)
        added += 1
    db.session.flush()
    return added


def invitations_of(campaign: SurveyCampaign, *, without_response: bool = False) -> list[SurveyInvitation]:
    query = sa.select(SurveyInvitation).where(SurveyInvitation.campaign_id == campaign.id).order_by(SurveyInvitation.id)
    if without_response:
        query = query.outerjoin(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id).where(
            SurveyResponse.id.is_(None)
        )
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
    for invitation in invitations_of(campaign):
        message = enqueue_email(
            invitation.email, "surveys/invitation", language=invitation.language, to_name=invitation.name,
            context=_mail_context(invitation, campaign, show), category=MailCategory.service,
            dedupe_key=f"survey:{campaign.id}:{invitation.id}", subject_ref=_subject_ref(invitation),
            show_id=campaign.show_id,
        )
        if message is not None:
            queued += 1
            invitation.invited_at = invitation.invited_at or at
    if campaign.state is CampaignState.draft:
        campaign.state = CampaignState.open
        campaign.sent_at = at
        audit.record("survey_campaign.send", campaign, after={"invitations": len(campaign_invitation_ids(campaign))})
    return queued


def campaign_invitation_ids(campaign: SurveyCampaign) -> list[int]:
    return list(db.session.scalars(sa.select(SurveyInvitation.id).where(SurveyInvitation.campaign_id == campaign.id)))


def remind(campaign: SurveyCampaign, at: datetime) -> int:
    """One reminder to each invitee who has not answered (while the campaign is open)."""
    if campaign.state is not CampaignState.open or at >= campaign.closes_at:
        return 0
    show = db.session.get(Show, campaign.show_id)
    queued = 0
    for invitation in invitations_of(campaign, without_response=True):
        message = enqueue_email(
            invitation.email, "surveys/reminder", language=invitation.language, to_name=invitation.name,
            context=_mail_context(invitation, campaign, show), category=MailCategory.service,
            dedupe_key=f"survey-reminder:{campaign.id}:{invitation.id}", subject_ref=_subject_ref(invitation),
            show_id=campaign.show_id,
        )
        if message is not None:
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


def _mail_context(invitation: SurveyInvitation, campaign: SurveyCampaign, show: Show) -> dict:
    return {
        "name": invitation.name, "show": show, "campaign": campaign,
        "link": current_app.config["BASE_URL"].rstrip("/") + "/s/" + token_for(invitation),
        "closes_on": campaign.closes_at.astimezone(show.tz).date(),
    }


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
    invitation = db.session.get(SurveyInvitation, invitation_id) if isinstance(invitation_id, int) else None
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
        return _("This survey closed on %(day)s. Thank you for your interest.",
                 day=campaign.closes_at.astimezone(campaign.show.tz).date().isoformat())
    if campaign.state is CampaignState.draft:
        return _("This survey link is not valid. Please use the link from your email.")
    return None


# --- responses --------------------------------------------------------------------------------------


def _parse_int(raw, low: int, high: int, question: SurveyQuestion) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise SurveyError(_("“%(q)s”: choose a value from %(low)d to %(high)d.", q=question.text, low=low, high=high)) from None
    if not low <= value <= high:
        raise SurveyError(_("“%(q)s”: choose a value from %(low)d to %(high)d.", q=question.text, low=low, high=high))
    return value


def parse_answers(questions: list[SurveyQuestion], form: dict[str, list[str]]) -> list[SurveyAnswer]:
    """Form values (q<id> -> list of strings) into answers; any bad value refuses the lot."""
    answers = []
    for question in questions:
        values = [v for v in form.get(f"q{question.id}", []) if str(v).strip() != ""]
        if not values:
            if question.required:
                raise SurveyError(_("Please answer “%(q)s”.", q=question.text))
            continue
        answer = SurveyAnswer(question_id=question.id)
        if question.kind is QuestionKind.nps:
            answer.number = _parse_int(values[0], 0, 10, question)
        elif question.kind is QuestionKind.rating:
            answer.number = _parse_int(values[0], 1, 5, question)
        elif question.kind is QuestionKind.single:
            answer.number = _parse_int(values[0], 0, len(question.options) - 1, question)
        elif question.kind is QuestionKind.multiple:
            picked = sorted({_parse_int(v, 0, len(question.options) - 1, question) for v in values})
            answer.choices = picked
        else:
            answer.text = str(values[0]).strip()[:4000]
        answers.append(answer)
    return answers


def submit_response(invitation: SurveyInvitation, form: dict[str, list[str]], at: datetime) -> SurveyResponse:
    """Record one response (once per invitation: a database unique key), and follow up a low score."""
    problem = link_problem(invitation, at)
    if problem:
        raise SurveyError(problem)
    campaign = invitation.campaign
    questions = list(campaign.survey.questions)
    answers = parse_answers(questions, form)
    kinds = {q.id: q.kind for q in questions}
    nps = next((a.number for a in answers if kinds[a.question_id] is QuestionKind.nps), None)
    ratings = [a.number for a in answers if kinds[a.question_id] is QuestionKind.rating]
    satisfaction = (
        (Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if ratings else None
    )
    response = SurveyResponse(
        campaign_id=campaign.id, invitation_id=invitation.id, show_id=campaign.show_id, submitted_at=at,
        nps=nps, satisfaction=satisfaction, segment=invitation.segment, category=invitation.category,
        company_id=invitation.company_id, visitor_id=invitation.visitor_id,
    )
    response.answers.extend(answers)
    db.session.add(response)
    try:
        db.session.flush()
    except sa.exc.IntegrityError as clash:
        db.session.rollback()
        if is_unique_violation(clash):
            raise SurveyError(_("This survey has already been answered with this link. Thank you!")) from None
        raise
    _follow_up(response, invitation, questions, answers)
    return response


def _follow_up(response: SurveyResponse, invitation: SurveyInvitation, questions, answers) -> None:
    from expo_crm.relationships.models import Channel, Direction, Tone
    from expo_crm.relationships.services import log_interaction

    low = (response.nps is not None and response.nps <= LOW_NPS) or (
        response.satisfaction is not None and response.satisfaction < LOW_SATISFACTION
    )
    scores = []
    if response.nps is not None:
        scores.append(f"NPS {response.nps}")
    if response.satisfaction is not None:
        scores.append(_("satisfaction %(score)s", score=response.satisfaction))
    comments = [a.text for a in answers if a.text]
    kind, subject_id = invitation.subject_kind, invitation.subject_id
    log_interaction(
        kind, subject_id, channel=Channel.survey, direction=Direction.inbound,
        subject=_("Survey answered: %(scores)s", scores=", ".join(scores) or "-"),
        notes="\n".join(comments), tone=Tone.negative if low else Tone.positive,
        show_id=response.show_id, occurred_at=response.submitted_at,
        source_key=f"survey-response:{response.id}",
    )
    if low:
        from expo_crm.relationships.services import open_complaint

        description = _("Low survey score (%(scores)s).", scores=", ".join(scores))
        if comments:
            description += "\n" + "\n".join(comments)
        open_complaint(
            kind, subject_id, description=description, category="service",
            severity="high" if (response.nps is not None and response.nps <= 3) else "medium",
            show_id=response.show_id, source="survey", source_key=f"survey-response:{response.id}",
        )


def latest_response(kind: SubjectKind | str, subject_id: int) -> SurveyResponse | None:
    """The customer's most recent answer (the life cycle reads its nps and satisfaction)."""
    column = SurveyResponse.company_id if SubjectKind(kind) is SubjectKind.exhibitor else SurveyResponse.visitor_id
    return db.session.scalar(
        sa.select(SurveyResponse).where(column == subject_id)
        .order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc()).limit(1)
    )


def campaigns(show_id: int | None = None) -> list[SurveyCampaign]:
    query = sa.select(SurveyCampaign).order_by(SurveyCampaign.id.desc())
    if show_id:
        query = query.where(SurveyCampaign.show_id == show_id)
    return list(db.session.scalars(query))


def surveys() -> list[Survey]:
    return list(db.session.scalars(sa.select(Survey).order_by(Survey.id)))
