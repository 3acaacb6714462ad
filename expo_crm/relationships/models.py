from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expo_crm import events
from expo_crm.db import LabeledEnum, TimestampMixin, UTCDateTime, db, enum_type
from expo_crm.i18n import bilingual
from expo_crm.subjects import SubjectKind, SubjectRefMixin, subject_indexes


class Channel(LabeledEnum):
    phone = "phone"
    face_to_face = "face_to_face"
    email = "email"
    letter = "letter"
    portal = "portal"
    event = "event"
    web = "web"
    gate = "gate"
    survey = "survey"
    system = "system"

    @classmethod
    def labels(cls) -> dict:
        return {
            "phone": _l("Phone"),
            "face_to_face": _l("Face to face"),
            "email": _l("Email"),
            "letter": _l("Letter"),
            "portal": _l("Portal message"),
            "event": _l("Event or club"),
            "web": _l("Web"),
            "gate": _l("Badge scan"),
            "survey": _l("Survey"),
            "system": _l("System"),
        }


class Direction(LabeledEnum):
    inbound = "inbound"
    outbound = "outbound"
    internal = "internal"

    @classmethod
    def labels(cls) -> dict:
        return {
            "inbound": _l("From the customer"),
            "outbound": _l("To the customer"),
            "internal": _l("Internal"),
        }


class Tone(LabeledEnum):
    positive = "positive"
    neutral = "neutral"
    negative = "negative"

    @classmethod
    def labels(cls) -> dict:
        return {"positive": _l("Positive"), "neutral": _l("Neutral"), "negative": _l("Negative")}


class Interaction(SubjectRefMixin, TimestampMixin, db.Model):
    """Any contact with a customer through any channel (客户互动), logged by staff or by the system."""

    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "interaction_channel"))
    direction: Mapped[Direction] = mapped_column(enum_type(Direction, "interaction_direction"))
    subject: Mapped[str] = mapped_column(sa.String(200))
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    tone: Mapped[Tone] = mapped_column(enum_type(Tone, "interaction_tone"), default=Tone.neutral)
    next_step: Mapped[str] = mapped_column(sa.String(200), default="")
    next_step_due: Mapped[date | None]
    next_step_done: Mapped[bool] = mapped_column(default=False)
    show_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("shows.id", ondelete="SET NULL"), index=True
    )
    staff_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    # What made a system interaction ("mail:123", "scan:456"): at most one interaction per event.
    source_key: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    # A system interaction stores its kind and parameters (see expo_crm.events), not a sentence.
    event: Mapped[str | None] = mapped_column(sa.String(64))
    params: Mapped[dict | None] = mapped_column(sa.JSON)

    __table_args__ = (
        SubjectRefMixin.one_subject_check(),
        *subject_indexes("interactions", by_time="occurred_at"),
    )

    @property
    def headline(self) -> str:
        """In the reader's language when the system wrote it; as typed when a person did."""
        return events.render(self.event, self.params, self.subject)


# --- complaints (抱怨 / 投诉) ---------------------------------------------------------------


class ComplaintCategory(LabeledEnum):
    booth = "booth"
    service = "service"
    logistics = "logistics"
    billing = "billing"
    visitors = "visitors"
    staff = "staff"
    venue = "venue"
    other = "other"

    @classmethod
    def labels(cls) -> dict:
        return {
            "booth": _l("Booth and construction"),
            "service": _l("On-site service"),
            "logistics": _l("Logistics"),
            "billing": _l("Billing and contract"),
            "visitors": _l("Visitor quality"),
            "staff": _l("Staff conduct"),
            "venue": _l("Venue and facilities"),
            "other": _l("Other"),
        }


