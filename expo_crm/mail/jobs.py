"""Sending the outbox over SMTP, with retries.

Each message is claimed and marked sent in ONE transaction around its SMTP transfer:
`UPDATE ... SET state='sending' WHERE id=? AND state='pending'` takes the row (a second
scheduler's claim waits on it and then finds it no longer pending), the message goes out,
`state='sent'` is written and the transaction commits. A process killed before that commit
leaves the message pending, so nothing is lost. The one remaining window: the SMTP server
accepted the message but the commit did not happen (a kill in the microseconds between the
two). Then the message is sent again later with the same Message-ID header, so the recipient's
mail system can recognise the duplicate. Committing per message keeps that window to one message.
"""

from __future__ import annotations

import smtplib
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from expo_crm.db import UTCDateTime, db, writing
from expo_crm.mail.models import MailCategory, MailState, OutboxMessage, Unsubscribe
from expo_crm.relationships.models import Channel, Direction, SubjectKind
from expo_crm.relationships.services import record_new_interaction
from expo_crm.scheduler.registry import periodic_job

BATCH_SIZE = 200
SMTP_TIMEOUT = 10
MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    ssl: bool = False
    starttls: bool = False
    username: str = ""
    password: str = ""


def parse_smtp_url(url: str) -> SmtpSettings:
    """smtp://host:port, smtps://user:pass@host:port, smtp+starttls://user:pass@host:port."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps", "smtp+starttls"):
        raise ValueError(f"unsupported SMTP URL scheme {scheme!r}")
    default_port = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}[scheme]
    return SmtpSettings(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or default_port,
        ssl=scheme == "smtps",
        starttls=scheme == "smtp+starttls",
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.ssl:
        connection: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=SMTP_TIMEOUT)
    else:
        connection = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
    connection.ehlo()
    if settings.starttls:
        connection.starttls()
        connection.ehlo()
    if settings.username:
        connection.login(settings.username, settings.password)
    return connection


def build_message(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = formataddr((message.to_name, message.to_address)) if message.to_name else message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.created_at)
    if message.category is MailCategory.marketing:
        from expo_crm.mail.services import unsubscribe_url

        email["List-Unsubscribe"] = f"<{unsubscribe_url(message.to_address)}>"
    email.set_content(message.body_text)
    inline = [a for a in message.attachments if a.content_id]
    files = [a for a in message.attachments if not a.content_id]
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
        html_part = email.get_payload()[-1]
        for item in inline:
            maintype, _, subtype = item.content_type.partition("/")
            html_part.add_related(
                item.content, maintype=maintype, subtype=subtype or "octet-stream",
                cid=f"<{item.content_id}>", filename=item.filename,
            )
    for item in files + ([] if message.body_html else inline):
        maintype, _, subtype = item.content_type.partition("/")
        email.add_attachment(
            item.content, maintype=maintype, subtype=subtype or "octet-stream", filename=item.filename,
        )
    return email


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the attempt, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _error_code(error: Exception) -> int | None:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return max(codes) if codes else None
    return getattr(error, "smtp_code", None)


def is_permanent(error: Exception) -> bool:
    code = _error_code(error)
    return code is not None and 500 <= code < 600


@dataclass(frozen=True)
class _Due:
    """A message ready to send. Read (and built) before its claim: queued content never changes."""

    id: int
    email: EmailMessage
    to_address: str
    marketing: bool
    subject_ref: tuple[SubjectKind, int] | None
    subject: str
    notes: str
    show_id: int | None


def _due_batch(at: datetime, after_id: int, sender: str) -> list[_Due]:
    messages = db.session.scalars(
        sa.select(OutboxMessage)
        .where(
            OutboxMessage.state == MailState.pending,
            OutboxMessage.next_attempt_at <= at,
            OutboxMessage.id > after_id,
        )
        .order_by(OutboxMessage.id)
        .limit(BATCH_SIZE)
    ).all()
    batch = [
        _Due(
            id=m.id, email=build_message(m, sender), to_address=m.to_address,
            marketing=m.category is MailCategory.marketing,
            subject_ref=(m.subject_kind, m.subject_id) if m.subject_kind is not None else None,
            subject=m.subject, notes=m.body_text[:2000], show_id=m.show_id,
        )
        for m in messages
    ]
    db.session.rollback()  # end the read; each message gets its own write transaction
    return batch


# The per-message statements, built once, on the tables (no ORM unit of work per message).
# Bind names differ from column names: in an UPDATE a parameter named like a column sets it.
_outbox = OutboxMessage.__table__.c
_AT = sa.bindparam("at", type_=UTCDateTime())
_CLAIM = (
    sa.update(OutboxMessage.__table__)
    .where(_outbox.id == sa.bindparam("outbox_id"), _outbox.state == MailState.pending, _outbox.next_attempt_at <= _AT)
    .values(state=MailState.sending, attempts=_outbox.attempts + 1, updated_at=_AT)
    .returning(_outbox.attempts)
)
_MARK_SENT = (
    sa.update(OutboxMessage.__table__)
    .where(_outbox.id == sa.bindparam("outbox_id"))
    .values(state=MailState.sent, sent_at=_AT, updated_at=_AT, last_error="")
)


def _claim(message_id: int, at: datetime) -> int | None:
    """Take the message for this process, inside the transaction that will mark it sent.
    Returns its attempt count, or None when another process has it or it is no longer due."""
    attempts = db.session.execute(_CLAIM, {"outbox_id": message_id, "at": at}).scalar()
    if attempts is None:
        db.session.rollback()
    return attempts


def _set(message_id: int, at: datetime, **values) -> None:
    db.session.execute(
        sa.update(OutboxMessage).where(OutboxMessage.id == message_id).values(updated_at=at, **values)
        .execution_options(synchronize_session=False)
    )


def _defer(message_ids: list[int], at: datetime, error: str) -> None:
    """A temporary failure before any message was claimed (server down): back off the batch."""
    for message in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(message_ids))):
        if message.state is not MailState.pending:
            continue
        message.attempts += 1
        message.next_attempt_at = at + backoff(message.attempts)
        message.last_error = error[:2000]
    db.session.commit()


def _record_on_timeline(due: _Due, at: datetime) -> None:
    """The sent mail on the recipient's timeline. Its source key is new: the row is written only
    in the transaction that takes the message from pending to sent."""
    if due.subject_ref is None:
        return
    kind, subject_id = due.subject_ref
    record_new_interaction(
        kind, subject_id, channel=Channel.email, direction=Direction.outbound, subject=due.subject,
        notes=due.notes, show_id=due.show_id, source_key=f"mail:{due.id}", occurred_at=at,
    )


def _suppressed(address: str) -> bool:
    return db.session.scalar(
        sa.select(Unsubscribe.id).where(Unsubscribe.email == address.lower())
    ) is not None


@periodic_job("mail.send_outbox", label=_l("Send the mail outbox"), minutes=1)
def send_outbox(at: datetime) -> int:
    """Send every due message over one SMTP connection; returns how many were sent."""
    with writing():
        return _send_outbox(at)


def _send_outbox(at: datetime) -> int:
    settings = parse_smtp_url(current_app.config["SMTP_URL"])
    sender = current_app.config["MAIL_FROM"]
    sent = 0
    last_id = 0
    connection: smtplib.SMTP | None = None
    try:
        while True:
            due = _due_batch(at, last_id, sender)
            if not due:
                return sent
            if connection is None:
                try:
                    connection = connect(settings)
                except (OSError, smtplib.SMTPException) as refused:
                    current_app.logger.warning("SMTP server unreachable: %s", refused)
                    _defer([d.id for d in due], at, f"{type(refused).__name__}: {refused}")
                    return sent
            for message in due:
                last_id = message.id
                outcome = _send_one(connection, message, at)
                if outcome == "sent":
                    sent += 1
                elif outcome == "disconnected":
                    connection = None
                    return sent
    finally:
        if connection is not None:
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                connection.close()


def _send_one(connection: smtplib.SMTP, message: _Due, at: datetime) -> str:
    attempts = _claim(message.id, at)
    if attempts is None:
        return "taken"
    if message.marketing and _suppressed(message.to_address):
        _set(message.id, at, state=MailState.suppressed)
        db.session.commit()
        return "suppressed"
    try:
        connection.send_message(message.email, to_addrs=[message.to_address])
    except (OSError, smtplib.SMTPException) as error:
        text = f"{type(error).__name__}: {error}"[:2000]
        if is_permanent(error):
            _set(message.id, at, state=MailState.failed, last_error=text)
        else:
            _set(message.id, at, state=MailState.pending, next_attempt_at=at + backoff(attempts), last_error=text)
        db.session.commit()
        lost = isinstance(error, smtplib.SMTPServerDisconnected | socket.timeout | ConnectionError)
        return "disconnected" if lost else "failed"
    db.session.execute(_MARK_SENT, {"outbox_id": message.id, "at": at})
    _record_on_timeline(message, at)
    db.session.commit()
    return "sent"


def retry(message: OutboxMessage, at: datetime) -> None:
    """Staff asked to try a failed message again."""
    if message.state is MailState.failed:
        message.state = MailState.pending
        message.next_attempt_at = at
        message.last_error = ""
