"""Suppliers blueprint: directory, documents, service catalogue, service orders, evaluations."""

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

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = ("application/pdf", "image/png", "image/jpeg")


class SupplierCategory(LabeledEnum):
    booth_builder = "booth_builder"
    logistics = "logistics"
    furniture = "furniture"
    utilities = "utilities"
    catering = "catering"
    cleaning = "cleaning"
    security = "security"
    av = "av"
    printing = "printing"
    travel = "travel"

    @classmethod
    def labels(cls) -> dict:
        return {
            "booth_builder": _l("Booth builder"),
            "logistics": _l("Logistics and freight"),
            "furniture": _l("Furniture rental"),
            "utilities": _l("Power and water"),
            "catering": _l("Catering"),
            "cleaning": _l("Cleaning"),
            "security": _l("Security"),
            "av": _l("Audio-visual"),
            "printing": _l("Printing"),
            "travel": _l("Hotel and travel"),
        }


class Supplier(TimestampMixin, db.Model):
    """A venue or service supplier (供应商): booth builder, logistics, catering, ..."""

    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(sa.String(200), default="")
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    category: Mapped[SupplierCategory] = mapped_column(
        enum_type(SupplierCategory, "supplier_category"),
        default=SupplierCategory.booth_builder,
        index=True,
    )
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    locale: Mapped[str] = mapped_column(sa.String(8), default="zh")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    active: Mapped[bool] = mapped_column(default=True)

    owner = relationship("StaffUser")
    contacts = relationship(
        "SupplierContact",
        back_populates="supplier",
        cascade="all, delete-orphan",
        order_by="SupplierContact.id",
    )
    documents = relationship(
        "SupplierDocument",
        back_populates="supplier",
        cascade="all, delete-orphan",
        order_by="SupplierDocument.expires_on",
    )

    __table_args__ = (sa.CheckConstraint("name_zh <> '' OR name_en <> ''", name="has_name"),)

    @property
    def name(self) -> str:
        from expo_crm.i18n import bilingual

        return bilingual(self.name_zh, self.name_en)


class SupplierContact(TimestampMixin, db.Model):
    __tablename__ = "supplier_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(
        sa.ForeignKey("suppliers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[str] = mapped_column(sa.String(120), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")

    supplier = relationship("Supplier", back_populates="contacts")


class DocumentKind(LabeledEnum):
    business_licence = "business_licence"
    insurance = "insurance"
    safety_certificate = "safety_certificate"

    @classmethod
    def labels(cls) -> dict:
        return {
            "business_licence": _l("Business licence"),
            "insurance": _l("Insurance"),
            "safety_certificate": _l("Safety certificate"),
        }


class SupplierDocument(TimestampMixin, db.Model):
    """A qualification document with its expiry date; the file itself is kept in the database."""

    __tablename__ = "supplier_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(
        sa.ForeignKey("suppliers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind, "supplier_document_kind"))
    number: Mapped[str] = mapped_column(sa.String(120), default="")
    expires_on: Mapped[date] = mapped_column(index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )

    supplier = relationship("Supplier", back_populates="documents")

    __table_args__ = (
        sa.CheckConstraint(f"size > 0 AND size <= {MAX_DOCUMENT_BYTES}", name="size_limit"),
        sa.CheckConstraint(
            "content_type IN (" + ", ".join(f"'{t}'" for t in DOCUMENT_TYPES) + ")",
            name="allowed_type",
        ),
    )


# Units of the catalogue, stored as codes and shown in the reader's language; a unit typed
# by staff that is not listed here is shown as typed.
UNITS = {
    "pcs": _l("pcs"),
    "set": _l("set"),
    "hour": _l("hour"),
    "day": _l("day"),
    "night": _l("night"),
    "point": _l("connection point"),
    "m²": _l("m²"),
    "m³": _l("m³"),
    "kg": _l("kg"),
    "person": _l("person"),
    "trip": _l("trip"),
}


class CatalogueItem(TimestampMixin, db.Model):
    """A service a supplier offers exhibitors of one show, with its order deadline."""

    __tablename__ = "catalogue_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(
        sa.ForeignKey("suppliers.id", ondelete="RESTRICT"), index=True
    )
    name_zh: Mapped[str] = mapped_column(sa.String(200), default="")
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    unit: Mapped[str] = mapped_column(sa.String(40), default="")
    price: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    order_deadline: Mapped[date]
    late_surcharge_pct: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal(0))
    late_orders_allowed: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)

    show = relationship("Show")
    supplier = relationship("Supplier")

    __table_args__ = (
        sa.CheckConstraint("price >= 0", name="price_not_negative"),
        sa.CheckConstraint(
            "late_surcharge_pct >= 0 AND late_surcharge_pct <= 200", name="surcharge_range"
        ),
        sa.CheckConstraint("name_zh <> '' OR name_en <> ''", name="has_name"),
    )

    @property
    def name(self) -> str:
        from expo_crm.i18n import bilingual

        return bilingual(self.name_zh, self.name_en)

    @property
    def unit_label(self) -> str:
        return str(UNITS.get(self.unit, self.unit))