class Severity(LabeledEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"

    @classmethod
    def labels(cls) -> dict:
        return {
            "low": _l("Low"),
            "medium": _l("Medium"),
            "high": _l("High"),
            "critical": _l("Critical"),
        }


class ComplaintState(LabeledEnum):
    open = "open"
    resolved = "resolved"
    closed = "closed"

    @classmethod
    def labels(cls) -> dict:
        return {"open": _l("Open"), "resolved": _l("Resolved"), "closed": _l("Closed")}


class ComplaintSource(LabeledEnum):
    staff = "staff"
    portal = "portal"
    survey = "survey"

    @classmethod
    def labels(cls) -> dict:
        return {
            "staff": _l("Taken by staff"),
            "portal": _l("Exhibitor portal"),
            "survey": _l("Survey answer"),
        }


class Verdict(LabeledEnum):
    """The customer's own judgement of the resolution."""

    satisfied = "satisfied"
    partly = "partly"
    dissatisfied = "dissatisfied"

    @classmethod
    def labels(cls) -> dict:
        return {
            "satisfied": _l("Satisfied"),
            "partly": _l("Partly satisfied"),
            "dissatisfied": _l("Not satisfied"),
        }


class Complaint(SubjectRefMixin, TimestampMixin, db.Model):
    """A complaint with its SLA; open past its SLA it is a warning signal of the life cycle."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    show_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("shows.id", ondelete="SET NULL"), index=True
    )
    category: Mapped[ComplaintCategory] = mapped_column(
        enum_type(ComplaintCategory, "complaint_category")
    )
    severity: Mapped[Severity] = mapped_column(enum_type(Severity, "complaint_severity"))
    state: Mapped[ComplaintState] = mapped_column(
        enum_type(ComplaintState, "complaint_state"), default=ComplaintState.open, index=True
    )
    source: Mapped[ComplaintSource] = mapped_column(enum_type(ComplaintSource, "complaint_source"))
    description: Mapped[str] = mapped_column(sa.Text)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sla_due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution: Mapped[str] = mapped_column(sa.Text, default="")
    verdict: Mapped[Verdict | None] = mapped_column(enum_type(Verdict, "complaint_verdict"))
    verdict_note: Mapped[str] = mapped_column(sa.Text, default="")
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id", ondelete="SET NULL"))
    # What raised it ("survey_response:12"): one complaint per source event.
    source_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    # Why the system opened it (a low survey score), as an event kind; the description is typed.
    event: Mapped[str | None] = mapped_column(sa.String(64))
    params: Mapped[dict | None] = mapped_column(sa.JSON)

    owner = relationship("StaffUser", foreign_keys=[owner_id])
    show = relationship("Show")

    __table_args__ = (
        SubjectRefMixin.one_subject_check(),
        *subject_indexes("complaints"),
        sa.CheckConstraint("sla_due_at >= opened_at", name="sla_after_opening"),
        sa.CheckConstraint(
            "(state = 'open') = (resolved_at IS NULL)", name="resolved_when_not_open"
        ),
        sa.CheckConstraint(
            "(state = 'closed') = (closed_at IS NOT NULL)", name="closed_at_when_closed"
        ),
        # The complaint list, newest first: a page read off the index, not a sort of them all.
        sa.Index("ix_complaints_opened_at_id", "opened_at", "id"),
    )

    @property
    def cause(self) -> str:
        """Why the system opened it, in the reader's language; empty when a person did."""
        return events.render(self.event, self.params) if self.event else ""

    def overdue_at(self, moment: datetime) -> bool:
        return self.state is ComplaintState.open and self.sla_due_at < moment


# --- the life cycle (培育 → 确认 → 信任 → 弱化 → 消失) ------------------------------------


class LifecycleStage(LabeledEnum):
    cultivation = "cultivation"
    confirmation = "confirmation"
    trust = "trust"
    weakening = "weakening"
    loss = "loss"

    @classmethod
    def labels(cls) -> dict:
        return {
            "cultivation": _l("Cultivation"),
            "confirmation": _l("Confirmation"),
            "trust": _l("Trust"),
            "weakening": _l("Weakening"),
            "loss": _l("Loss"),
        }


class SignalsMixin:
    """The facts an evaluation decided on; the page turns them into readable reasons."""

    rule: Mapped[str] = mapped_column(sa.String(32), default="")
    editions: Mapped[int] = mapped_column(default=0)
    editions_since_return: Mapped[int] = mapped_column(default=0)
    missed_editions: Mapped[int] = mapped_column(default=0)
    last_show_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shows.id", ondelete="SET NULL"))
    satisfaction: Mapped[Decimal | None] = mapped_column(sa.Numeric(3, 2))
    nps: Mapped[int | None]
    overdue_complaints: Mapped[int] = mapped_column(default=0)
    open_complaints: Mapped[int] = mapped_column(default=0)
    area_before_m2: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    area_now_m2: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    rebooking_deadline: Mapped[date | None]
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    no_contact: Mapped[bool] = mapped_column(default=False)
    declined: Mapped[bool] = mapped_column(default=False)
    low_satisfaction: Mapped[bool] = mapped_column(default=False)
    low_nps: Mapped[bool] = mapped_column(default=False)
    area_cut: Mapped[bool] = mapped_column(default=False)
    not_rebooked: Mapped[bool] = mapped_column(default=False)
    # Warnings a higher package found (an exhibitor's return: benefit small, cost large), each
    # stored as an event {"event": kind, "params": {...}} and rendered in the reader's language.
    external_warnings: Mapped[list | None] = mapped_column(sa.JSON)
    # The churn model's probability that the customer will not come back, and whether it
    # passed the setting's threshold: an early warning before behaviour shows it.
    churn_probability: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 4))
    churn_risk: Mapped[bool] = mapped_column(default=False)


