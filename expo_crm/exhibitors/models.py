"""Exhibitors: companies, contacts, applications, booths, contracts, payments, portal, leads."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expo_crm import events
from expo_crm.db import LabeledEnum, TimestampMixin, UTCDateTime, db, enum_type
from expo_crm.relationships.subjects import register_kind
from expo_crm.subjects import SubjectKind

MONEY = sa.Numeric(12, 2)
AREA = sa.Numeric(10, 2)
GEOMETRY = sa.Numeric(8, 2)


class CompanySize(LabeledEnum):
    micro = "micro"
    small = "small"
    medium = "medium"
    large = "large"

    @classmethod
    def labels(cls) -> dict:
        return {
            "micro": _l("Micro (under 10 staff)"),
            "small": _l("Small (10–99 staff)"),
            "medium": _l("Medium (100–999 staff)"),
            "large": _l("Large (1,000 staff or more)"),
        }


class ApplicationChannel(LabeledEnum):
    """How an application reached us: entered by staff, sent from the public form, rebooked."""

    staff = "staff"
    online = "online"
    rebooking = "rebooking"

    @classmethod
    def labels(cls) -> dict:
        return {
            "staff": _l("Entered by staff"),
            "online": _l("Online application"),
            "rebooking": _l("Rebooking"),
        }


class ApplicationState(LabeledEnum):
    submitted = "submitted"
    under_review = "under_review"
    approved = "approved"
    waitlisted = "waitlisted"
    rejected = "rejected"
    withdrawn = "withdrawn"

    @classmethod
    def labels(cls) -> dict:
        return {
            "submitted": _l("Submitted"),
            "under_review": _l("Under review"),
            "approved": _l("Approved"),
            "waitlisted": _l("Waitlisted"),
            "rejected": _l("Rejected"),
            "withdrawn": _l("Withdrawn"),
        }


class BoothType(LabeledEnum):
    shell_scheme = "shell_scheme"
    raw_space = "raw_space"

    @classmethod
    def labels(cls) -> dict:
        return {"shell_scheme": _l("Shell scheme"), "raw_space": _l("Raw space")}


class BoothStatus(LabeledEnum):
    available = "available"
    reserved = "reserved"
    sold = "sold"
    blocked = "blocked"
    # Picked by a past exhibitor in its rebooking window, for a few minutes (booking_models.py).
    held = "held"

    @classmethod
    def labels(cls) -> dict:
        return {
            "available": _l("Available"),
            "held": _l("Held"),
            "reserved": _l("Reserved"),
            "sold": _l("Sold"),
            "blocked": _l("Blocked"),
        }


class ContractState(LabeledEnum):
    draft = "draft"
    signed = "signed"
    cancelled = "cancelled"

    @classmethod
    def labels(cls) -> dict:
        return {"draft": _l("Draft"), "signed": _l("Signed"), "cancelled": _l("Cancelled")}


class PaymentMethod(LabeledEnum):
    bank_transfer = "bank_transfer"
    card = "card"
    cash = "cash"
    other = "other"

    @classmethod
    def labels(cls) -> dict:
        return {
            "bank_transfer": _l("Bank transfer"),
            "card": _l("Card"),
            "cash": _l("Cash"),
            "other": _l("Other"),
        }


class DeliverableKind(LabeledEnum):
    """The deadlines of the exhibitor manual the portal checklist shows."""

    catalogue_entry = "catalogue_entry"
    fascia_name = "fascia_name"
    staff_badges = "staff_badges"
    service_orders = "service_orders"

    @classmethod
    def labels(cls) -> dict:
        return {
            "catalogue_entry": _l("Catalogue entry"),
            "fascia_name": _l("Fascia name"),
            "staff_badges": _l("Staff badges"),
            "service_orders": _l("Service orders"),
        }


class Company(TimestampMixin, db.Model):
    """An exhibiting company (参展商). Contacts, applications and the portal hang off it."""

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(sa.String(200), default="", index=True)
    name_en: Mapped[str] = mapped_column(sa.String(200), default="", index=True)
    # Lowercase, punctuation and legal-form words removed: two spellings of one firm meet here.
    normalized_name: Mapped[str] = mapped_column(sa.String(200), default="", index=True)
    normalized_name_en: Mapped[str] = mapped_column(sa.String(200), default="", index=True)
    # Unified social credit code (统一社会信用代码) or a foreign tax id; unique when given.
    tax_id: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    country: Mapped[str] = mapped_column(sa.String(2), default="CN", index=True)
    province: Mapped[str] = mapped_column(sa.String(80), default="")
    city: Mapped[str] = mapped_column(sa.String(80), default="")
    industry: Mapped[str] = mapped_column(sa.String(120), default="")
    product_categories: Mapped[str] = mapped_column(sa.String(500), default="")
    # The products it offers, as the exhibitor typed them in the portal (matchmaking reads them).
    products_offered: Mapped[str] = mapped_column(sa.Text, default="")
    size: Mapped[CompanySize | None] = mapped_column(enum_type(CompanySize, "company_size"))
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    established_on: Mapped[date | None]
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )

    owner = relationship("StaffUser")
    contacts = relationship(
        "Contact",
        back_populates="company",
        order_by="(Contact.is_primary.desc(), Contact.id)",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        sa.CheckConstraint("name_zh <> '' OR name_en <> ''", name="has_a_name"),
        sa.Index("ix_companies_created_at_id", "created_at", "id"),
    )

    @property
    def name(self) -> str:
        from expo_crm.i18n import bilingual

        return bilingual(self.name_zh, self.name_en)

    @property
    def primary_contact(self) -> Contact | None:
        return next(iter(self.contacts), None)

    def __repr__(self) -> str:
        return f"<Company {self.id} {self.name_en or self.name_zh}>"


class Contact(TimestampMixin, db.Model):
    __tablename__ = "company_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    title: Mapped[str] = mapped_column(sa.String(120), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="", index=True)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    locale: Mapped[str] = mapped_column(sa.String(8), default="zh")
    is_primary: Mapped[bool] = mapped_column(default=False)

    company = relationship("Company", back_populates="contacts")

    __table_args__ = (
        sa.CheckConstraint("locale IN ('zh', 'en')", name="known_locale"),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        # One primary contact per company.
        sa.Index(
            "uq_company_contacts_primary",
            "company_id",
            unique=True,
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        ),
    )


class Application(TimestampMixin, db.Model):
    """A company's application to exhibit at one show."""

    __tablename__ = "exhibitor_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    state: Mapped[ApplicationState] = mapped_column(
        enum_type(ApplicationState, "application_state"),
        default=ApplicationState.submitted,
        index=True,
    )
    requested_area_m2: Mapped[Decimal] = mapped_column(AREA)
    booth_type: Mapped[BoothType] = mapped_column(enum_type(BoothType, "booth_type"))
    preferred_hall: Mapped[str] = mapped_column(sa.String(20), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    # The customer whose referral link brought this application (relationships/referrals.py).
    referrer_company_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    referrer_visitor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("visitors.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[ApplicationChannel] = mapped_column(
        enum_type(ApplicationChannel, "application_channel"), default=ApplicationChannel.staff
    )
    # Who applied (the public form's contact): invited to the portal when it is approved.
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("company_contacts.id", ondelete="SET NULL"), index=True
    )

    company = relationship("Company", foreign_keys=[company_id])
    show = relationship("Show")
    contact = relationship("Contact")
    events = relationship(
        "ApplicationEvent",
        back_populates="application",
        order_by="ApplicationEvent.id",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        sa.UniqueConstraint("company_id", "show_id"),
        sa.CheckConstraint("requested_area_m2 > 0", name="area_positive"),
        sa.CheckConstraint(
            "referrer_company_id IS NULL OR referrer_visitor_id IS NULL", name="one_referrer"
        ),
    )


