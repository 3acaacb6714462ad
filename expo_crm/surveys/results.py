"""Results of a campaign: response rate, NPS, averages, distributions, comments, by segment and category."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from expo_crm.db import db
from expo_crm.relationships.value import value_source
from expo_crm.surveys.campaigns import category_label
from expo_crm.surveys.models import (
    QuestionKind,
    SurveyAnswer,
    SurveyCampaign,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)


def nps_of(scores: list[int]) -> int | None:
    """Promoters (9–10) minus detractors (0–6), in percent of all answers."""
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return round(100 * (promoters - detractors) / len(scores))


def _mean(values: list) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(Decimal(v) for v in values)) / len(values)).quantize(Decimal("0.01"))


@dataclass
class Group:
    key: str
    label: str
    invited: int = 0
    responded: int = 0
    nps_scores: list[int] = field(default_factory=list)
    satisfaction: list[Decimal] = field(default_factory=list)

    @property
    def rate(self) -> int:
        return round(100 * self.responded / self.invited) if self.invited else 0

    @property
    def nps(self) -> int | None:
        return nps_of(self.nps_scores)

    @property
    def mean_satisfaction(self) -> Decimal | None:
        return _mean(self.satisfaction)


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int = 0
    mean: Decimal | None = None
    # (label, count) per value or option, in order
    distribution: list[tuple[str, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    nps: int | None = None

    @property
    def max_count(self) -> int:
        return max((n for _, n in self.distribution), default=0) or 1


@dataclass
class CampaignResults:
    campaign: SurveyCampaign
    total: Group
    by_segment: list[Group]
    by_category: list[Group]
    questions: list[QuestionResult]

    @property
    def promoters(self) -> int:
        return sum(1 for s in self.total.nps_scores if s >= 9)

    @property
    def detractors(self) -> int:
        return sum(1 for s in self.total.nps_scores if s <= 6)

    @property
    def passives(self) -> int:
        return len(self.total.nps_scores) - self.promoters - self.detractors


def campaign_results(campaign: SurveyCampaign, segment: str | None = None) -> CampaignResults:
    from expo_crm.surveys.models import Segment

    invited = db.session.execute(
        sa.select(
            SurveyInvitation.segment, SurveyInvitation.category, sa.func.count(SurveyInvitation.id)
        )
        .where(SurveyInvitation.campaign_id == campaign.id)
        .group_by(SurveyInvitation.segment, SurveyInvitation.category)
    ).all()
    responses_query = sa.select(SurveyResponse).where(SurveyResponse.campaign_id == campaign.id)
    if segment:
        responses_query = responses_query.where(SurveyResponse.segment == Segment(segment))
    responses = list(db.session.scalars(responses_query.order_by(SurveyResponse.submitted_at)))

    total = Group("all", "")
    segments: dict[str, Group] = {}
    categories: dict[str, Group] = {}
    for seg, category, count in invited:
        seg = Segment(seg)
        if segment and seg.value != segment:
            continue
        total.invited += count
        segments.setdefault(seg.value, Group(seg.value, seg.label)).invited += count
        categories.setdefault(category, Group(category, category_label(category))).invited += count
    for response in responses:
        seg = Segment(response.segment)
        for group in (
            total,
            segments.setdefault(seg.value, Group(seg.value, seg.label)),
            categories.setdefault(
                response.category, Group(response.category, category_label(response.category))
            ),
        ):
            group.responded += 1
            if response.nps is not None:
                group.nps_scores.append(response.nps)
            if response.satisfaction is not None:
                group.satisfaction.append(response.satisfaction)

    response_ids = [r.id for r in responses]
    answers: dict[int, list[SurveyAnswer]] = {}
    if response_ids:
        for answer in db.session.scalars(
            sa.select(SurveyAnswer).where(SurveyAnswer.response_id.in_(response_ids))
        ):
            answers.setdefault(answer.question_id, []).append(answer)
    questions = [_question_result(q, answers.get(q.id, [])) for q in campaign.survey.questions]
    return CampaignResults(
        campaign,
        total,
        sorted(segments.values(), key=lambda g: g.key),
        sorted(categories.values(), key=lambda g: g.key),
        questions,
    )


def _question_result(question: SurveyQuestion, answers: list[SurveyAnswer]) -> QuestionResult:
    result = QuestionResult(question, answered=len(answers))
    if question.kind in (QuestionKind.nps, QuestionKind.rating):
        low, high = (0, 10) if question.kind is QuestionKind.nps else (1, 5)
        numbers = [a.number for a in answers if a.number is not None]
        result.mean = _mean(numbers)
        result.distribution = [(str(v), numbers.count(v)) for v in range(low, high + 1)]
        if question.kind is QuestionKind.nps:
            result.nps = nps_of(numbers)
    elif question.kind is QuestionKind.single:
        labels = question.option_labels()
        result.distribution = [
            (label, sum(1 for a in answers if a.number == i)) for i, label in enumerate(labels)
        ]
    elif question.kind is QuestionKind.multiple:
        labels = question.option_labels()
        result.distribution = [
            (label, sum(1 for a in answers if i in (a.choices or [])))
            for i, label in enumerate(labels)
        ]
    else:
        result.texts = [a.text for a in answers if a.text]
    return result


@value_source("survey_query")
def survey_query() -> sa.Select:
    """(show_id, company_id, visitor_id, satisfaction, nps) of every response, as a query the
    nightly run builds on."""
    return sa.select(
        SurveyResponse.show_id,
        SurveyResponse.company_id,
        SurveyResponse.visitor_id,
        SurveyResponse.satisfaction,
        SurveyResponse.nps,
    )
