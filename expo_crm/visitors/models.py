"""Professional visitors blueprint: registration, badges, check-in, on-site desk, attendance."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expo_crm import events
from expo_crm.db import LabeledEnum, TimestampMixin, UTCDateTime, db, enum_type
from expo_crm.relationships.subjects import register_kind
from expo_crm.subjects import SubjectKind


class Industry(LabeledEnum):
    hardware = "hardware"
    tools = "tools"
    building = "building"
    manufacturing = "manufacturing"
    retail = "retail"
    wholesale = "wholesale"
    import_export = "import_export"
    ecommerce = "ecommerce"
    media = "media"
    education = "education"
    government = "government"
    other = "other"

    @classmethod
    def labels(cls) -> dict:
        return {
            "hardware": _l("Hardware"),
            "tools": _l("Tools"),
            "building": _l("Building materials"),
            "manufacturing": _l("Manufacturing"),
            "retail": _l("Retail"),
            "wholesale": _l("Wholesale"),
            "import_export": _l("Import and export"),
            "ecommerce": _l("E-commerce"),
            "media": _l("Media"),
            "education": _l("Education"),
            "government": _l("Government"),
            "other": _l("Other"),
        }


class JobFunction(LabeledEnum):
    management = "management"
    purchasing = "purchasing"
    sales = "sales"
    engineering = "engineering"
    production = "production"
    marketing = "marketing"
    student = "student"
    other = "other"

    @classmethod
    def labels(cls) -> dict:
        return {
            "management": _l("General management"),
            "purchasing": _l("Purchasing"),
            "sales": _l("Sales"),
            "engineering": _l("Engineering / R&D"),
            "production": _l("Production"),
            "marketing": _l("Marketing"),
            "student": _l("Student"),
            "other": _l("Other"),
        }


class PurchasingAuthority(LabeledEnum):
    decides = "decides"
    recommends = "recommends"
    none = "none"

    @classmethod
    def labels(cls) -> dict:
        return {
            "decides": _l("I decide purchases"),
            "recommends": _l("I recommend or influence purchases"),
            "none": _l("No purchasing role"),
        }


class BuyingIntent(LabeledEnum):
    buying_now = "buying_now"
    within_year = "within_year"
    researching = "researching"

    @classmethod
    def labels(cls) -> dict:
        return {
            "buying_now": _l("Ready to place orders at this show"),
            "within_year": _l("Planning purchases within 12 months"),
            "researching": _l("Looking around, no purchase planned"),
        }


class HowHeard(LabeledEnum):
    email = "email"
    website = "website"
    social = "social"
    partner = "partner"
    exhibitor = "exhibitor"
    press = "press"
    colleague = "colleague"
    other = "other"

    @classmethod
    def labels(cls) -> dict:
        return {
            "email": _l("Email invitation"),
            "website": _l("Website"),
            "social": _l("WeChat / social media"),
            "partner": _l("Association or partner"),
            "exhibitor": _l("Invited by an exhibitor"),
            "press": _l("Trade press"),
            "colleague": _l("Colleague or friend"),
            "other": _l("Other"),
        }


# Product interests: a fixed list, stored as a comma-separated set of these keys.
PRODUCT_INTERESTS: dict[str, object] = {
    "hand_tools": _l("Hand tools"),
    "power_tools": _l("Power tools"),
    "fasteners": _l("Fasteners"),
    "locks": _l("Locks and security"),
    "building_hardware": _l("Building hardware"),
    "garden": _l("Garden tools"),
    "plumbing": _l("Plumbing"),
    "electrical": _l("Electrical"),
}


class Visitor(TimestampMixin, db.Model):
    """A person who visits shows (专业观众 / 普通观众); one row per person across editions."""

    __tablename__ = "visitors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    company: Mapped[str] = mapped_column(sa.String(200), default="")
    locale: Mapped[str] = mapped_column(sa.String(8), default="zh")
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    job_title: Mapped[str] = mapped_column(sa.String(120), default="")
    mobile: Mapped[str] = mapped_column(sa.String(32), default="")
    country: Mapped[str] = mapped_column(sa.String(2), default="CN")
    industry: Mapped[Industry | None] = mapped_column(enum_type(Industry, "visitor_industry"))
    job_function: Mapped[JobFunction | None] = mapped_column(
        enum_type(JobFunction, "visitor_job_function")
    )
    purchasing_authority: Mapped[PurchasingAuthority | None] = mapped_column(
        enum_type(PurchasingAuthority, "visitor_purchasing_authority")
    )
    product_interests: Mapped[str] = mapped_column(sa.String(300), default="")
    how_heard: Mapped[HowHeard | None] = mapped_column(enum_type(HowHeard, "visitor_how_heard"))
    buying_intent: Mapped[BuyingIntent | None] = mapped_column(
        enum_type(BuyingIntent, "visitor_buying_intent")
    )
    # The products the visitor seeks, as typed (the categories sought are in visitor_categories).
    products_sought: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lowercase"),)

    @property
    def interests(self) -> list[str]:
        return [k for k in (self.product_interests or "").split(",") if k]

    def __repr__(self) -> str:
        return f"<Visitor {self.id} {self.email}>"


class VisitorCategory(db.Model):
    """A product category (of the shared tree) the visitor seeks."""

    __tablename__ = "visitor_categories"

    visitor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("visitors.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(
        sa.ForeignKey("product_categories.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class RegistrationCategory(LabeledEnum):
    professional = "professional"
    general = "general"
    exhibitor_staff = "exhibitor_staff"
    press = "press"
    vip = "vip"

    @classmethod
    def labels(cls) -> dict:
        return {
            "professional": _l("Trade visitor"),
            "general": _l("General visitor"),
            "exhibitor_staff": _l("Exhibitor staff"),
            "press": _l("Press"),
            "vip": _l("VIP"),
        }


class RegistrationState(LabeledEnum):
    active = "active"
    cancelled = "cancelled"

    @classmethod
    def labels(cls) -> dict:
        return {"active": _l("Active"), "cancelled": _l("Cancelled")}


class RegistrationSource(LabeledEnum):
    online = "online"
    desk = "desk"
    imported = "imported"
    exhibitor = "exhibitor"
    staff = "staff"

    @classmethod
    def labels(cls) -> dict:
        return {
            "online": _l("Online form"),
            "desk": _l("On-site desk"),
            "imported": _l("Import"),
            "exhibitor": _l("Exhibitor staff list"),
            "staff": _l("Entered by staff"),
        }


class Registration(TimestampMixin, db.Model):
    """One visitor's registration for one show; cancelled ones stay, marked."""

    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    visitor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("visitors.id", ondelete="CASCADE"), index=True
    )
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    category: Mapped[RegistrationCategory] = mapped_column(
        enum_type(RegistrationCategory, "registration_category"),
        default=RegistrationCategory.general,
    )
    state: Mapped[RegistrationState] = mapped_column(
        enum_type(RegistrationState, "registration_state"), default=RegistrationState.active
    )
    source: Mapped[RegistrationSource] = mapped_column(
        enum_type(RegistrationSource, "registration_source"), default=RegistrationSource.online
    )
    first_checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_gate: Mapped[str | None] = mapped_column(sa.String(32))
    inside: Mapped[bool] = mapped_column(default=False)
    # Entries so far: the conditional UPDATE returns it, 1 means this scan was the first entry.
    entry_count: Mapped[int] = mapped_column(default=0)
    last_scan_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    terms_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    share_contact: Mapped[bool] = mapped_column(default=False)
    marketing_consent: Mapped[bool] = mapped_column(default=False)
    # Exhibitors whose products match may ask this visitor for a meeting (matchmaking).
    meeting_consent: Mapped[bool] = mapped_column(default=False)
    referral_code_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("referral_codes.id", ondelete="SET NULL"), index=True
    )
    company_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    # The customer whose referral link brought this registration (relationships/referrals.py).
    referrer_company_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    referrer_visitor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("visitors.id", ondelete="SET NULL"), index=True
    )
    badge_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    visitor = relationship("Visitor", lazy="joined", foreign_keys=[visitor_id])
    show = relationship("Show")
    badges = relationship("Badge", back_populates="registration", order_by="Badge.id")

    __table_args__ = (
        sa.Index(
            "uq_registrations_active_visitor_show",
            "visitor_id",
            "show_id",
            unique=True,
            sqlite_where=sa.text("state = 'active'"),
            postgresql_where=sa.text("state = 'active'"),
        ),
        sa.Index("ix_registrations_show_id_category", "show_id", "category"),
        sa.CheckConstraint("entry_count >= 0", name="entry_count_positive"),
        sa.CheckConstraint(
            "(state = 'cancelled') = (cancelled_at IS NOT NULL)", name="cancelled_when_cancelled"
        ),
        sa.CheckConstraint(
            "referrer_company_id IS NULL OR referrer_visitor_id IS NULL", name="one_referrer"
        ),
    )

    @property
    def active_badge(self) -> Badge | None:
        for badge in reversed(self.badges):
            if badge.revoked_at is None:
                return badge
        return None

    def __repr__(self) -> str:
        return f"<Registration {self.id} visitor={self.visitor_id} show={self.show_id}>"


