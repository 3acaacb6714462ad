"""Taking a survey response: checking the answers, and following up a low score."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from expo_crm.db import db, is_unique_violation
from expo_crm.surveys.campaigns import link_problem
from expo_crm.surveys.models import (
    LOW_SCORE,
    QuestionKind,
    QuestionRole,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    answered_event,
)
from expo_crm.surveys.services import SurveyError

# A score at or below these opens a complaint for follow-up.
LOW_NPS = 6
LOW_SATISFACTION = Decimal(3)


def _parse_int(raw, low: int, high: int, question: SurveyQuestion) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise SurveyError(
            _(
                "“%(q)s”: choose a value from %(low)d to %(high)d.",
                q=question.text,
                low=low,
                high=high,
            )
        ) from None
    if not low <= value <= high:
        raise SurveyError(
            _(
                "“%(q)s”: choose a value from %(low)d to %(high)d.",
                q=question.text,
                low=low,
                high=high,
            )
        )
    return value


def parse_answers(
    questions: list[SurveyQuestion], form: dict[str, list[str]]
) -> list[SurveyAnswer]:
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


def submit_response(
    invitation: SurveyInvitation, form: dict[str, list[str]], at: datetime
) -> SurveyResponse:
    """Record one response (once per invitation: a database unique key), and follow up a low score."""
    problem = link_problem(invitation, at)
    if problem:
        raise SurveyError(problem)
    campaign = invitation.campaign
    questions = list(campaign.survey.questions)
    answers = parse_answers(questions, form)
    kinds = {q.id: q.kind for q in questions}
    # Satisfaction is how it was: expectation and importance answers are not part of it.
    scored = {q.id for q in questions if q.role in (QuestionRole.performance, QuestionRole.overall)}
    nps = next((a.number for a in answers if kinds[a.question_id] is QuestionKind.nps), None)
    ratings = [
        a.number
        for a in answers
        if kinds[a.question_id] is QuestionKind.rating and a.question_id in scored
    ]
    satisfaction = (
        (Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if ratings
        else None
    )
    response = SurveyResponse(
        campaign_id=campaign.id,
        invitation_id=invitation.id,
        show_id=campaign.show_id,
        submitted_at=at,
        nps=nps,
        satisfaction=satisfaction,
        segment=invitation.segment,
        category=invitation.category,
        company_id=invitation.company_id,
        visitor_id=invitation.visitor_id,
    )
    response.answers.extend(answers)
    db.session.add(response)
    try:
        db.session.flush()
    except sa.exc.IntegrityError as clash:
        db.session.rollback()
        if is_unique_violation(clash):
            raise SurveyError(
                _("This survey has already been answered with this link. Thank you!")
            ) from None
        raise
    _follow_up(response, invitation, questions, answers)
    return response


def _follow_up(response: SurveyResponse, invitation: SurveyInvitation, questions, answers) -> None:
    from expo_crm.relationships.models import Channel, Direction, Tone
    from expo_crm.relationships.services import log_interaction

    low = (response.nps is not None and response.nps <= LOW_NPS) or (
        response.satisfaction is not None and response.satisfaction < LOW_SATISFACTION
    )
    event, params = answered_event(response.nps, response.satisfaction)
    comments = [a.text for a in answers if a.text]
    kind, subject_id = invitation.subject_kind, invitation.subject_id
    log_interaction(
        kind,
        subject_id,
        channel=Channel.survey,
        direction=Direction.inbound,
        event=event,
        params=params,
        notes="\n".join(comments),
        tone=Tone.negative if low else Tone.positive,
        show_id=response.show_id,
        occurred_at=response.submitted_at,
        source_key=f"survey-response:{response.id}",
    )
    if low:
        from expo_crm.relationships.complaints import open_complaint

        open_complaint(
            kind,
            subject_id,
            description="\n".join(comments),  # the customer's own words; the score is the event
            event=LOW_SCORE,
            params=params,
            category="service",
            severity="high" if (response.nps is not None and response.nps <= 3) else "medium",
            show_id=response.show_id,
            source="survey",
            source_key=f"survey-response:{response.id}",
        )