class RelationshipState(SubjectRefMixin, SignalsMixin, db.Model):
    """The current life-cycle stage and health of one relationship, written by the evaluation."""

    __tablename__ = "lifecycle_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SubjectKind] = mapped_column(enum_type(SubjectKind, "lifecycle_kind"), index=True)
    stage: Mapped[LifecycleStage] = mapped_column(
        enum_type(LifecycleStage, "lifecycle_stage"), index=True
    )
    stage_since: Mapped[datetime] = mapped_column(UTCDateTime())
    stage_since_day: Mapped[date]
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lost_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    health: Mapped[int] = mapped_column(default=0)
    health_participation: Mapped[int] = mapped_column(default=0)
    health_spend: Mapped[int] = mapped_column(default=0)
    health_repeat: Mapped[int] = mapped_column(default=0)
    health_recency: Mapped[int] = mapped_column(default=0)
    health_satisfaction: Mapped[int] = mapped_column(default=0)
    health_nps: Mapped[int] = mapped_column(default=0)
    health_complaints: Mapped[int] = mapped_column(default=0)
    health_tone: Mapped[int] = mapped_column(default=0)
    # Set by staff when the customer says no; a later participation outweighs it.
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    declined_note: Mapped[str] = mapped_column(sa.Text, default="")

    last_show = relationship("Show", foreign_keys="RelationshipState.last_show_id")

    __table_args__ = (
        SubjectRefMixin.one_subject_check(),
        sa.CheckConstraint("health BETWEEN 0 AND 100", name="health_range"),
        sa.UniqueConstraint("company_id", name="uq_lifecycle_states_company"),
        sa.UniqueConstraint("visitor_id", name="uq_lifecycle_states_visitor"),
        sa.UniqueConstraint("partner_id", name="uq_lifecycle_states_partner"),
        *subject_indexes("lifecycle_states", served=("company_id", "visitor_id", "partner_id")),
        # The relationship list, weakest first: a page read off the index, not a sort of them all.
        sa.Index("ix_lifecycle_states_health_id", "health", "id"),
    )


