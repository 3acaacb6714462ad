"""Partners blueprint: directory, agreements, deliverables, referral codes, sponsorship."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expo_crm import events
from expo_crm.db import LabeledEnum, TimestampMixin, UTCDateTime, db, enum_type
from expo_crm.relationships.subjects import register_kind
from expo_crm.subjects import SubjectKind


class PartnerKind(LabeledEnum):
    association = "association"
    media = "media"
    sponsor = "sponsor"
    co_organiser = "co_organiser"
    government = "government"
    overseas_agent = "overseas_agent"

    @classmethod
    def labels(cls) -> dict:
        return {
            "association": _l("Industry association"),
            "media": _l("Media"),
            "sponsor": _l("Sponsor"),
            "co_organiser": _l("Co-organiser"),
            "government": _l("Government body"),
            "overseas_agent": _l("Overseas agent"),
        }


class Partner(TimestampMixin, db.Model):
    """An association, media, sponsor, co-organiser, government body or overseas agent (合作伙伴)."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(sa.String(200), default="")
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[PartnerKind] = mapped_column(
        enum_type(PartnerKind, "partner_kind"), default=PartnerKind.association, index=True
    )
    contact_name: Mapped[str] = mapped_column(sa.String(120), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    locale: Mapped[str] = mapped_column(sa.String(8), default="zh")
    website: Mapped[str] = mapped_column(sa.String(200), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    active: Mapped[bool] = mapped_column(default=True)

    owner = relationship("StaffUser")

    __table_args__ = (sa.CheckConstraint("name_zh <> '' OR name_en <> ''", name="has_name"),)

    @property
    def name(self) -> str:
        from expo_crm.i18n import bilingual

        return bilingual(self.name_zh, self.name_en)


class ReferralCode(TimestampMixin, db.Model):
    """A partner's code in a registration link; registrations through it are attributed to it."""

    __tablename__ = "referral_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        sa.ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    label: Mapped[str] = mapped_column(sa.String(120), default="")
    active: Mapped[bool] = mapped_column(default=True)

    partner = relationship("Partner")
    show = relationship("Show")


class AgreementState(LabeledEnum):
    draft = "draft"
    active = "active"
    completed = "completed"
    cancelled = "cancelled"

    @classmethod
    def labels(cls) -> dict:
        return {
            "draft": _l("Draft"),
            "active": _l("Active"),
            "completed": _l("Completed"),
            "cancelled": _l("Cancelled"),
        }


class Agreement(TimestampMixin, db.Model):
    """What a partner and the organiser agreed for one show."""

    __tablename__ = "partner_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        sa.ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    signed_on: Mapped[date | None]
    state: Mapped[AgreementState] = mapped_column(
        enum_type(AgreementState, "agreement_state"), default=AgreementState.active
    )
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    partner = relationship("Partner")
    show = relationship("Show")
    deliverables = relationship(
        "Deliverable",
        back_populates="agreement",
        cascade="all, delete-orphan",
        order_by="Deliverable.due_date",
    )


class DeliverableKind(LabeledEnum):
    logo_placement = "logo_placement"
    advertising = "advertising"
    buyer_delegation = "buyer_delegation"
    member_mailing = "member_mailing"
    booth_discount = "booth_discount"
    other = "other"

    @classmethod
    def labels(cls) -> dict:
        return {
            "logo_placement": _l("Logo placement"),
            "advertising": _l("Advertising"),
            "buyer_delegation": _l("Buyer delegation"),
            "member_mailing": _l("Mailing to members"),
            "booth_discount": _l("Booth discount"),
            "other": _l("Other"),
        }


class DeliverableState(LabeledEnum):
    pending = "pending"
    done = "done"
    cancelled = "cancelled"

    @classmethod
    def labels(cls) -> dict:
        return {"pending": _l("Pending"), "done": _l("Delivered"), "cancelled": _l("Cancelled")}


class Deliverable(TimestampMixin, db.Model):
    """One thing promised under an agreement, by a due date."""

    __tablename__ = "partner_deliverables"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("partner_agreements.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DeliverableKind] = mapped_column(enum_type(DeliverableKind, "deliverable_kind"))
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    due_date: Mapped[date] = mapped_column(index=True)
    state: Mapped[DeliverableState] = mapped_column(
        enum_type(DeliverableState, "deliverable_state"),
        default=DeliverableState.pending,
        index=True,
    )
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    agreement = relationship("Agreement", back_populates="deliverables")

    __table_args__ = (
        sa.CheckConstraint("(state = 'done') = (done_at IS NOT NULL)", name="done_when_delivered"),
    )


class SponsorshipPackage(TimestampMixin, db.Model):
    """A sponsorship level of a show; `sold` can never pass `total` (a CHECK)."""

    __tablename__ = "sponsorship_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    level_zh: Mapped[str] = mapped_column(sa.String(120), default="")
    level_en: Mapped[str] = mapped_column(sa.String(120), default="")
    price: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    benefits: Mapped[str] = mapped_column(sa.Text, default="")
    total: Mapped[int]
    sold: Mapped[int] = mapped_column(default=0)

    show = relationship("Show")

    __table_args__ = (
        sa.CheckConstraint("total > 0", name="total_positive"),
        sa.CheckConstraint("sold >= 0 AND sold <= total", name="sold_within_total"),
        sa.CheckConstraint("price >= 0", name="price_not_negative"),
    )

    @property
    def level(self) -> str:
        from expo_crm.i18n import bilingual

        return bilingual(self.level_zh, self.level_en)


class Sponsorship(TimestampMixin, db.Model):
    """A package sold to a partner."""

    __tablename__ = "sponsorships"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sponsorship_packages.id", ondelete="RESTRICT"), index=True
    )
    partner_id: Mapped[int] = mapped_column(
        sa.ForeignKey("partners.id", ondelete="RESTRICT"), index=True
    )
    sold_at: Mapped[datetime] = mapped_column(UTCDateTime())
    price: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))

    package = relationship("SponsorshipPackage")
    partner = relationship("Partner")

    __table_args__ = (sa.UniqueConstraint("package_id", "partner_id"),)


register_kind(
    SubjectKind.partner,
    Partner,
    searchable=(Partner.name_zh, Partner.name_en, Partner.email),
    hint=lambda partner: partner.email,
    segment_parts=(PartnerKind,),
)


# --- text the system writes (see expo_crm.events) ----------------------------------------------

DELIVERABLE_OVERDUE = events.register(
    "partners.deliverable_overdue",
    _l("%(partner)s: %(deliverable)s overdue since %(day)s"),
    codes={"deliverable": DeliverableKind},
).name
