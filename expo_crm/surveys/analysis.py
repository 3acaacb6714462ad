"""Satisfaction analysis of a campaign: what to fix, not only how satisfied people are.

The seeds define satisfaction as perceived performance compared with expectation (可感知效果与
期望值相比较), on three levels (product, service, social). Per item (a performance rating):
the gap to its paired expectation question, its importance (stated on its paired importance
question, or derived from how its ratings move with overall satisfaction and the NPS), and its
place in the importance–performance chart, whose crosshairs are the means of the items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm.db import LabeledEnum, db
from expo_crm.surveys.campaigns import category_label
from expo_crm.surveys.comments import WordGroup, word_groups
from expo_crm.surveys.models import (
    QuestionKind,
    QuestionRole,
    SatisfactionLevel,
    Segment,
    SurveyAnswer,
    SurveyCampaign,
    SurveyQuestion,
    SurveyResponse,
)

# Fewer paired answers than this give no correlation worth showing.
MIN_RESPONDENTS_FOR_CORRELATION = 3


class Quadrant(LabeledEnum):
    concentrate = "concentrate"
    keep_up = "keep_up"
    low_priority = "low_priority"
    overkill = "overkill"

    @classmethod
    def labels(cls) -> dict:
        return {
            "concentrate": _l("Concentrate here"),
            "keep_up": _l("Keep up the good work"),
            "low_priority": _l("Low priority"),
            "overkill": _l("Possible overkill"),
        }


class ImportanceMethod(LabeledEnum):
    stated = "stated"
    derived = "derived"

    @classmethod
    def labels(cls) -> dict:
        return {
            "stated": _l("Stated by respondents"),
            "derived": _l("Derived from overall satisfaction and NPS"),
        }


def quadrant_of(
    performance: float, importance: float, mean_performance: float, mean_importance: float
) -> Quadrant:
    """An item on a crosshair counts as high on that axis."""
    high_performance = performance >= mean_performance
    if importance >= mean_importance:
        return Quadrant.keep_up if high_performance else Quadrant.concentrate
    return Quadrant.overkill if high_performance else Quadrant.low_priority


def pearson(pairs: list[tuple[float, float]]) -> float | None:
    """Pearson's correlation coefficient; None for too few pairs or a constant side."""
    if len(pairs) < MIN_RESPONDENTS_FOR_CORRELATION:
        return None
    n = len(pairs)
    mean_x = sum(x for x, _ in pairs) / n
    mean_y = sum(y for _, y in pairs) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in pairs)
    sxx = sum((x - mean_x) ** 2 for x, _ in pairs)
    syy = sum((y - mean_y) ** 2 for _, y in pairs)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass
class Item:
    number: int  # the question's number in the survey, as respondents saw it
    question: SurveyQuestion
    performance: float | None = None
    answered: int = 0
    expectation_question: SurveyQuestion | None = None
    importance_question: SurveyQuestion | None = None
    # Over the respondents who answered both the item and its expectation question.
    paired: int = 0
    paired_performance: float | None = None
    expectation: float | None = None
    gap: float | None = None
    stated_importance: float | None = None
    # Correlation of the item's ratings with overall satisfaction and with the NPS.
    r_overall: float | None = None
    r_nps: float | None = None
    importance: float | None = None
    quadrant: Quadrant | None = None

    @property
    def derived_importance(self) -> float | None:
        found = [r for r in (self.r_overall, self.r_nps) if r is not None]
        return sum(found) / len(found) if found else None

    @property
    def level(self) -> SatisfactionLevel | None:
        return self.question.level


@dataclass
class LevelGroup:
    level: SatisfactionLevel | None
    items: list[Item]

    @property
    def label(self) -> str:
        return self.level.label if self.level else ""

    @property
    def performance(self) -> float | None:
        return _mean([i.performance for i in self.items if i.performance is not None])

    @property
    def gap(self) -> float | None:
        return _mean([i.gap for i in self.items if i.gap is not None])


@dataclass
class Analysis:
    campaign: SurveyCampaign
    segment: str
    category: str
    responses: int
    items: list[Item]
    method: ImportanceMethod
    stated_available: bool
    has_overall: bool
    has_nps: bool
    mean_performance: float | None = None
    mean_importance: float | None = None
    comments: list[str] = field(default_factory=list)
    words: list[WordGroup] = field(default_factory=list)

    @property
    def has_pairs(self) -> bool:
        return any(i.expectation_question is not None for i in self.items)

    @property
    def gap_items(self) -> list[Item]:
        return [i for i in self.items if i.gap is not None]

    @property
    def plotted(self) -> list[Item]:
        return [i for i in self.items if i.quadrant is not None]

    @property
    def levels(self) -> list[LevelGroup]:
        groups = [
            LevelGroup(level, [i for i in self.items if i.level is level])
            for level in SatisfactionLevel
        ]
        groups.append(LevelGroup(None, [i for i in self.items if i.level is None]))
        return [g for g in groups if g.items]

    def chart_data(self) -> dict:
        """The numbers the page's charts draw, rounded as the tables show them."""
        return {
            "ipa": [
                {
                    "number": i.number,
                    "text": i.question.text,
                    "performance": round(i.performance, 2),
                    "importance": round(i.importance, 2),
                    "quadrant": i.quadrant.value,
                }
                for i in self.plotted
            ],
            "mean_performance": None
            if self.mean_performance is None
            else round(self.mean_performance, 2),
            "mean_importance": None
            if self.mean_importance is None
            else round(self.mean_importance, 2),
            "quadrants": {q.value: q.label for q in Quadrant},
            "gaps": [
                {
                    "number": i.number,
                    "text": i.question.text,
                    "expectation": round(i.expectation, 2),
                    "performance": round(i.paired_performance, 2),
                    "gap": round(i.gap, 2),
                }
                for i in self.gap_items
            ],
        }


