"""Surveys: the builder (surveys, their questions, the default post-show survey)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from expo_crm import audit
from expo_crm.db import db
from expo_crm.errors import UserError
from expo_crm.surveys.models import (
    PAIRED_ROLES,
    CampaignState,
    QuestionKind,
    QuestionRole,
    SatisfactionLevel,
    Survey,
    SurveyAnswer,
    SurveyCampaign,
    SurveyQuestion,
)

CHOICE_KINDS = (QuestionKind.single, QuestionKind.multiple)


class SurveyError(UserError):
    """Refused input; str(error) is a message for the user."""


def create_survey(title_zh: str, title_en: str, intro_zh: str = "", intro_en: str = "") -> Survey:
    if not title_zh.strip() or not title_en.strip():
        raise SurveyError(_("Give the survey a title in both languages."))
    survey = Survey(
        title_zh=title_zh.strip(), title_en=title_en.strip(), intro_zh=intro_zh, intro_en=intro_en
    )
    db.session.add(survey)
    db.session.flush()
    audit.record("survey.create", survey, after={"title_en": survey.title_en})
    return survey


def parse_options(zh_lines: str, en_lines: str) -> list[dict]:
    zh = [line.strip() for line in zh_lines.splitlines() if line.strip()]
    en = [line.strip() for line in en_lines.splitlines() if line.strip()]
    if len(zh) != len(en):
        raise SurveyError(
            _("Give every option in both languages, one per line, in the same order.")
        )
    return [{"zh": a, "en": b} for a, b in zip(zh, en, strict=True)]


def add_question(
    survey: Survey,
    kind: QuestionKind | str,
    text_zh: str,
    text_en: str,
    options: list[dict] | None = None,
    required: bool = True,
    *,
    role: QuestionRole | str = QuestionRole.performance,
    level: SatisfactionLevel | str | None = None,
    pairs_with: SurveyQuestion | None = None,
) -> SurveyQuestion:
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
        survey=survey,
        kind=kind,
        text_zh=text_zh.strip(),
        text_en=text_en.strip(),
        options=options,
        required=required,
        position=position,
    )
    with db.session.no_autoflush:
        _check_analysis_properties(survey, question, role, level, pairs_with)
    db.session.add(question)
    db.session.flush()
    audit.record(
        "survey.question_add", question, after={"kind": kind.value, "text_en": question.text_en}
    )
    return question


def set_analysis_properties(
    question: SurveyQuestion,
    role: QuestionRole | str,
    level: SatisfactionLevel | str | None,
    pairs_with: SurveyQuestion | None,
) -> None:
    """What a question measures for the analysis (its role, its pair, its level). Respondents
    never see these, so they may change after the survey was sent."""
    before = _properties(question)
    _check_analysis_properties(question.survey, question, role, level, pairs_with)
    db.session.flush()
    audit.record("survey.question_properties", question, before=before, after=_properties(question))


def _properties(question: SurveyQuestion) -> dict:
    return {
        "role": question.role.value if question.role else None,
        "level": question.level.value if question.level else None,
        "pairs_with_id": question.pairs_with_id,
    }


def _check_analysis_properties(
    survey: Survey,
    question: SurveyQuestion,
    role: QuestionRole | str,
    level: SatisfactionLevel | str | None,
    pairs_with: SurveyQuestion | None,
) -> None:
    """Check and set role, level and pair; refusals say what to change."""
    role = QuestionRole(role or QuestionRole.performance)
    level = SatisfactionLevel(level) if level else None
    if role is not QuestionRole.performance and question.kind is not QuestionKind.rating:
        raise SurveyError(
            _(
                "Only a rating question can ask about expectation, importance or overall satisfaction."
            )
        )
    if question.id and role is not QuestionRole.performance:
        paired = db.session.scalar(
            sa.select(sa.func.count(SurveyQuestion.id)).where(
                SurveyQuestion.pairs_with_id == question.id
            )
        )
        if paired:
            raise SurveyError(
                _("Other questions are paired with this one: change or remove them first.")
            )
    if role in PAIRED_ROLES:
        if pairs_with is None:
            raise SurveyError(_("Choose the performance question this question is paired with."))
        if (
            pairs_with.survey_id != survey.id
            or pairs_with.kind is not QuestionKind.rating
            or pairs_with.role is not QuestionRole.performance
            or pairs_with is question
        ):
            raise SurveyError(
                _("A question can only be paired with a performance rating of the same survey.")
            )
        taken = db.session.scalar(
            sa.select(SurveyQuestion.id).where(
                SurveyQuestion.pairs_with_id == pairs_with.id,
                SurveyQuestion.role == role,
                SurveyQuestion.id != question.id if question.id else sa.true(),
            )
        )
        if taken is not None:
            raise SurveyError(_("“%(q)s” already has a question of this role.", q=pairs_with.text))
        # The pair shares the level of the question it asks about.
        level = pairs_with.level
    else:
        pairs_with = None
    if role is QuestionRole.overall:
        other = db.session.scalar(
            sa.select(SurveyQuestion.id).where(
                SurveyQuestion.survey_id == survey.id,
                SurveyQuestion.role == QuestionRole.overall,
                SurveyQuestion.id != question.id if question.id else sa.true(),
            )
        )
        if other is not None:
            raise SurveyError(_("This survey already has an overall satisfaction question."))
    question.role = role
    question.level = level
    question.pairs_with = pairs_with
    question.pairs_with_id = pairs_with.id if pairs_with is not None else None
    if question.id and role is QuestionRole.performance:
        for paired in db.session.scalars(
            sa.select(SurveyQuestion).where(SurveyQuestion.pairs_with_id == question.id)
        ):
            paired.level = level


def answer_counts(survey: Survey) -> dict[int, int]:
    """How many answers each question of the survey has (questions without answers left out)."""
    return dict(
        db.session.execute(
            sa.select(SurveyAnswer.question_id, sa.func.count(SurveyAnswer.id))
            .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .where(SurveyQuestion.survey_id == survey.id)
            .group_by(SurveyAnswer.question_id)
        ).all()
    )


def remove_question(question: SurveyQuestion) -> None:
    """A question that has answers is never deleted: its answers are the results."""
    answered = answer_counts(question.survey).get(question.id, 0)
    paired = [q for q in question.survey.questions if q.pairs_with_id == question.id]
    if paired:
        raise SurveyError(
            _("Other questions are paired with this one: change or remove them first.")
        )
    if answered:
        raise SurveyError(
            _(
                "Answers to this question: %(num)d. A question with answers cannot be removed.",
                num=answered,
            )
        )
    if _in_use(question.survey):
        raise SurveyError(_("This survey has been sent already; copy it to change its questions."))
    audit.record("survey.question_remove", question, before={"text_en": question.text_en})
    db.session.delete(question)


def _in_use(survey: Survey) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count(SurveyCampaign.id)).where(
                SurveyCampaign.survey_id == survey.id, SurveyCampaign.state != CampaignState.draft
            )
        )
        > 0
    )


DEFAULT_QUESTIONS = (
    (
        QuestionKind.nps,
        "您有多大可能向同行推荐本展会?",
        "How likely are you to recommend this show to a colleague?",
        [],
    ),
    (
        QuestionKind.single,
        "您明年还会参加吗?",
        "Will you come again next year?",
        [{"zh": "会", "en": "Yes"}, {"zh": "不确定", "en": "Not sure"}, {"zh": "不会", "en": "No"}],
    ),
    (
        QuestionKind.multiple,
        "您参展/参观的主要目的",
        "What did you come for?",
        [
            {"zh": "寻找新客户或供应商", "en": "Find new customers or suppliers"},
            {"zh": "了解新产品", "en": "See new products"},
            {"zh": "维护现有关系", "en": "Meet existing partners"},
            {"zh": "行业交流", "en": "Industry networking"},
        ],
    ),
    # Two loyalty measures of the seeds (对待竞争产品的态度, 对产品质量的宽容度), optional; each
    # option carries the measure it informs and its score (1 loyal … 0 not), read by
    # results.loyalty_answers.
    (
        QuestionKind.single,
        "您是否考虑改去参加同类竞争展会?",
        "Would you consider a competing show instead of this one?",
        [
            {
                "zh": "不会，我们只参加本展",
                "en": "No, we stay with this show",
                "loyalty": "competitors",
                "score": 1,
            },
            {"zh": "也许", "en": "Perhaps", "loyalty": "competitors", "score": 0.5},
            {
                "zh": "会，正在考虑",
                "en": "Yes, we are considering it",
                "loyalty": "competitors",
                "score": 0,
            },
        ],
    ),
    (
        QuestionKind.single,
        "如果本展出现服务或质量问题，您还会再来吗?",
        "If the show had a service or quality problem, would you still come again?",
        [
            {"zh": "会，问题难免", "en": "Yes, problems happen", "loyalty": "quality", "score": 1},
            {
                "zh": "看问题如何处理",
                "en": "Depends how it is handled",
                "loyalty": "quality",
                "score": 0.5,
            },
            {"zh": "不会", "en": "No", "loyalty": "quality", "score": 0},
        ],
    ),
    (QuestionKind.text, "还有什么建议或意见?", "Anything else you would like to tell us?", []),
)


# The overall satisfaction question: derived importance relates each item to it and to the NPS.
DEFAULT_OVERALL = (
    "总体而言，您对本届展会的满意度",
    "Overall, how satisfied are you with this show?",
)

# The items of the importance–performance analysis, by the seeds' three levels of satisfaction:
# (level, performance zh/en, expectation zh/en, importance zh/en).
DEFAULT_ITEMS = (
    (
        SatisfactionLevel.product,
        (
            "您对观众/客商质量的满意度",
            "How satisfied are you with the quality of the people you met?",
        ),
        (
            "展前您对观众/客商质量的期望",
            "Before the show, what did you expect of the people you would meet?",
        ),
        ("观众/客商质量对您有多重要", "How important is the quality of the people you meet?"),
    ),
    (
        SatisfactionLevel.product,
        (
            "您对展馆布局与展品范围的满意度",
            "How satisfied are you with the hall layout and the range of exhibits?",
        ),
        (
            "展前您对展馆布局与展品范围的期望",
            "Before the show, what did you expect of the hall layout and the range of exhibits?",
        ),
        (
            "展馆布局与展品范围对您有多重要",
            "How important are the hall layout and the range of exhibits?",
        ),
    ),
    (
        SatisfactionLevel.service,
        ("您对展会组织与服务的满意度", "How satisfied are you with the organisation and service?"),
        (
            "展前您对展会组织与服务的期望",
            "Before the show, what did you expect of the organisation and service?",
        ),
        ("展会组织与服务对您有多重要", "How important are the organisation and service?"),
    ),
    (
        SatisfactionLevel.service,
        (
            "您对进场、搭建与撤场安排的满意度",
            "How satisfied are you with move-in, build-up and move-out?",
        ),
        (
            "展前您对进场、搭建与撤场安排的期望",
            "Before the show, what did you expect of move-in, build-up and move-out?",
        ),
        ("进场、搭建与撤场安排对您有多重要", "How important are move-in, build-up and move-out?"),
    ),
    (
        SatisfactionLevel.social,
        (
            "您对本展会行业影响力与口碑的满意度",
            "How satisfied are you with the show's standing and reputation in the industry?",
        ),
        (
            "展前您对本展会行业影响力与口碑的期望",
            "Before the show, what did you expect of its standing and reputation?",
        ),
        (
            "展会的行业影响力与口碑对您有多重要",
            "How important is the show's standing and reputation?",
        ),
    ),
)


def default_survey() -> Survey:
    """The survey the service plan sends; made with standard questions the first time."""
    survey = db.session.scalar(sa.select(Survey).where(Survey.is_default))
    if survey is not None:
        return survey
    survey = Survey(
        title_zh="展后满意度调查",
        title_en="Post-show satisfaction survey",
        is_default=True,
        intro_zh="感谢您参加本届展会。请花两分钟告诉我们您的感受。",
        intro_en="Thank you for taking part in the show. Two minutes of your time help us improve.",
    )
    db.session.add(survey)
    nps, *others = DEFAULT_QUESTIONS
    rows: list[SurveyQuestion] = [
        SurveyQuestion(kind=nps[0], text_zh=nps[1], text_en=nps[2], options=[], required=True),
        SurveyQuestion(
            kind=QuestionKind.rating,
            text_zh=DEFAULT_OVERALL[0],
            text_en=DEFAULT_OVERALL[1],
            options=[],
            required=True,
            role=QuestionRole.overall,
        ),
    ]
    for level, performance, expectation, importance in DEFAULT_ITEMS:
        item = SurveyQuestion(
            kind=QuestionKind.rating,
            text_zh=performance[0],
            text_en=performance[1],
            options=[],
            required=True,
            level=level,
        )
        rows.append(item)
        for role, (zh, en) in (
            (QuestionRole.expectation, expectation),
            (QuestionRole.importance, importance),
        ):
            rows.append(
                SurveyQuestion(
                    kind=QuestionKind.rating,
                    text_zh=zh,
                    text_en=en,
                    options=[],
                    required=False,
                    role=role,
                    level=level,
                    pairs_with=item,
                )
            )
    for kind, zh, en, options in others:
        rows.append(
            SurveyQuestion(kind=kind, text_zh=zh, text_en=en, options=options, required=False)
        )
    for position, question in enumerate(rows, start=1):
        question.position = position
        survey.questions.append(question)
    db.session.flush()
    return survey


def surveys() -> list[Survey]:
    return list(db.session.scalars(sa.select(Survey).order_by(Survey.id)))