class ApplicationEvent(db.Model):
    """One state change of an application: who, when, why."""

    __tablename__ = "exhibitor_application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("exhibitor_applications.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    from_state: Mapped[ApplicationState | None] = mapped_column(
        enum_type(ApplicationState, "from_state")
    )
    to_state: Mapped[ApplicationState] = mapped_column(enum_type(ApplicationState, "to_state"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    actor_kind: Mapped[str] = mapped_column(sa.String(20), default="system")
    actor_id: Mapped[int | None]
    actor_label: Mapped[str] = mapped_column(sa.String(254), default="")

    application = relationship("Application", back_populates="events")

    @property
    def reason_text(self) -> str:
        """The reason a person gave; the first event without one is the application's receipt."""
        if not self.reason and self.from_state is None:
            return str(APPLICATION_RECEIVED)
        return self.reason


class Booth(TimestampMixin, db.Model):
    __tablename__ = "booths"

    id: Mapped[int] = mapped_column(primary_key=True)
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    hall: Mapped[str] = mapped_column(sa.String(20))
    number: Mapped[str] = mapped_column(sa.String(20))
    area_m2: Mapped[Decimal] = mapped_column(AREA)
    booth_type: Mapped[BoothType] = mapped_column(enum_type(BoothType, "booth_type"))
    price_per_m2: Mapped[Decimal] = mapped_column(MONEY)
    corner: Mapped[bool] = mapped_column(default=False)
    island: Mapped[bool] = mapped_column(default=False)
    status: Mapped[BoothStatus] = mapped_column(
        enum_type(BoothStatus, "booth_status"), default=BoothStatus.available, index=True
    )
    # Where it is drawn on its hall's plan, in metres from the hall's origin; rotated by
    # `rotation` degrees about its top-left corner. None until placed on the plan.
    x: Mapped[Decimal | None] = mapped_column(GEOMETRY)
    y: Mapped[Decimal | None] = mapped_column(GEOMETRY)
    width: Mapped[Decimal | None] = mapped_column(GEOMETRY)
    depth: Mapped[Decimal | None] = mapped_column(GEOMETRY)
    rotation: Mapped[int] = mapped_column(default=0)

    show = relationship("Show")
    assignment = relationship("BoothAssignment", back_populates="booth", uselist=False)

    __table_args__ = (
        sa.UniqueConstraint("show_id", "number"),
        sa.Index("ix_booths_show_id_hall_number", "show_id", "hall", "number"),
        sa.CheckConstraint("area_m2 > 0", name="area_positive"),
        sa.CheckConstraint("price_per_m2 >= 0", name="price_not_negative"),
        sa.CheckConstraint(
            "(x IS NULL AND y IS NULL AND width IS NULL AND depth IS NULL)"
            " OR (x IS NOT NULL AND y IS NOT NULL AND width > 0 AND depth > 0)",
            name="geometry_whole",
        ),
        sa.CheckConstraint("rotation >= 0 AND rotation < 360", name="rotation_range"),
    )

    @property
    def placed(self) -> bool:
        return self.width is not None

    @property
    def price(self) -> Decimal:
        return (self.area_m2 * self.price_per_m2).quantize(Decimal("0.01"))


class BoothAssignment(db.Model):
    """A booth given to an approved application. UNIQUE(booth_id): a booth is never sold twice."""

    __tablename__ = "booth_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    booth_id: Mapped[int] = mapped_column(
        sa.ForeignKey("booths.id", ondelete="CASCADE"), unique=True
    )
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("exhibitor_applications.id", ondelete="CASCADE"), index=True
    )
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )

    booth = relationship("Booth", back_populates="assignment")
    application = relationship("Application")
    company = relationship("Company")


