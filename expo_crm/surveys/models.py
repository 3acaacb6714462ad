from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expo_crm import events
from expo_crm.db import LabeledEnum, TimestampMixin, UTCDateTime, db, enum_type
from expo_crm.subjects import SubjectRefMixin, subject_indexes


def _in_locale(zh: str, en: str) -> str:
    locale = get_locale()
    if locale is not None and locale.language == "zh":
        return zh or en
    return en or zh


class QuestionKind(LabeledEnum):
    nps = "nps"
    rating = "rating"
    single = "single"
    multiple = "multiple"
    text = "text"

    @classmethod
    def labels(cls) -> dict:
        return {
            "nps": _l("Recommendation (NPS 0–10)"),
            "rating": _l("Rating 1–5"),
            "single": _l("Single choice"),
            "multiple": _l("Multiple choice"),
            "text": _l("Free text"),
        }


class QuestionRole(LabeledEnum):
    """What a rating question measures. An expectation or importance question is paired with
    the performance question it asks about (the seeds: perceived performance against
    expectation)."""

    performance = "performance"
    expectation = "expectation"
    importance = "importance"
    overall = "overall"

    @classmethod
    def labels(cls) -> dict:
        return {
            "performance": _l("Performance (how it was)"),
            "expectation": _l("Expectation (what was expected)"),
            "importance": _l("Importance (how much it matters)"),
            "overall": _l("Overall satisfaction"),
        }


PAIRED_ROLES = (QuestionRole.expectation, QuestionRole.importance)


class SatisfactionLevel(LabeledEnum):
    """The seeds' three levels of customer satisfaction (产品满意、服务满意、社会满意)."""

    product = "product"
    service = "service"
    social = "social"

    @classmethod
    def labels(cls) -> dict:
        return {
            "product": _l("Product satisfaction"),
            "service": _l("Service satisfaction"),
            "social": _l("Social satisfaction"),
        }


class CampaignAudience(LabeledEnum):
    exhibitors = "exhibitors"
    visitors = "visitors"
    both = "both"

    @classmethod
    def labels(cls) -> dict:
        return {
            "exhibitors": _l("Exhibitors"),
            "visitors": _l("Checked-in visitors"),
            "both": _l("Exhibitors and visitors"),
        }


class CampaignState(LabeledEnum):
    draft = "draft"
    open = "open"
    closed = "closed"

    @classmethod
    def labels(cls) -> dict:
        return {"draft": _l("Draft"), "open": _l("In progress"), "closed": _l("Closed")}


class Segment(LabeledEnum):
    exhibitor = "exhibitor"
    visitor = "visitor"

    @classmethod
    def labels(cls) -> dict:
        return {"exhibitor": _l("Exhibitors"), "visitor": _l("Visitors")}