class StageTransition(SubjectRefMixin, SignalsMixin, db.Model):
    """One change of stage, with the signals that caused it (the history behind "why")."""

    __tablename__ = "lifecycle_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lifecycle_states.id", ondelete="CASCADE"), index=True
    )
    from_stage: Mapped[LifecycleStage | None] = mapped_column(
        enum_type(LifecycleStage, "transition_from_stage")
    )
    to_stage: Mapped[LifecycleStage] = mapped_column(
        enum_type(LifecycleStage, "transition_to_stage")
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    health: Mapped[int] = mapped_column(default=0)

    last_show = relationship("Show", foreign_keys="StageTransition.last_show_id")

    __table_args__ = (
        SubjectRefMixin.one_subject_check(),
        sa.UniqueConstraint("state_id", "at", name="uq_lifecycle_transitions_state_at"),
        *subject_indexes("lifecycle_transitions"),
    )


class AlertState(LabeledEnum):
    open = "open"
    closed = "closed"

    @classmethod
    def labels(cls) -> dict:
        return {"open": _l("Open"), "closed": _l("Closed")}


class Alert(SubjectRefMixin, db.Model):
    """Raised when a relationship enters weakening or loss, or when its value class falls; its
    follow-up task records the outcome. A value alert has no transition and no stage but an
    event kind with parameters (the classes before and after)."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    transition_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lifecycle_transitions.id", ondelete="CASCADE"), unique=True
    )
    stage: Mapped[LifecycleStage | None] = mapped_column(enum_type(LifecycleStage, "alert_stage"))
    event: Mapped[str | None] = mapped_column(sa.String(64))
    params: Mapped[dict | None] = mapped_column(sa.JSON)
    state: Mapped[AlertState] = mapped_column(
        enum_type(AlertState, "alert_state"), default=AlertState.open, index=True
    )
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(sa.Text, default="")
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id", ondelete="SET NULL"))
    source_key: Mapped[str] = mapped_column(sa.String(120), unique=True)

    owner = relationship("StaffUser", foreign_keys=[owner_id])
    task = relationship("Task", foreign_keys=[task_id])
    transition = relationship("StageTransition")

    @property
    def headline(self) -> str:
        """What the alert is about, in the reader's language: a value fall, or the stage."""
        return events.render(self.event, self.params) if self.event else str(self.stage.label)

    __table_args__ = (
        SubjectRefMixin.one_subject_check(),
        *subject_indexes("alerts"),
        sa.CheckConstraint("stage IN ('weakening', 'loss')", name="alert_stage_at_risk"),
        sa.CheckConstraint(
            "(transition_id IS NULL) = (stage IS NULL) AND (stage IS NULL) = (event IS NOT NULL)",
            name="alert_stage_or_event",
        ),
        sa.CheckConstraint(
            "(state = 'closed') = (closed_at IS NOT NULL)", name="closed_at_when_closed"
        ),
    )


class LifecycleSetting(db.Model):
    """A threshold of the life cycle, health or value rules, editable by an administrator."""

    __tablename__ = "lifecycle_settings"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )


# --- customer value (客户价值): the nightly computation's result, one row per customer -------


class ValueClass(LabeledEnum):
    """The seeds' value matrix: current value × potential value."""

    value = "value"  # 价值客户: both high, keep at all costs
    potential = "potential"  # 潜力客户: low current, high potential, develop
    maintain = "maintain"  # high current, low potential, keep at low cost
    low = "low"  # 低价值客户: both low

    @classmethod
    def labels(cls) -> dict:
        return {
            "value": _l("Value customers"),
            "potential": _l("Potential customers"),
            "maintain": _l("Keep at low cost"),
            "low": _l("Low-value customers"),
        }

    @property
    def rank(self) -> int:
        return {"value": 3, "potential": 2, "maintain": 2, "low": 1}[self.value]


class ValueTier(LabeledEnum):
    """The value pyramid (客户金字塔), by share of value within the customer's kind."""

    key = "key"
    major = "major"
    ordinary = "ordinary"
    small = "small"

    @classmethod
    def labels(cls) -> dict:
        return {
            "key": _l("Key customers"),
            "major": _l("Major customers"),
            "ordinary": _l("Ordinary customers"),
            "small": _l("Small customers"),
        }


class LoyaltyKind(LabeledEnum):
    """The seeds' two kinds of loyal customer (篇6), and the not yet loyal."""

    advocate = "advocate"  # 拥护者: takes part again and recommends us
    follower = "follower"  # 跟随者 / 重复购买者: takes part again, does not recommend us
    none = "none"

    @classmethod
    def labels(cls) -> dict:
        return {
            "advocate": _l("Advocate (拥护者): takes part again and recommends us"),
            "follower": _l("Follower (跟随者): takes part again, does not recommend us"),
            "none": _l("Not yet loyal"),
        }