class Contract(TimestampMixin, db.Model):
    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("exhibitor_applications.id", ondelete="RESTRICT"), index=True
    )
    state: Mapped[ContractState] = mapped_column(
        enum_type(ContractState, "contract_state"), default=ContractState.draft, index=True
    )
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What the person who cancelled typed, kept as typed.
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    booth_fee: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    services_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    discount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    total_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    booth_area_m2: Mapped[Decimal] = mapped_column(AREA, default=Decimal(0))
    deposit_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    deposit_due: Mapped[date | None]
    balance_due: Mapped[date | None]
    # Staff badges this participation may name; None = one per 9 m² of booth area.
    badge_quota: Mapped[int | None]

    company = relationship("Company")
    show = relationship("Show")
    application = relationship("Application")
    payments = relationship("Payment", back_populates="contract", order_by="Payment.paid_at")

    __table_args__ = (
        sa.CheckConstraint("discount >= 0", name="discount_not_negative"),
        sa.CheckConstraint("total_amount >= 0", name="total_not_negative"),
        sa.CheckConstraint(
            "deposit_amount >= 0 AND deposit_amount <= total_amount", name="deposit_within_total"
        ),
        sa.CheckConstraint(
            "badge_quota IS NULL OR badge_quota >= 0", name="badge_quota_not_negative"
        ),
        sa.CheckConstraint("state <> 'signed' OR signed_at IS NOT NULL", name="signed_has_date"),
        # One live contract per company per show.
        sa.Index(
            "uq_contracts_company_show_live",
            "company_id",
            "show_id",
            unique=True,
            sqlite_where=sa.text("state <> 'cancelled'"),
            postgresql_where=sa.text("state <> 'cancelled'"),
        ),
    )