class Survey(TimestampMixin, db.Model):
    """A questionnaire, reusable across shows; its questions carry both languages."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_zh: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200))
    intro_zh: Mapped[str] = mapped_column(sa.Text, default="")
    intro_en: Mapped[str] = mapped_column(sa.Text, default="")
    # The survey the service plan sends automatically after each show.
    is_default: Mapped[bool] = mapped_column(default=False)

    questions = relationship(
        "SurveyQuestion",
        order_by="SurveyQuestion.position",
        cascade="all, delete-orphan",
        back_populates="survey",
    )

    __table_args__ = (
        sa.Index(
            "uq_surveys_one_default",
            "is_default",
            unique=True,
            sqlite_where=sa.text("is_default"),
            postgresql_where=sa.text("is_default"),
        ),
    )

    @property
    def title(self) -> str:
        return _in_locale(self.title_zh, self.title_en)

    @property
    def intro(self) -> str:
        return _in_locale(self.intro_zh, self.intro_en)


class SurveyQuestion(db.Model):
    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        sa.ForeignKey("surveys.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(enum_type(QuestionKind, "survey_question_kind"))
    text_zh: Mapped[str] = mapped_column(sa.String(500))
    text_en: Mapped[str] = mapped_column(sa.String(500))
    # Choice questions: [{"zh": "...", "en": "..."}, ...]
    options: Mapped[list] = mapped_column(sa.JSON, default=list)
    required: Mapped[bool] = mapped_column(default=True)
    role: Mapped[QuestionRole] = mapped_column(
        enum_type(QuestionRole, "survey_question_role"),
        default=QuestionRole.performance,
        server_default=QuestionRole.performance.value,
    )
    level: Mapped[SatisfactionLevel | None] = mapped_column(
        enum_type(SatisfactionLevel, "survey_question_level")
    )
    # Expectation and importance questions: the performance question they ask about.
    pairs_with_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True
    )

    survey = relationship("Survey", back_populates="questions")
    pairs_with = relationship("SurveyQuestion", remote_side=[id])

    __table_args__ = (
        sa.CheckConstraint(
            "(role IN ('expectation', 'importance') AND pairs_with_id IS NOT NULL)"
            " OR (role NOT IN ('expectation', 'importance') AND pairs_with_id IS NULL)",
            name="paired_roles",
        ),
        # One expectation and one importance question per performance question.
        sa.UniqueConstraint("pairs_with_id", "role"),
        sa.Index(
            "uq_survey_questions_one_overall",
            "survey_id",
            unique=True,
            sqlite_where=sa.text("role = 'overall'"),
            postgresql_where=sa.text("role = 'overall'"),
        ),
    )

    @property
    def text(self) -> str:
        return _in_locale(self.text_zh, self.text_en)

    def option_labels(self) -> list[str]:
        return [_in_locale(o.get("zh", ""), o.get("en", "")) for o in self.options or []]


class SurveyCampaign(TimestampMixin, db.Model):
    """A survey sent for one show to its exhibitors and/or checked-in visitors."""

    __tablename__ = "survey_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        sa.ForeignKey("surveys.id", ondelete="RESTRICT"), index=True
    )
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    audience: Mapped[CampaignAudience] = mapped_column(
        enum_type(CampaignAudience, "survey_audience")
    )
    state: Mapped[CampaignState] = mapped_column(
        enum_type(CampaignState, "survey_campaign_state"), default=CampaignState.draft
    )
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Made by the service plan (one per show) rather than by hand.
    automatic: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )

    survey = relationship("Survey")
    show = relationship("Show")

    __table_args__ = (
        sa.Index(
            "uq_survey_campaigns_automatic",
            "show_id",
            unique=True,
            sqlite_where=sa.text("automatic"),
            postgresql_where=sa.text("automatic"),
        ),
    )


class SurveyInvitation(SubjectRefMixin, db.Model):
    """One recipient of a campaign, with a one-time link."""

    __tablename__ = "survey_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_campaigns.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    language: Mapped[str] = mapped_column(sa.String(8), default="zh")
    segment: Mapped[Segment] = mapped_column(enum_type(Segment, "survey_segment"))
    # Visitors: the registration category; exhibitors: the booth type or empty.
    category: Mapped[str] = mapped_column(sa.String(40), default="")
    nonce: Mapped[str] = mapped_column(sa.String(40), unique=True)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    campaign = relationship("SurveyCampaign")
    response = relationship("SurveyResponse", uselist=False, back_populates="invitation")

    __table_args__ = (
        SubjectRefMixin.one_subject_check(),
        sa.UniqueConstraint("campaign_id", "company_id"),
        sa.UniqueConstraint("campaign_id", "visitor_id"),
        *subject_indexes("survey_invitations"),
    )


class SurveyResponse(SubjectRefMixin, db.Model):
    """One recipient's answers. The life cycle reads `nps` and `satisfaction` (latest per customer)."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_campaigns.id", ondelete="CASCADE"), index=True
    )
    invitation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_invitations.id", ondelete="CASCADE"), unique=True
    )
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    nps: Mapped[int | None]
    # Mean of the rating answers, 1.00-5.00.
    satisfaction: Mapped[Decimal | None] = mapped_column(sa.Numeric(3, 2))
    segment: Mapped[Segment] = mapped_column(enum_type(Segment, "survey_response_segment"))
    category: Mapped[str] = mapped_column(sa.String(40), default="")

    invitation = relationship("SurveyInvitation", back_populates="response")
    answers = relationship("SurveyAnswer", cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        SubjectRefMixin.one_subject_check(),
        sa.CheckConstraint("nps IS NULL OR (nps >= 0 AND nps <= 10)", name="nps_range"),
        sa.CheckConstraint(
            "satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)",
            name="satisfaction_range",
        ),
        *subject_indexes("survey_responses", by_time="submitted_at"),
    )


class SurveyAnswer(db.Model):
    __tablename__ = "survey_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int | None]  # NPS, rating, or the chosen option's index
    choices: Mapped[list | None] = mapped_column(sa.JSON)  # multiple choice: option indexes
    text: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (sa.UniqueConstraint("response_id", "question_id"),)


# --- text the system writes (see expo_crm.events) ----------------------------------------------

ANSWERED = events.register("surveys.answered", _l("Survey answered")).name
ANSWERED_NPS = events.register("surveys.answered_nps", _l("Survey answered: NPS %(nps)s")).name
ANSWERED_SATISFACTION = events.register(
    "surveys.answered_satisfaction", _l("Survey answered: satisfaction %(satisfaction)s")
).name
ANSWERED_BOTH = events.register(
    "surveys.answered_both",
    _l("Survey answered: NPS %(nps)s, satisfaction %(satisfaction)s"),
).name
LOW_SCORE = events.register(
    "surveys.low_score", _l("Low survey score (NPS %(nps)s, satisfaction %(satisfaction)s).")
).name


def answered_event(nps: int | None, satisfaction) -> tuple[str, dict]:
    """The timeline event of a survey answer with the scores it has."""
    params = {"nps": nps, "satisfaction": None if satisfaction is None else str(satisfaction)}
    if nps is not None and satisfaction is not None:
        return ANSWERED_BOTH, params
    if nps is not None:
        return ANSWERED_NPS, params
    if satisfaction is not None:
        return ANSWERED_SATISFACTION, params
    return ANSWERED, params
