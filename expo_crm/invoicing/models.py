"""Invoices, receipts, credit notes and their number counters; reminders; fapiao requests.

An invoice row is never deleted nor renumbered: the migration adds triggers that refuse a
DELETE, and an UPDATE of what was issued, on both databases. A wrong invoice is credited."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expo_crm.db import LabeledEnum, TimestampMixin, UTCDateTime, db, enum_type

MONEY = sa.Numeric(12, 2)


class DocumentKind(LabeledEnum):
    invoice = "invoice"
    credit_note = "credit_note"
    receipt = "receipt"

    @classmethod
    def labels(cls) -> dict:
        return {
            "invoice": _l("Invoice"),
            "credit_note": _l("Credit note"),
            "receipt": _l("Receipt"),
        }

    @property
    def prefix(self) -> str:
        return {"invoice": "INV", "credit_note": "CN", "receipt": "RC"}[self.value]


class CreditCause(LabeledEnum):
    cancelled = "cancelled"
    reduced = "reduced"
    corrected = "corrected"

    @classmethod
    def labels(cls) -> dict:
        return {
            "cancelled": _l("Contract cancelled"),
            "reduced": _l("Contract amount reduced"),
            "corrected": _l("Invoice corrected"),
        }


class FapiaoKind(LabeledEnum):
    normal = "normal"
    special = "special"

    @classmethod
    def labels(cls) -> dict:
        return {
            "normal": _l("General VAT fapiao (普票)"),
            "special": _l("Special VAT fapiao (专票)"),
        }


class FapiaoState(LabeledEnum):
    requested = "requested"
    issued = "issued"

    @classmethod
    def labels(cls) -> dict:
        return {"requested": _l("Requested"), "issued": _l("Issued")}


class Issuer(TimestampMixin, db.Model):
    """The organiser as it appears on its invoices. One installation serves one organiser
    (DESIGN §1), so there is one row; its numbers run per document kind and year."""

    __tablename__ = "invoice_issuers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12))
    name_zh: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    tax_id: Mapped[str] = mapped_column(sa.String(40))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    bank: Mapped[str] = mapped_column(sa.String(200), default="")
    account: Mapped[str] = mapped_column(sa.String(60), default="")
    # The VAT rate included in invoiced amounts (0.06 for exhibition services).
    tax_rate: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4), default=Decimal("0.06"))

    __table_args__ = (
        sa.CheckConstraint("id = 1", name="one_organiser"),
        sa.CheckConstraint("tax_rate >= 0 AND tax_rate < 1", name="tax_rate_range"),
        sa.CheckConstraint("code <> ''", name="has_code"),
    )


class NumberCounter(db.Model):
    """The last number given per issuer, document kind and year: incremented inside the
    transaction that issues, so a rolled-back issue leaves no gap and two never share one."""

    __tablename__ = "invoice_counters"

    issuer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("invoice_issuers.id", ondelete="RESTRICT"), primary_key=True
    )
    kind: Mapped[DocumentKind] = mapped_column(
        enum_type(DocumentKind, "document_kind"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.CheckConstraint("last_number >= 0", name="not_negative"),)


class Invoice(db.Model):
    """An invoice, a credit note or a receipt, as issued; what it says never changes."""

    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("invoice_issuers.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind, "document_kind"))
    year: Mapped[int]
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    contract_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contracts.id", ondelete="RESTRICT"), index=True
    )
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="RESTRICT"), index=True
    )
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="RESTRICT"), index=True)
    # The receipt's payment; the credit note's invoice.
    payment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("payments.id", ondelete="RESTRICT"), unique=True
    )
    credited_invoice_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invoices.id", ondelete="RESTRICT"), index=True
    )
    credit_cause: Mapped[CreditCause | None] = mapped_column(enum_type(CreditCause, "credit_cause"))
    # What the person who cancelled or credited typed, kept as typed.
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    amount: Mapped[Decimal] = mapped_column(MONEY)
    tax_rate: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_on: Mapped[date]
    due_on: Mapped[date | None]
    language: Mapped[str] = mapped_column(sa.String(8), default="zh")
    # The buyer as it stood when issued.
    buyer_name_zh: Mapped[str] = mapped_column(sa.String(200), default="")
    buyer_name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    buyer_tax_id: Mapped[str] = mapped_column(sa.String(40), default="")
    buyer_address: Mapped[str] = mapped_column(sa.String(300), default="")
    issued_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )

    issuer = relationship("Issuer")
    contract = relationship("Contract")
    company = relationship("Company")
    show = relationship("Show")
    payment = relationship("Payment")
    credited_invoice = relationship("Invoice", remote_side=[id])

    __table_args__ = (
        sa.UniqueConstraint("issuer_id", "kind", "year", "sequence"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("sequence > 0", name="sequence_positive"),
        sa.CheckConstraint("language IN ('zh', 'en')", name="known_locale"),
        sa.CheckConstraint(
            "(kind = 'credit_note') = (credited_invoice_id IS NOT NULL AND credit_cause IS NOT NULL)",
            name="credit_note_credits",
        ),
        sa.CheckConstraint(
            "(kind = 'receipt') = (payment_id IS NOT NULL)", name="receipt_of_payment"
        ),
        sa.CheckConstraint("kind = 'invoice' OR due_on IS NULL", name="only_invoices_fall_due"),
    )

    @property
    def buyer_name(self) -> str:
        from expo_crm.i18n import bilingual

        return bilingual(self.buyer_name_zh, self.buyer_name_en)

    @property
    def tax_included(self) -> Decimal:
        rate = Decimal(self.tax_rate)
        return (Decimal(self.amount) * rate / (1 + rate)).quantize(Decimal("0.01"))


class InvoiceReminder(db.Model):
    """A reminder of an overdue invoice, sent once per invoice and level."""

    __tablename__ = "invoice_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        sa.ForeignKey("invoices.id", ondelete="RESTRICT"), index=True
    )
    level: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    to_address: Mapped[str] = mapped_column(sa.String(254))
    open_amount: Mapped[Decimal] = mapped_column(MONEY)

    __table_args__ = (
        sa.UniqueConstraint("invoice_id", "level"),
        sa.CheckConstraint("level >= 1", name="level_positive"),
    )


class FapiaoRequest(TimestampMixin, db.Model):
    """What the exhibitor asked its fapiao (发票) to say; finance records the tax system's number."""

    __tablename__ = "fapiao_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    contract_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[FapiaoKind] = mapped_column(enum_type(FapiaoKind, "fapiao_kind"))
    state: Mapped[FapiaoState] = mapped_column(
        enum_type(FapiaoState, "fapiao_state"), default=FapiaoState.requested, index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    tax_id: Mapped[str] = mapped_column(sa.String(18))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    bank: Mapped[str] = mapped_column(sa.String(200), default="")
    account: Mapped[str] = mapped_column(sa.String(60), default="")
    amount: Mapped[Decimal] = mapped_column(MONEY)
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("portal_users.id", ondelete="SET NULL")
    )
    fapiao_number: Mapped[str] = mapped_column(sa.String(40), default="")
    fapiao_issued_on: Mapped[date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    company = relationship("Company")
    contract = relationship("Contract")

    __table_args__ = (
        sa.CheckConstraint("title <> '' AND length(tax_id) = 18", name="title_and_tax_id"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint(
            "kind <> 'special' OR (address <> '' AND phone <> '' AND bank <> '' AND account <> '')",
            name="special_has_bank_details",
        ),
        sa.CheckConstraint(
            "(state = 'issued') = (fapiao_number <> '' AND fapiao_issued_on IS NOT NULL)",
            name="issued_has_number",
        ),
        # One open request per contract: finance answers it before another is made.
        sa.Index(
            "uq_fapiao_requests_contract_open",
            "contract_id",
            unique=True,
            sqlite_where=sa.text("state = 'requested'"),
            postgresql_where=sa.text("state = 'requested'"),
        ),
    )