def segment_choices(campaign: SurveyCampaign) -> list[tuple[str, str, str]]:
    """(segment, category, label) of every respondent segment and category that answered."""
    rows = db.session.execute(
        sa.select(SurveyResponse.segment, SurveyResponse.category)
        .where(SurveyResponse.campaign_id == campaign.id)
        .distinct()
    ).all()
    choices = []
    for segment in Segment:
        categories = sorted({c for s, c in rows if Segment(s) is segment and c})
        if any(Segment(s) is segment for s, _ in rows):
            choices.append((segment.value, "", segment.label))
            choices.extend(
                (segment.value, c, f"{segment.label} · {category_label(c)}") for c in categories
            )
    return choices


def analyse(
    campaign: SurveyCampaign,
    segment: str | None = None,
    category: str | None = None,
    method: ImportanceMethod | str | None = None,
) -> Analysis:
    questions = list(campaign.survey.questions)
    numbers = {q.id: n for n, q in enumerate(questions, start=1)}
    query = sa.select(SurveyResponse.id).where(SurveyResponse.campaign_id == campaign.id)
    if segment:
        query = query.where(SurveyResponse.segment == Segment(segment))
        if category:
            query = query.where(SurveyResponse.category == category)
    response_ids = list(db.session.scalars(query))
    # answers[question id][response id] = the answer
    answers: dict[int, dict[int, SurveyAnswer]] = {}
    for start in range(0, len(response_ids), 500):
        for answer in db.session.scalars(
            sa.select(SurveyAnswer).where(
                SurveyAnswer.response_id.in_(response_ids[start : start + 500])
            )
        ):
            answers.setdefault(answer.question_id, {})[answer.response_id] = answer

    def numbers_of(question: SurveyQuestion | None) -> dict[int, float]:
        if question is None:
            return {}
        return {
            rid: float(a.number)
            for rid, a in answers.get(question.id, {}).items()
            if a.number is not None
        }

    overall = next((q for q in questions if q.role is QuestionRole.overall), None)
    nps = next((q for q in questions if q.kind is QuestionKind.nps), None)
    overall_by_response = numbers_of(overall)
    nps_by_response = numbers_of(nps)

    items = []
    for question in questions:
        if (
            question.kind is not QuestionKind.rating
            or question.role is not QuestionRole.performance
        ):
            continue
        item = Item(numbers[question.id], question)
        for other in questions:
            if other.pairs_with_id == question.id:
                if other.role is QuestionRole.expectation:
                    item.expectation_question = other
                elif other.role is QuestionRole.importance:
                    item.importance_question = other
        performance = numbers_of(question)
        item.answered = len(performance)
        item.performance = _mean(list(performance.values()))
        expectation = numbers_of(item.expectation_question)
        both = [rid for rid in performance if rid in expectation]
        item.paired = len(both)
        if both:
            item.paired_performance = _mean([performance[r] for r in both])
            item.expectation = _mean([expectation[r] for r in both])
            item.gap = _mean([performance[r] - expectation[r] for r in both])
        item.stated_importance = _mean(list(numbers_of(item.importance_question).values()))
        item.r_overall = pearson(
            [
                (performance[r], overall_by_response[r])
                for r in performance
                if r in overall_by_response
            ]
        )
        item.r_nps = pearson(
            [(performance[r], nps_by_response[r]) for r in performance if r in nps_by_response]
        )
        items.append(item)

    stated_available = any(i.stated_importance is not None for i in items)
    if method:
        method = ImportanceMethod(method)
    else:
        complete = items and all(i.stated_importance is not None for i in items)
        method = ImportanceMethod.stated if complete else ImportanceMethod.derived
    for item in items:
        item.importance = (
            item.stated_importance if method is ImportanceMethod.stated else item.derived_importance
        )

    analysis = Analysis(
        campaign=campaign,
        segment=segment or "",
        category=category or "",
        responses=len(response_ids),
        items=items,
        method=method,
        stated_available=stated_available,
        has_overall=overall is not None,
        has_nps=nps is not None,
    )
    placed = [i for i in items if i.performance is not None and i.importance is not None]
    # Quadrants need something to compare with: at least two items on the chart.
    if len(placed) >= 2:
        analysis.mean_performance = _mean([i.performance for i in placed])
        analysis.mean_importance = _mean([i.importance for i in placed])
        for item in placed:
            item.quadrant = quadrant_of(
                item.performance,
                item.importance,
                analysis.mean_performance,
                analysis.mean_importance,
            )

    texts = [
        answer.text
        for question in questions
        if question.kind is QuestionKind.text
        for answer in sorted(answers.get(question.id, {}).values(), key=lambda a: a.response_id)
        if answer.text
    ]
    analysis.comments = texts
    analysis.words = word_groups(texts)
    return analysis
