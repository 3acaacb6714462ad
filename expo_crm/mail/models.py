from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expo_crm import events
from expo_crm.db import LabeledEnum, TimestampMixin, UTCDateTime, db, enum_type
from expo_crm.subjects import SubjectRefMixin, subject_indexes


class MailState(LabeledEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    suppressed = "suppressed"

    @classmethod
    def labels(cls) -> dict:
        return {
            "pending": _l("Waiting"),
            "sending": _l("Handed over, not confirmed"),
            "sent": _l("Sent"),
            "failed": _l("Failed"),
            "suppressed": _l("Not sent (unsubscribed)"),
        }


class MailCategory(LabeledEnum):
    transactional = "transactional"
    service = "service"
    marketing = "marketing"

    @classmethod
    def labels(cls) -> dict:
        return {
            "transactional": _l("Transactional"),
            "service": _l("Service"),
            "marketing": _l("Marketing"),
        }


class OutboxMessage(SubjectRefMixin, TimestampMixin, db.Model):
    """An email, rendered in the recipient's language when queued, sent by the scheduler."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(254), index=True)
    to_name: Mapped[str] = mapped_column(sa.String(200), default="")
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    language: Mapped[str] = mapped_column(sa.String(8), default="zh")
    template: Mapped[str] = mapped_column(sa.String(120))
    category: Mapped[MailCategory] = mapped_column(
        enum_type(MailCategory, "mail_category"), default=MailCategory.transactional
    )
    state: Mapped[MailState] = mapped_column(
        enum_type(MailState, "mail_state"), default=MailState.pending
    )
    # One email per purpose per recipient ("survey:12:visitor:7"): a job that runs twice queues nothing twice.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(160), unique=True)
    # The Message-ID header, fixed when queued, so a resend after a crash is recognisable.
    message_id: Mapped[str] = mapped_column(sa.String(200), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    show_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shows.id", ondelete="SET NULL"))

    attachments = relationship("OutboxAttachment", cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        sa.Index("ix_outbox_messages_due", "state", "next_attempt_at"),
        sa.CheckConstraint(
            "(CASE WHEN company_id IS NULL THEN 0 ELSE 1 END + CASE WHEN visitor_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN supplier_id IS NULL THEN 0 ELSE 1 END + CASE WHEN partner_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="at_most_one_subject",
        ),
        *subject_indexes("outbox_messages"),
    )


class OutboxAttachment(db.Model):
    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # Referenced from the HTML body as cid:<content_id> (an inline QR image), else a plain attachment.
    content_id: Mapped[str | None] = mapped_column(sa.String(100))


class Unsubscribe(TimestampMixin, db.Model):
    """An address that asked for no more marketing mail; checked when queuing and when sending."""

    __tablename__ = "unsubscribes"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    unsubscribed_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- text the system writes (see expo_crm.events) ----------------------------------------------

# The subject is the one the recipient received, in the recipient's language.
MAIL_SENT = events.register("mail.sent", _l("Email sent: %(subject)s")).name