class CustomerValueState(SubjectRefMixin, db.Model):
    """A customer's value as last computed by the nightly job: its three parts by profit, the
    retention rate behind its CLV, its class in the value matrix and its tier in the pyramid."""

    __tablename__ = "customer_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SubjectKind] = mapped_column(enum_type(SubjectKind, "value_kind"), index=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    segment: Mapped[str] = mapped_column(sa.String(200), default="")
    editions: Mapped[int] = mapped_column(default=0)
    current_editions: Mapped[int] = mapped_column(default=0)
    revenue_historical: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    revenue_current: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    margin_historical: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    margin_current: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    cost_historical: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    cost_current: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    complaints: Mapped[int] = mapped_column(default=0)
    contacts: Mapped[int] = mapped_column(default=0)
    historical: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    current: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    margin_per_edition: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    opportunities: Mapped[int] = mapped_column(default=0)
    retention_own: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 4))
    retention_segment: Mapped[Decimal] = mapped_column(sa.Numeric(6, 4), default=Decimal(0))
    retention: Mapped[Decimal] = mapped_column(sa.Numeric(6, 4), default=Decimal(0))
    conversion: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 4))
    potential: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    word_of_mouth: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    # Registrations and applications the customer's referral links brought, and how many bought.
    referrals: Mapped[int] = mapped_column(default=0, server_default="0")
    referrals_converted: Mapped[int] = mapped_column(default=0, server_default="0")
    # The loyalty measures (loyalty.py), computed in the same nightly run.
    cross_selling: Mapped[int] = mapped_column(default=0, server_default="0")
    up_selling: Mapped[int] = mapped_column(default=0, server_default="0")
    decision_days: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 1))
    competitors: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 4))
    price_sensitivity: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 4))
    quality: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 4))
    loyalty: Mapped[LoyaltyKind] = mapped_column(
        enum_type(LoyaltyKind, "loyalty_kind"), default=LoyaltyKind.none, server_default="none"
    )
    estimated: Mapped[bool] = mapped_column(default=False)
    value_class: Mapped[ValueClass] = mapped_column(enum_type(ValueClass, "value_class"))
    tier: Mapped[ValueTier] = mapped_column(enum_type(ValueTier, "value_tier"))
    class_since: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        SubjectRefMixin.one_subject_check(),
        sa.UniqueConstraint("company_id", name="uq_customer_values_company"),
        sa.UniqueConstraint("visitor_id", name="uq_customer_values_visitor"),
        sa.UniqueConstraint("partner_id", name="uq_customer_values_partner"),
        *subject_indexes("customer_values", served=("company_id", "visitor_id", "partner_id")),
        sa.Index("ix_customer_values_kind_class", "kind", "value_class"),
        sa.CheckConstraint("retention >= 0 AND retention < 1", name="retention_range"),
    )

    @property
    def total(self) -> Decimal:
        return self.historical + self.current


# --- loyalty edition by edition (edition_loyalty.py) ----------------------------------------


class EditionAudience(LabeledEnum):
    """Whose loyalty an edition's figures measure."""

    exhibitors = "exhibitors"
    visitors = "visitors"

    @classmethod
    def labels(cls) -> dict:
        return {"exhibitors": _l("Exhibitors"), "visitors": _l("Visitors")}


class EditionLoyalty(db.Model):
    """One held edition's loyalty among its exhibitors or its visitors, measured against the
    edition before it in the series, as the nightly value run stored it."""

    __tablename__ = "edition_loyalty"

    show_id: Mapped[int] = mapped_column(
        sa.ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True
    )
    audience: Mapped[EditionAudience] = mapped_column(
        enum_type(EditionAudience, "edition_loyalty_audience"), primary_key=True
    )
    previous_show_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("shows.id", ondelete="SET NULL")
    )
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    participants: Mapped[int]
    # Who took part in the previous edition (None: a first edition), and of them who came back.
    previous_participants: Mapped[int | None]
    repeat: Mapped[int]
    retention: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 4))
    # Exhibitors only: repeat exhibitors with a larger booth than before (增加销售); exhibitors
    # with service orders (交叉销售), the orders and their amount.
    up_selling: Mapped[int | None]
    cross_selling: Mapped[int | None]
    orders: Mapped[int | None]
    order_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    # The audience's survey answers of the edition.
    satisfaction: Mapped[Decimal | None] = mapped_column(sa.Numeric(3, 2))
    nps: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 2))
    answers: Mapped[int]
    # Visitors only: registrations made through a referral code.
    referrals: Mapped[int | None]

    __table_args__ = (
        sa.CheckConstraint("retention >= 0 AND retention <= 1", name="retention_range"),
        sa.CheckConstraint("repeat <= participants", name="repeat_took_part"),
    )

    @property
    def churn(self) -> Decimal | None:
        return None if self.retention is None else 1 - self.retention


