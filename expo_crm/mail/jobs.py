"""Sending the outbox over SMTP, with retries: every message delivered once, even across a kill.

One message, one transaction until the server holds it:
1. `UPDATE ... SET state='sending' WHERE id=? AND state='pending'` claims the row (a second
   scheduler's claim waits on it, then finds it no longer pending);
2. the envelope and the message go to the server, all but the end-of-data line (mail/smtp.py);
3. the row, still 'sending', gets its send time and the timeline its entry; COMMIT;
4. the end-of-data line: the server delivers. Its "250" is recorded as state 'sent' in the
   next message's transaction (no extra commit per message), or at the end of the run.
Killed before 3 commits: the server drops the unfinished message, the row is still pending, and
it goes out once later. Killed after: the row stays 'sending' and is never sent again. The
outbox shows it as handed over but not confirmed; it was delivered unless the kill fell in the
microseconds between the commit and the end-of-data line, so staff may send it again by hand.
A server that refuses the message after step 4 (we are alive to hear it) undoes step 3.
"""

from __future__ import annotations

import smtplib
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from expo_crm import clock, signals
from expo_crm.db import UTCDateTime, db, writing
from expo_crm.mail import smtp
from expo_crm.mail.mime import build_message
from expo_crm.mail.models import MailCategory, MailState, OutboxMessage, Unsubscribe
from expo_crm.scheduler.registry import JobProblem, periodic_job
from expo_crm.subjects import SubjectKind

BATCH_SIZE = 200
MAX_BACKOFF = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the attempt, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass(frozen=True)
class _Due:
    """A message ready to send. Read (and built) before its claim: queued content never changes."""

    id: int
    outgoing: smtp.Outgoing
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
            id=m.id,
            outgoing=build_message(m, sender),
            to_address=m.to_address,
            marketing=m.category is MailCategory.marketing,
            subject_ref=(m.subject_kind, m.subject_id) if m.subject_kind is not None else None,
            subject=m.subject,
            notes=m.body_text[:2000],
            show_id=m.show_id,
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
    .where(
        _outbox.id == sa.bindparam("outbox_id"),
        _outbox.state == MailState.pending,
        _outbox.next_attempt_at <= _AT,
    )
    .values(state=MailState.sending, attempts=_outbox.attempts + 1, updated_at=_AT)
    .returning(_outbox.attempts)
)
_HANDED_OVER = (
    sa.update(OutboxMessage.__table__)
    .where(_outbox.id == sa.bindparam("outbox_id"))
    .values(sent_at=_AT, updated_at=sa.bindparam("now", type_=UTCDateTime()), last_error="")
)
_CONFIRM = (
    sa.update(OutboxMessage.__table__)
    .where(_outbox.id == sa.bindparam("outbox_id"), _outbox.state == MailState.sending)
    .values(state=MailState.sent)
)


def _execute(statement, parameters):
    """A per-message statement on the session's connection, in the session's transaction: the
    same as `db.session.execute` for a table statement, without the ORM's per-call work."""
    return db.session.connection().execute(statement, parameters)


def _claim(message_id: int, at: datetime) -> int | None:
    """Take the message for this process, inside the transaction that will mark it sent.
    Returns its attempt count, or None when another process has it or it is no longer due."""
    attempts = _execute(_CLAIM, {"outbox_id": message_id, "at": at}).scalar()
    if attempts is None:
        db.session.rollback()
    return attempts


def _set(message_id: int, at: datetime, **values) -> None:
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(updated_at=at, **values)
        .execution_options(synchronize_session=False)
    )


def _note_unreachable(message_ids: list[int], at: datetime, error: str) -> None:
    """The server could not be reached: no message was tried, so none backs off. The job tries
    again at its next run (each minute), and the mail goes out within a minute of the server's
    return, however long it was away. The outbox shows why the mail is waiting."""
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.state == MailState.pending)
        .values(last_error=error[:2000], updated_at=at)
        .execution_options(synchronize_session=False)
    )


def _record_on_timeline(due: _Due, at: datetime) -> None:
    """Tell listeners (the recipient's timeline) in the transaction that hands the message over;
    a refusal afterwards takes it back (_remove_from_timeline)."""
    signals.mail_handed_over.send(
        due.id,
        subject_ref=due.subject_ref,
        subject=due.subject,
        notes=due.notes,
        show_id=due.show_id,
        at=at,
    )


def _remove_from_timeline(message_id: int) -> None:
    signals.mail_handover_undone.send(message_id)


def _suppressed(address: str) -> bool:
    return (
        db.session.scalar(sa.select(Unsubscribe.id).where(Unsubscribe.email == address.lower()))
        is not None
    )


class MailServerUnreachable(JobProblem):
    """No connection to the SMTP server: the due mail waits, noted with the reason."""