class OrderState(LabeledEnum):
    ordered = "ordered"
    confirmed = "confirmed"
    delivered = "delivered"
    invoiced = "invoiced"
    cancelled = "cancelled"

    @classmethod
    def labels(cls) -> dict:
        return {
            "ordered": _l("Ordered"),
            "confirmed": _l("Confirmed"),
            "delivered": _l("Delivered"),
            "invoiced": _l("Invoiced"),
            "cancelled": _l("Cancelled"),
        }


# state -> the states it may move to
ORDER_TRANSITIONS: dict[OrderState, tuple[OrderState, ...]] = {
    OrderState.ordered: (OrderState.confirmed, OrderState.cancelled),
    OrderState.confirmed: (OrderState.delivered, OrderState.cancelled),
    OrderState.delivered: (OrderState.invoiced,),
    OrderState.invoiced: (),
    OrderState.cancelled: (),
}


class ServiceOrder(TimestampMixin, db.Model):
    """An exhibitor's order of a catalogue item, routed to the item's supplier."""

    __tablename__ = "service_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="RESTRICT"), index=True
    )
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="RESTRICT"), index=True)
    supplier_id: Mapped[int] = mapped_column(
        sa.ForeignKey("suppliers.id", ondelete="RESTRICT"), index=True
    )
    catalogue_item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("catalogue_items.id", ondelete="RESTRICT")
    )
    quantity: Mapped[int]
    unit_price: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    surcharge_pct: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal(0))
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    late: Mapped[bool] = mapped_column(default=False)
    state: Mapped[OrderState] = mapped_column(
        enum_type(OrderState, "service_order_state"), default=OrderState.ordered, index=True
    )
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # "portal" when the exhibitor ordered, "staff" when staff ordered on its behalf
    channel: Mapped[str] = mapped_column(sa.String(8), default="portal")
    ordered_by_staff_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    company = relationship("Company")
    show = relationship("Show")
    supplier = relationship("Supplier")
    item = relationship("CatalogueItem")

    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
        sa.CheckConstraint("channel IN ('portal', 'staff')", name="known_channel"),
        sa.Index("ix_service_orders_company_show", "company_id", "show_id"),
    )


class SupplierEvaluation(TimestampMixin, db.Model):
    """How a supplier did at one show: three 1–5 ratings and the exhibitors' complaints."""

    __tablename__ = "supplier_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(
        sa.ForeignKey("suppliers.id", ondelete="CASCADE"), index=True
    )
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    quality: Mapped[int]
    punctuality: Mapped[int]
    price: Mapped[int]
    complaints: Mapped[int] = mapped_column(default=0)
    score: Mapped[Decimal] = mapped_column(sa.Numeric(4, 2))
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    evaluated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )

    show = relationship("Show")
    supplier = relationship("Supplier")

    __table_args__ = (
        sa.UniqueConstraint("supplier_id", "show_id"),
        sa.CheckConstraint("quality BETWEEN 1 AND 5", name="quality_range"),
        sa.CheckConstraint("punctuality BETWEEN 1 AND 5", name="punctuality_range"),
        sa.CheckConstraint("price BETWEEN 1 AND 5", name="price_range"),
        sa.CheckConstraint("complaints >= 0", name="complaints_not_negative"),
    )


register_kind(
    SubjectKind.supplier,
    Supplier,
    searchable=(Supplier.name_zh, Supplier.name_en, Supplier.email),
    hint=lambda supplier: supplier.email,
)


# --- text the system writes (see expo_crm.events) ----------------------------------------------

DOCUMENT_MISSING = events.register(
    "suppliers.document_missing",
    _l("%(supplier)s: %(doc)s missing for %(show)s"),
    detail=_l("%(show)s: %(move_in)s – %(move_out)s"),
    codes={"doc": DocumentKind},
).name
DOCUMENT_EXPIRES = events.register(
    "suppliers.document_expires",
    _l("%(supplier)s: %(doc)s expires %(day)s, before the end of %(show)s"),
    detail=_l("%(show)s: %(move_in)s – %(move_out)s"),
    codes={"doc": DocumentKind},
).name