class EditionRetention(db.Model):
    """Retention per segment of the previous edition's exhibitors (company size) or visitors
    (registration category): the segment is stored as its code, labelled when shown."""

    __tablename__ = "edition_retention"

    show_id: Mapped[int] = mapped_column(
        sa.ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True
    )
    audience: Mapped[EditionAudience] = mapped_column(
        enum_type(EditionAudience, "edition_retention_audience"), primary_key=True
    )
    segment: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    previous_participants: Mapped[int]
    repeat: Mapped[int]
    retention: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4))

    __table_args__ = (
        sa.CheckConstraint("previous_participants > 0", name="segment_had_participants"),
        sa.CheckConstraint("repeat <= previous_participants", name="repeat_of_previous"),
        sa.CheckConstraint("retention >= 0 AND retention <= 1", name="retention_range"),
    )

    @property
    def churn(self) -> Decimal:
        return 1 - self.retention


class ValueRun(db.Model):
    """One nightly customer value computation: when it ran and how many stored rows it wrote.
    A row of customer_values is written only when its values change, so its computed_at says
    when they last changed; the pages say when they were last computed from the latest run."""

    __tablename__ = "value_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    customers: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)


# --- why customers leave (流失原因) ------------------------------------------------------------


class ChurnReason(db.Model):
    """One entry of the editable list of reasons a customer declines or is lost."""

    __tablename__ = "churn_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    label_zh: Mapped[str] = mapped_column(sa.String(120))
    label_en: Mapped[str] = mapped_column(sa.String(120))
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    @property
    def label(self) -> str:
        """The reason in the reader's language (typed by staff in both)."""
        return bilingual(self.label_zh, self.label_en)


class ChurnOutcome(LabeledEnum):
    declined = "declined"
    lost = "lost"

    @classmethod
    def labels(cls) -> dict:
        return {"declined": _l("Declined"), "lost": _l("Lost")}


class ChurnRecord(SubjectRefMixin, db.Model):
    """Why a customer declined an edition or was lost, as recorded by staff."""

    __tablename__ = "churn_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    show_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("shows.id", ondelete="SET NULL"), index=True
    )
    reason_id: Mapped[int] = mapped_column(
        sa.ForeignKey("churn_reasons.id", ondelete="RESTRICT"), index=True
    )
    outcome: Mapped[ChurnOutcome] = mapped_column(enum_type(ChurnOutcome, "churn_outcome"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(sa.Text, default="")
    staff_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )

    reason = relationship("ChurnReason")
    show = relationship("Show")

    __table_args__ = (SubjectRefMixin.one_subject_check(), *subject_indexes("churn_records"))


# --- churn prediction (数据挖掘): trained models, their evaluation, the customers' scores ----


class ChurnModelState(LabeledEnum):
    ready = "ready"
    not_enough_data = "not_enough_data"

    @classmethod
    def labels(cls) -> dict:
        return {"ready": _l("Ready"), "not_enough_data": _l("Not enough data")}


class ChurnShortfall(LabeledEnum):
    """Why a training run could not produce a model it can stand behind."""

    no_history = "no_history"
    empty_edition = "empty_edition"
    one_class = "one_class"
    no_features = "no_features"
    too_few = "too_few"

    @classmethod
    def labels(cls) -> dict:
        return {
            "no_history": _l(
                "Fewer than two past editions whose outcome is known: nothing to learn from and"
                " nothing to test on."
            ),
            "empty_edition": _l("The edition to test on had no participants."),
            "one_class": _l(
                "Everyone came back, or no one did: with one outcome only there is nothing to"
                " tell apart."
            ),
            "no_features": _l("None of the facts the model reads was known for these customers."),
            "too_few": _l("Too few customers of each outcome to train and calibrate a model."),
        }


class ChurnModel(db.Model):
    """One training run of the churn model of a kind of customer: the fitted pipeline
    (serialised, with its format version), the editions it learned from and the one it was
    tested on, and how well it did there. A run without enough data is kept too, with why."""

    __tablename__ = "churn_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SubjectKind] = mapped_column(enum_type(SubjectKind, "churn_model_kind"))
    version: Mapped[int]
    state: Mapped[ChurnModelState] = mapped_column(enum_type(ChurnModelState, "churn_model_state"))
    shortfall: Mapped[ChurnShortfall | None] = mapped_column(
        enum_type(ChurnShortfall, "churn_shortfall")
    )
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # What the run was made for ("exhibitor:<latest closed show id>"): one run per show closing.
    source_key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    format_version: Mapped[int] = mapped_column(default=1)
    library: Mapped[str] = mapped_column(sa.String(40), default="")
    model: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    features: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The training window: the editions learned from (ids, oldest first) and their dates.
    train_show_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    train_from: Mapped[date | None]
    train_to: Mapped[date | None]
    tested_show_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("shows.id", ondelete="SET NULL")
    )
    train_examples: Mapped[int] = mapped_column(default=0)
    test_examples: Mapped[int] = mapped_column(default=0)
    test_churned: Mapped[int] = mapped_column(default=0)
    auc: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 4))
    precision_top10: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 4))
    base_rate: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 4))
    # [{"lo", "hi", "n", "predicted", "observed"}] per tenth of predicted probability
    calibration: Mapped[list] = mapped_column(sa.JSON, default=list)

    tested_show = relationship("Show")

    __table_args__ = (
        sa.UniqueConstraint("kind", "version", name="uq_churn_models_kind_version"),
        sa.CheckConstraint("kind IN ('exhibitor', 'visitor')", name="churn_model_kind_known"),
        sa.CheckConstraint(
            "(state = 'ready') = (model IS NOT NULL AND shortfall IS NULL)",
            name="model_when_ready",
        ),
        sa.CheckConstraint("auc IS NULL OR auc BETWEEN 0 AND 1", name="auc_range"),
    )