@periodic_job("mail.send_outbox", label=_l("Send the mail outbox"), minutes=1)
def send_outbox(at: datetime) -> int:
    """Send every due message over one SMTP connection; returns how many were sent. Raises
    MailServerUnreachable (after noting it on the waiting mail) when the server cannot be
    reached, so the run is recorded as failed, not as done with nothing to send."""
    with writing():
        return _OutboxRun(at).send_due()


class _OutboxRun:
    """One pass through the due messages over one SMTP connection."""

    def __init__(self, at: datetime):
        self.at = at
        self.settings = smtp.parse_smtp_url(current_app.config["SMTP_URL"])
        self.sender = current_app.config["MAIL_FROM"]
        self.connection: smtplib.SMTP | None = None
        self.delivered: list[
            int
        ] = []  # answered "250" by the server, still 'sending' in the database

    def commit(self) -> None:
        """Commit the open transaction, with the messages delivered since the last one marked sent."""
        if self.delivered:
            _execute(_CONFIRM, [{"outbox_id": message_id} for message_id in self.delivered])
        db.session.commit()
        self.delivered.clear()

    def send_due(self) -> int:
        sent = 0
        last_id = 0
        try:
            while True:
                due = _due_batch(self.at, last_id, self.sender)
                if not due:
                    return sent
                if self.connection is None:
                    try:
                        self.connection = smtp.connect(self.settings)
                    except (OSError, smtplib.SMTPException) as refused:
                        current_app.logger.warning("SMTP server unreachable: %s", refused)
                        _note_unreachable(
                            [d.id for d in due], self.at, f"{type(refused).__name__}: {refused}"
                        )
                        self.commit()
                        raise MailServerUnreachable(
                            f"{type(refused).__name__}: {refused}"
                        ) from refused
                for message in due:
                    last_id = message.id
                    outcome = self.send_one(message)
                    if outcome == "sent":
                        sent += 1
                    elif outcome == "disconnected":
                        self.connection = None
                        return sent
        finally:
            self.close()

    def close(self) -> None:
        if self.delivered:
            self.commit()
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None

    def send_one(self, message: _Due) -> str:
        assert self.connection is not None
        attempts = _claim(message.id, self.at)
        if attempts is None:
            return "taken"
        if message.marketing and _suppressed(message.to_address):
            _set(message.id, self.at, state=MailState.suppressed)
            self.commit()
            return "suppressed"
        try:
            smtp.hand_over(self.connection, message.outgoing)
        except (OSError, smtplib.SMTPException) as error:
            return self.not_sent(message.id, attempts, error)
        _execute(_HANDED_OVER, {"outbox_id": message.id, "at": self.at, "now": clock.now()})
        _record_on_timeline(message, self.at)
        self.commit()
        try:
            smtp.finish(self.connection)
        except (OSError, smtplib.SMTPException) as error:
            # The server refused the message or went away before answering: not delivered, as far
            # as we can know (RFC 5321 asks a client to treat a lost answer as a temporary failure).
            _remove_from_timeline(message.id)
            _set(message.id, self.at, sent_at=None)
            return self.not_sent(message.id, attempts, error)
        self.delivered.append(message.id)
        return "sent"

    def not_sent(self, message_id: int, attempts: int, error: Exception) -> str:
        text = f"{type(error).__name__}: {error}"[:2000]
        if smtp.is_permanent(error):
            _set(message_id, self.at, state=MailState.failed, last_error=text)
        else:
            _set(
                message_id,
                self.at,
                state=MailState.pending,
                next_attempt_at=self.at + backoff(attempts),
                last_error=text,
            )
        self.commit()
        lost = isinstance(error, smtplib.SMTPServerDisconnected | socket.timeout | ConnectionError)
        return "disconnected" if lost else "failed"


# A message handed over but never confirmed after this long was left by a process that died.
UNCONFIRMED_AFTER = timedelta(minutes=10)


def can_retry(message: OutboxMessage, now: datetime) -> bool:
    """Failed, or handed over by a process that died before the server's answer was recorded."""
    if message.state is MailState.failed:
        return True
    return message.state is MailState.sending and message.updated_at < now - UNCONFIRMED_AFTER


def retry(message: OutboxMessage, now: datetime) -> bool:
    """Staff asked to send the message again. False when it may not be retried (any more: it may
    have been confirmed or retried by someone else since the page was shown)."""
    retryable = sa.or_(
        OutboxMessage.state == MailState.failed,
        sa.and_(
            OutboxMessage.state == MailState.sending,
            OutboxMessage.updated_at < now - UNCONFIRMED_AFTER,
        ),
    )
    retried = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message.id, retryable)
        .values(
            state=MailState.pending,
            next_attempt_at=now,
            last_error="",
            sent_at=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if retried:  # a message handed over had its timeline entry: it gets one again when sent
        _remove_from_timeline(message.id)
    db.session.expire(message)
    return bool(retried)