class Payment(db.Model):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contracts.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime())
    method: Mapped[PaymentMethod] = mapped_column(
        enum_type(PaymentMethod, "payment_method"), default=PaymentMethod.bank_transfer
    )
    reference: Mapped[str] = mapped_column(sa.String(120), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    contract = relationship("Contract", back_populates="payments")

    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    @property
    def paid_on(self) -> date:
        """The day it was paid, in the show's time zone: a payment date is a date."""
        return self.contract.show.local_date(self.paid_at)


class PortalUser(TimestampMixin, db.Model):
    """An exhibitor's contact who may sign in to the portal; sees only its own company."""

    __tablename__ = "portal_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("company_contacts.id", ondelete="SET NULL"), unique=True
    )
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    session_version: Mapped[int] = mapped_column(default=1)

    company = relationship("Company")

    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lowercase"),)

    kind = "exhibitor"

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active and self.password_hash is not None

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"exhibitor:{self.id}:{self.session_version}"

    def can(self, capability: str) -> bool:
        return False


class PortalInvitation(db.Model):
    """A single-use, expiring link to set a portal password. Only a hash of its secret is kept."""

    __tablename__ = "portal_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("portal_users.id", ondelete="CASCADE"), index=True
    )
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )

    portal_user = relationship("PortalUser")

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()


class Submission(TimestampMixin, db.Model):
    """What the exhibitor handed in for a checklist item (catalogue entry, fascia name)."""

    __tablename__ = "exhibitor_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DeliverableKind] = mapped_column(enum_type(DeliverableKind, "deliverable_kind"))
    content: Mapped[str] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("portal_users.id", ondelete="SET NULL")
    )

    __table_args__ = (sa.UniqueConstraint("company_id", "show_id", "kind"),)


class StaffBadge(db.Model):
    """An exhibitor staff member named in the portal; the badge itself is a visitors registration."""

    __tablename__ = "exhibitor_staff_badges"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254))
    # The visitors registration made for this person (visitors owns that table).
    registration_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.UniqueConstraint("show_id", "company_id", "email"),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
    )


class CompanyCategory(db.Model):
    """A product category (of the shared tree) the company offers; chosen in the portal."""

    __tablename__ = "company_categories"

    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(
        sa.ForeignKey("product_categories.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Lead(db.Model):
    """A visitor an exhibitor scanned at its booth. One per visitor per company per show."""

    __tablename__ = "exhibitor_leads"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    # Ids of the visitors area's rows (registrations, visitors), read through its services.
    registration_id: Mapped[int]
    visitor_id: Mapped[int]
    rating: Mapped[int] = mapped_column(default=3)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime())
    captured_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("portal_users.id", ondelete="SET NULL")
    )

    __table_args__ = (
        sa.UniqueConstraint("company_id", "show_id", "visitor_id"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )


register_kind(
    SubjectKind.exhibitor,
    Company,
    searchable=(Company.name_zh, Company.name_en, Company.tax_id),
    hint=lambda company: company.tax_id or "",
    segment_parts=(CompanySize, None, None),  # size · industry (typed) · country and province
)


# --- text the system writes (see expo_crm.events) ----------------------------------------------

APPLIED = events.register(
    "exhibitors.applied",
    _l("Applied for %(area)s m² (%(booth_type)s)"),
    codes={"booth_type": BoothType},
).name
CONTRACT_SIGNED = events.register(
    "exhibitors.contract_signed", _l("Contract %(number)s signed")
).name
APPLICATION_RECEIVED = _l("Application received.")
