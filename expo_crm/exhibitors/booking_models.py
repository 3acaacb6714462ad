"""Tables of the drawn hall plan, online applications' documents, rebooking windows and the
holds a pick puts on a booth. The rules that must never break are constraints here: one active
hold per booth, one per company and show, one window per company and show."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expo_crm import events
from expo_crm.db import LabeledEnum, TimestampMixin, UTCDateTime, db, enum_type
from expo_crm.relationships.models import LoyaltyKind


class HallOutline(TimestampMixin, db.Model):
    """The outline of one hall of a show: a polygon in metres, [[x, y], ...], drawn clockwise or not."""

    __tablename__ = "hall_outlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    hall: Mapped[str] = mapped_column(sa.String(20))
    points: Mapped[list] = mapped_column(sa.JSON)

    __table_args__ = (sa.UniqueConstraint("show_id", "hall"),)


class DocumentKind(LabeledEnum):
    business_licence = "business_licence"
    product_brochure = "product_brochure"

    @classmethod
    def labels(cls) -> dict:
        return {
            "business_licence": _l("Business licence (营业执照)"),
            "product_brochure": _l("Product brochure"),
        }


class ApplicationDocument(db.Model):
    """A file sent with an online application; the file itself is in the instance folder."""

    __tablename__ = "exhibitor_application_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("exhibitor_applications.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind, "document_kind"))
    filename: Mapped[str] = mapped_column(sa.String(200))
    token: Mapped[str] = mapped_column(sa.String(60), unique=True)
    size: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    application = relationship("Application")

    __table_args__ = (sa.CheckConstraint("size > 0", name="size_positive"),)


class RebookingPlan(TimestampMixin, db.Model):
    """Staff's settings for the priority rebooking of one show: when the first window opens,
    how long each window lasts, how many companies share one, and how long a pick holds a booth."""

    __tablename__ = "rebooking_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), unique=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    window_hours: Mapped[int] = mapped_column(default=24)
    companies_per_window: Mapped[int] = mapped_column(default=10)
    hold_minutes: Mapped[int] = mapped_column(default=30)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.CheckConstraint("window_hours > 0", name="window_positive"),
        sa.CheckConstraint("companies_per_window > 0", name="group_positive"),
        sa.CheckConstraint("hold_minutes > 0", name="hold_positive"),
    )


class RebookingWindow(db.Model):
    """When one past exhibitor may pick its booth for the show, its rank, and why (an event)."""

    __tablename__ = "rebooking_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int]
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    score: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    reason_event: Mapped[str] = mapped_column(sa.String(80))
    reason_params: Mapped[dict | None] = mapped_column(sa.JSON)
    offer_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    company = relationship("Company")

    __table_args__ = (
        sa.UniqueConstraint("show_id", "company_id"),
        sa.UniqueConstraint("show_id", "rank"),
        sa.CheckConstraint("opens_at < closes_at", name="window_ordered"),
    )

    @property
    def reason(self) -> str:
        return events.render(self.reason_event, self.reason_params)


class HoldState(LabeledEnum):
    active = "active"
    booked = "booked"
    released = "released"
    lapsed = "lapsed"

    @classmethod
    def labels(cls) -> dict:
        return {
            "active": _l("Held"),
            "booked": _l("Booked"),
            "released": _l("Released"),
            "lapsed": _l("Lapsed"),
        }


class BoothHold(db.Model):
    """A booth picked in the portal, held for the company until it books it or the hold lapses.
    Partial unique indexes: never two active holds on one booth, nor two for one company."""

    __tablename__ = "booth_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    booth_id: Mapped[int] = mapped_column(
        sa.ForeignKey("booths.id", ondelete="CASCADE"), index=True
    )
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    state: Mapped[HoldState] = mapped_column(
        enum_type(HoldState, "hold_state"), default=HoldState.active
    )
    held_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("exhibitor_applications.id", ondelete="SET NULL")
    )

    booth = relationship("Booth")

    __table_args__ = (
        sa.Index(
            "uq_booth_holds_active_booth",
            "booth_id",
            unique=True,
            sqlite_where=sa.text("state = 'active'"),
            postgresql_where=sa.text("state = 'active'"),
        ),
        sa.Index(
            "uq_booth_holds_active_company",
            "company_id",
            "show_id",
            unique=True,
            sqlite_where=sa.text("state = 'active'"),
            postgresql_where=sa.text("state = 'active'"),
        ),
        sa.CheckConstraint("held_at < expires_at", name="hold_ordered"),
    )


# --- text the system writes ------------------------------------------------------------------

RANK_BY_VALUE = events.register(
    "exhibitors.rebooking_rank_value",
    _l("Customer value %(value)s CNY; %(loyalty)s; editions attended: %(editions)s"),
    codes={"loyalty": LoyaltyKind},
).name
RANK_BY_HISTORY = events.register(
    "exhibitors.rebooking_rank_history",
    _l("No customer value yet; editions attended: %(editions)s; last area %(area)s m²"),
).name