class Badge(db.Model):
    """A QR badge of a registration. The code is looked up by its SHA-256; a reprint revokes it."""

    __tablename__ = "badges"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The code sealed with a key derived from the app secret: for re-sends, reprints and vendor exports.
    code_sealed: Mapped[str] = mapped_column(sa.String(200))
    # Built once at issue (qrcode costs ~3 ms); emails and badge PDFs reuse it.
    qr_png: Mapped[bytes] = mapped_column(sa.LargeBinary)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoke_reason: Mapped[str] = mapped_column(sa.String(32), default="")
    # Why the desk reprinted it, as typed (revoke_reason is the coded cause).
    revoke_note: Mapped[str] = mapped_column(sa.Text, default="")

    registration = relationship("Registration", back_populates="badges")

    __table_args__ = (
        sa.Index(
            "uq_badges_one_valid_per_registration",
            "registration_id",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
    )


class ScanDirection(LabeledEnum):
    entry = "in"
    exit = "out"

    @classmethod
    def labels(cls) -> dict:
        return {"in": _l("Entry"), "out": _l("Exit")}


class ScanResult(LabeledEnum):
    admitted = "admitted"
    readmitted = "readmitted"
    exited = "exited"
    already_inside = "already_inside"
    not_inside = "not_inside"
    unknown = "unknown"
    revoked = "revoked"
    not_valid_now = "not_valid_now"

    @classmethod
    def labels(cls) -> dict:
        return {
            "admitted": _l("Admitted"),
            "readmitted": _l("Admitted again"),
            "exited": _l("Exit recorded"),
            "already_inside": _l("Already inside"),
            "not_inside": _l("Not inside"),
            "unknown": _l("Unknown badge"),
            "revoked": _l("Badge revoked"),
            "not_valid_now": _l("Not valid here or now"),
        }

    @property
    def http_status(self) -> int:
        return RESULT_STATUS[self.value]

    @property
    def accepted(self) -> bool:
        return self.http_status == 201


RESULT_STATUS = {
    "admitted": 201,
    "readmitted": 201,
    "exited": 201,
    "already_inside": 409,
    "not_inside": 409,
    "unknown": 404,
    "revoked": 410,
    "not_valid_now": 403,
}


class Scan(db.Model):
    """Every scan at a gate, refused ones too. (device_key, nonce) makes a repeat idempotent."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    badge_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("badges.id", ondelete="SET NULL"), index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    gate: Mapped[str] = mapped_column(sa.String(32))
    device_token_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("device_tokens.id", ondelete="SET NULL")
    )
    staff_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    # "token:<id>" for a gate device, "staff:<id>" for the gate page of a signed-in user.
    device_key: Mapped[str] = mapped_column(sa.String(40))
    direction: Mapped[ScanDirection] = mapped_column(enum_type(ScanDirection, "scan_direction"))
    result: Mapped[ScanResult] = mapped_column(enum_type(ScanResult, "scan_result"))
    nonce: Mapped[str] = mapped_column(sa.String(64))
    # When the badge was scanned: the device's scanned_at for a scan queued offline.
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When the server received it (the same as `at` for a scan sent at once).
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.UniqueConstraint("device_key", "nonce", name="uq_scans_device_key_nonce"),
        sa.Index("ix_scans_show_id_at", "show_id", "at"),
    )


class RuleField(LabeledEnum):
    job_function = "job_function"
    purchasing_authority = "purchasing_authority"
    industry = "industry"

    @classmethod
    def labels(cls) -> dict:
        return {
            "job_function": _l("Job function"),
            "purchasing_authority": _l("Purchasing authority"),
            "industry": _l("Industry"),
        }


class ClassificationRule(TimestampMixin, db.Model):
    """Staff-edited rule: a visitor whose field has this value is of this category.

    Rules are tried by position; the first match decides; no match means a general visitor."""

    __tablename__ = "visitor_classification_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=100)
    field: Mapped[RuleField] = mapped_column(enum_type(RuleField, "classification_field"))
    value: Mapped[str] = mapped_column(sa.String(40))
    category: Mapped[RegistrationCategory] = mapped_column(
        enum_type(RegistrationCategory, "classification_category")
    )
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        sa.UniqueConstraint("field", "value", name="uq_visitor_classification_rules_field_value"),
        sa.CheckConstraint("category IN ('professional', 'general')", name="classifies_visitors"),
    )


class TrafficSnapshot(db.Model):
    """Hourly in-show counts: registrations, check-ins so far, people inside."""

    __tablename__ = "traffic_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    registrations: Mapped[int] = mapped_column(default=0)
    checked_in: Mapped[int] = mapped_column(default=0)
    inside: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.UniqueConstraint("show_id", "taken_at"),)


register_kind(
    SubjectKind.visitor,
    Visitor,
    searchable=(Visitor.name, Visitor.email, Visitor.mobile),
    hint=lambda visitor: " · ".join(v for v in (visitor.email, visitor.company) if v),
    segment_parts=(Industry, None),  # industry · country
)


# --- text the system writes (see expo_crm.events) ----------------------------------------------

REGISTERED = events.register("visitors.registered", _l("Registered for %(show)s")).name
CHECKED_IN = events.register("visitors.checked_in", _l("Checked in at gate %(gate)s")).name


class BadgeBuildState(LabeledEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
    expired = "expired"

    @classmethod
    def labels(cls) -> dict:
        return {
            "queued": _l("Waiting to start"),
            "running": _l("Being made"),
            "done": _l("Ready"),
            "failed": _l("Failed"),
            "expired": _l("Removed (older than a day)"),
        }


BADGE_BUILD_UNDER_WAY = ("queued", "running")


class BadgeBuild(db.Model):
    """One bulk badge PDF for a show (and perhaps one category), made in the background by the
    scheduler. At most one is under way per show, selection and language: a second request
    joins it. Its file lives in the instance folder until it expires."""

    __tablename__ = "badge_builds"

    id: Mapped[int] = mapped_column(primary_key=True)
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    # A RegistrationCategory value, or "" for every category.
    category: Mapped[str] = mapped_column(sa.String(20), default="")
    language: Mapped[str] = mapped_column(sa.String(5))
    state: Mapped[BadgeBuildState] = mapped_column(
        enum_type(BadgeBuildState, "badge_build_state"), default=BadgeBuildState.queued
    )
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    file_bytes: Mapped[int | None]
    # Why it failed, as an event kind and its parameters (expo_crm.events), never a sentence.
    failure: Mapped[str | None] = mapped_column(sa.String(64))
    failure_params: Mapped[dict | None] = mapped_column(sa.JSON)
    # The process making it: a build whose process is gone is started again, a few times.
    host: Mapped[str] = mapped_column(sa.String(200), default="")
    pid: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(default=0)

    show = relationship("Show")

    __table_args__ = (
        sa.Index(
            "uq_badge_builds_one_under_way",
            "show_id",
            "category",
            "language",
            unique=True,
            sqlite_where=sa.text("state IN ('queued', 'running')"),
            postgresql_where=sa.text("state IN ('queued', 'running')"),
        ),
        sa.CheckConstraint("done >= 0 AND done <= total", name="done_within_total"),
        sa.CheckConstraint(
            "(state = 'failed') = (failure IS NOT NULL)", name="failure_when_failed"
        ),
    )

    @property
    def under_way(self) -> bool:
        return self.state.value in BADGE_BUILD_UNDER_WAY

    @property
    def failure_text(self) -> str:
        return events.render(self.failure, self.failure_params)


BADGES_FAILED = events.register(
    "visitors.badges_failed",
    _l(
        "The badge PDF could not be made (%(error)s). Start it again; if it fails again, tell an administrator."
    ),
).name
BADGES_NONE = events.register(
    "visitors.badges_none",
    _l("There were no badges left to print for this choice when the PDF was begun."),
).name
BADGES_INTERRUPTED = events.register(
    "visitors.badges_interrupted",
    _l("Making the badge PDF was interrupted %(times)s times. Start it again."),
).name