class ChurnScore(SubjectRefMixin, db.Model):
    """A customer's predicted probability of not coming back to the edition after `show_id`,
    by one model version, with the factors that raise it most (event kind + parameters)."""

    __tablename__ = "churn_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(
        sa.ForeignKey("churn_models.id", ondelete="CASCADE"), index=True
    )
    show_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shows.id", ondelete="SET NULL"))
    probability: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4))
    factors: Mapped[list] = mapped_column(sa.JSON, default=list)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime())

    model = relationship("ChurnModel")
    show = relationship("Show")

    __table_args__ = (
        SubjectRefMixin.one_subject_check(),
        sa.UniqueConstraint("model_id", "company_id", name="uq_churn_scores_model_company"),
        sa.UniqueConstraint("model_id", "visitor_id", name="uq_churn_scores_model_visitor"),
        *subject_indexes("churn_scores"),
        sa.CheckConstraint("probability BETWEEN 0 AND 1", name="probability_range"),
    )

    @property
    def reasons(self) -> list[str]:
        """The factors in the reader's language."""
        return [events.render(f.get("event"), f.get("params")) for f in self.factors or []]


# --- text the system writes (see expo_crm.events) ----------------------------------------------

COMPLAINT_RECEIVED = events.register(
    "relationships.complaint",
    _l("Complaint: %(category)s"),
    codes={"category": ComplaintCategory},
).name
COMPLAINT_TASK = events.register(
    "relationships.complaint_task",
    _l("Complaint: %(category)s (%(severity)s)"),
    codes={"category": ComplaintCategory, "severity": Severity},
).name
RETENTION_TASK = events.register(
    "relationships.retention",
    _l("Retention: %(name)s"),
    detail=_l("The relationship entered weakening: see why on its stage page and act on it."),
).name
WIN_BACK_TASK = events.register(
    "relationships.win_back",
    _l("Win-back: %(name)s"),
    detail=_l("The customer is lost: find out why and try to win them back."),
).name
VALUE_CLASS_CHANGED = events.register(
    "relationships.value_class",
    _l("Value class changed: %(before)s → %(after)s"),
    codes={"before": ValueClass, "after": ValueClass},
).name
VALUE_FELL_TASK = events.register(
    "relationships.value_fell",
    _l("Value fell: %(name)s"),
    detail=_l("The customer fell in the value matrix: see its value panel and act on it."),
).name
KEY_ACCOUNT_OWNER = events.register(
    "relationships.key_account_owner",
    _l("Named owner for a key account: %(owner)s"),
).name
VALUE_CALL_TASK = events.register(
    "relationships.value_call",
    _l("Personal call before the invitation: %(name)s"),
    detail=_l("A value customer: call before the invitation mail goes out."),
).name
