"""Queueing mail. Sending (with retries) is the scheduler's job in mail/jobs.py.

Callers queue inside their own transaction; the email goes out only if that commits.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import TemplateNotFound
from markupsafe import escape

from expo_crm import clock
from expo_crm.db import db
from expo_crm.mail.models import (
    MailCategory,
    MailState,
    OutboxAttachment,
    OutboxMessage,
    Unsubscribe,
)
from expo_crm.subjects import SUBJECT_COLUMNS, SubjectKind


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str | None = None  # set for inline images referenced as cid:...


def _render(name: str, context: dict) -> str:
    """Without the page context processors: jobs render mail outside any request or login."""
    return current_app.jinja_env.get_template(name).render(**context)


def render_email(template: str, language: str, **context) -> tuple[str, str, str]:
    """(subject, text, html) from templates/emails/<template>.{subject.txt,txt,html}."""
    subject, text, html = _render_parts(template, language, context)
    return _one_line(subject), text, html


def _render_parts(template: str, language: str, context: dict) -> tuple[str, str, str]:
    context.setdefault("base_url", current_app.config["BASE_URL"])
    with force_locale(language):
        subject = _render(f"emails/{template}.subject.txt", context)
        text = _render(f"emails/{template}.txt", context)
        try:
            html = _render(f"emails/{template}.html", context)
        except TemplateNotFound:  # an HTML part is optional
            html = ""
    return subject, text, html


def _one_line(subject: str) -> str:
    return " ".join(subject.split())


class _Rendered:
    """One template rendered once for many recipients, with each recipient's own values put
    in afterwards: the personal values are rendered as markers (letters and digits, which no
    escaping or translation changes), and each marker is replaced by the recipient's value,
    HTML-escaped in the parts the template engine escapes. `usable_for` checks the result
    against an ordinary render, so a template that changes a personal value (a filter, a
    condition on it) is rendered per recipient instead."""

    def __init__(self, template: str, language: str, context: dict, personal: Collection[str]):
        self.template, self.language, self.context = template, language, context
        tag = secrets.token_hex(8)
        self.markers = {name: f"q{tag}{n}q" for n, name in enumerate(personal)}
        self.pattern = re.compile("|".join(self.markers.values()))
        self.parts = _render_parts(template, language, {**context, **self.markers})
        self.escaped_html = _autoescapes(f"emails/{template}.html")

    def render(self, values: Mapping[str, str]) -> tuple[str, str, str]:
        by_marker = {self.markers[name]: str(value) for name, value in values.items()}
        subject, text, html = self.parts

        def put(part: str, escaped: bool) -> str:
            if escaped:
                return self.pattern.sub(lambda m: str(escape(by_marker[m.group()])), part)
            return self.pattern.sub(lambda m: by_marker[m.group()], part)

        return _one_line(put(subject, False)), put(text, False), put(html, self.escaped_html)

    def usable_for(self, values: Mapping[str, str]) -> bool:
        return self.render(values) == render_email(
            self.template, self.language, **{**self.context, **values}
        )


def _autoescapes(name: str) -> bool:
    autoescape = current_app.jinja_env.autoescape
    return bool(autoescape(name) if callable(autoescape) else autoescape)


def enqueue_email(
    to_address: str,
    template: str,
    *,
    language: str = "zh",
    to_name: str = "",
    context: dict | None = None,
    attachments: list[Attachment] | tuple = (),
    category: MailCategory | str = MailCategory.transactional,
    dedupe_key: str | None = None,
    subject_ref: tuple[SubjectKind | str, int] | None = None,
    show_id: int | None = None,
) -> OutboxMessage | None:
    """Queue an email in the current transaction. With a dedupe_key already queued: None."""
    if dedupe_key is not None and _already_queued(dedupe_key):
        return None
    category = MailCategory(category)
    address = to_address.strip()
    context = dict(context or {})
    if category is MailCategory.marketing:
        context.setdefault("unsubscribe_url", unsubscribe_url(address))
    subject, text, html = render_email(template, language, **context)
    domain = current_app.config["MAIL_FROM"].rsplit("@", 1)[-1].strip(">") or "expo-crm.local"
    message = OutboxMessage(
        to_address=address,
        to_name=to_name,
        subject=subject,
        body_text=text,
        body_html=html,
        language=language,
        template=template,
        category=category,
        state=MailState.suppressed
        if category is MailCategory.marketing and is_unsubscribed(address)
        else MailState.pending,
        dedupe_key=dedupe_key,
        message_id=f"<{uuid.uuid4().hex}@{domain}>",
        next_attempt_at=clock.now(),
        show_id=show_id,
    )
    if subject_ref is not None:
        setattr(message, SUBJECT_COLUMNS[SubjectKind(subject_ref[0])], subject_ref[1])
    for item in attachments:
        message.attachments.append(
            OutboxAttachment(
                filename=item.filename,
                content_type=item.content_type,
                content=item.content,
                content_id=item.content_id,
            )
        )
    db.session.add(message)
    if dedupe_key is not None:
        known = _dedupe_keys_of_this_transaction()
        known.queued.add(dedupe_key)
        known.new.discard(dedupe_key)
    return message


@dataclass(frozen=True)
class Addressee:
    """One recipient of `enqueue_many`: `personal` holds the template values that are theirs
    alone (name, link); everything else in the email is the same for all of them."""

    address: str
    name: str
    dedupe_key: str
    personal: Mapping[str, str]
    subject_ref: tuple[SubjectKind | str, int] | None = None


def enqueue_many(
    template: str,
    addressees: Sequence[Addressee],
    *,
    language: str,
    context: dict,
    category: MailCategory | str,
    show_id: int | None = None,
) -> list[str]:
    """Queue one email per addressee, like `enqueue_email` each (same subject, bodies, dedupe
    and suppression), in one INSERT for the lot. Returns the dedupe keys queued now; keys
    queued before (or earlier in this transaction) are skipped."""
    category = MailCategory(category)
    known = _dedupe_keys_of_this_transaction()
    look_up_dedupe_keys([a.dedupe_key for a in addressees])
    fresh: list[Addressee] = []
    for addressee in addressees:
        if addressee.dedupe_key not in known.queued:
            known.queued.add(addressee.dedupe_key)
            known.new.discard(addressee.dedupe_key)
            fresh.append(addressee)
    if not fresh:
        return []
    marketing = category is MailCategory.marketing
    unsubscribed = _unsubscribed_among([a.address for a in fresh]) if marketing else set()
    personal = set().union(*(a.personal for a in fresh)) | (
        {"unsubscribe_url"} if marketing else set()
    )
    rendered = _Rendered(template, language, dict(context), sorted(personal))
    checked = False
    domain = current_app.config["MAIL_FROM"].rsplit("@", 1)[-1].strip(">") or "expo-crm.local"
    now = clock.now()
    rows = []
    for addressee in fresh:
        address = addressee.address.strip()
        values = dict(addressee.personal)
        if marketing:
            values["unsubscribe_url"] = unsubscribe_url(address)
        shared = values.keys() == personal and all(values.values())
        if shared and not checked:
            checked = True
            if not rendered.usable_for(values):
                rendered = None
        if shared and rendered is not None:
            subject, text, html = rendered.render(values)
        else:  # an empty or missing value may take another branch of the template
            subject, text, html = render_email(template, language, **{**context, **values})
        row = {
            "to_address": address,
            "to_name": addressee.name,
            "subject": subject,
            "body_text": text,
            "body_html": html,
            "language": language,
            "template": template,
            "category": category,
            "state": MailState.suppressed
            if marketing and address.lower() in unsubscribed
            else MailState.pending,
            "dedupe_key": addressee.dedupe_key,
            "message_id": f"<{uuid.uuid4().hex}@{domain}>",
            "next_attempt_at": now,
            "show_id": show_id,
            **dict.fromkeys(SUBJECT_COLUMNS.values()),
        }
        if addressee.subject_ref is not None:
            kind, subject_id = addressee.subject_ref
            row[SUBJECT_COLUMNS[SubjectKind(kind)]] = subject_id
        rows.append(row)
    db.session.execute(sa.insert(OutboxMessage.__table__), rows)
    return [addressee.dedupe_key for addressee in fresh]


def _unsubscribed_among(addresses: Sequence[str]) -> set[str]:
    wanted = sorted({address.strip().lower() for address in addresses})
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(
            db.session.scalars(
                sa.select(Unsubscribe.email).where(
                    Unsubscribe.email.in_(wanted[start : start + 500])
                )
            )
        )
    return found


def look_up_dedupe_keys(dedupe_keys: Collection[str]) -> None:
    """Look up many keys at once (a campaign's), so that queueing each one does not: one query
    per 500 keys, and the answers are remembered until the transaction ends."""
    known = _dedupe_keys_of_this_transaction()
    keys = [key for key in dedupe_keys if key not in known.queued and key not in known.new]
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        with db.session.no_autoflush:
            found = set(
                db.session.scalars(
                    sa.select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(chunk))
                )
            )
        known.queued |= found
        known.new.update(key for key in chunk if key not in found)


def _already_queued(dedupe_key: str) -> bool:
    """Queued before, or earlier in this transaction. The lookup does not flush, so a campaign's
    thousands of messages reach the database in one batch at commit, not one INSERT per email."""
    known = _dedupe_keys_of_this_transaction()
    if dedupe_key in known.queued:
        return True
    if dedupe_key in known.new:
        return False
    with db.session.no_autoflush:
        found = db.session.scalar(
            sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
        )
    return found is not None


@dataclass
class _DedupeKeys:
    queued: set[str] = field(default_factory=set)  # in the outbox, or queued in this transaction
    new: set[str] = field(default_factory=set)  # looked up and not found, not queued since


def _dedupe_keys_of_this_transaction() -> _DedupeKeys:
    session = db.session()
    transaction, info = session.get_transaction(), session.info
    if "dedupe_keys" not in info or info["dedupe_transaction"] is not transaction:
        info["dedupe_transaction"], info["dedupe_keys"] = transaction, _DedupeKeys()
    return info["dedupe_keys"]


# --- unsubscribing from marketing mail ---------------------------------------------------------

_UNSUBSCRIBE_SALT = "expo-crm-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_UNSUBSCRIBE_SALT)


def unsubscribe_token(address: str) -> str:
    return _serializer().dumps(address.strip().lower())


def unsubscribe_url(address: str) -> str:
    # Built by hand: jobs queue mail outside any request, where url_for has no host.
    return current_app.config["BASE_URL"].rstrip("/") + "/unsubscribe/" + unsubscribe_token(address)


def address_from_token(token: str) -> str | None:
    """The address a token was made for, or None when it is forged or damaged."""
    try:
        address = _serializer().loads(token)
    except BadSignature:
        return None
    return address if isinstance(address, str) and "@" in address else None


def is_unsubscribed(address: str) -> bool:
    return (
        db.session.scalar(
            sa.select(Unsubscribe.id).where(Unsubscribe.email == address.strip().lower())
        )
        is not None
    )


def unsubscribe(address: str) -> bool:
    """Record the wish (once) and suppress marketing mail still waiting. True if newly recorded."""
    address = address.strip().lower()
    if is_unsubscribed(address):
        return False
    db.session.add(Unsubscribe(email=address, unsubscribed_at=clock.now()))
    db.session.execute(
        sa.update(OutboxMessage)
        .where(
            sa.func.lower(OutboxMessage.to_address) == address,
            OutboxMessage.category == MailCategory.marketing,
            OutboxMessage.state == MailState.pending,
        )
        .values(state=MailState.suppressed)
    )
    return True


# --- the outbox page ------------------------------------------------------------------------------


def outbox_page(state: MailState | None, page: int, per_page: int = 50):
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if state is not None:
        query = query.where(OutboxMessage.state == state)
    return db.paginate(query, page=max(page, 1), per_page=per_page, error_out=False)


def state_counts() -> dict[MailState, int]:
    rows = db.session.execute(
        sa.select(OutboxMessage.state, sa.func.count(OutboxMessage.id)).group_by(
            OutboxMessage.state
        )
    )
    counts = {state: 0 for state in MailState}
    for state, count in rows:
        counts[MailState(state)] = count
    return counts


@dataclass(frozen=True)
class DeliveryProblem:
    since: datetime  # the earliest due time of the mail held back
    reason: str  # the last error, as the server or the network gave it
    waiting: int  # every message waiting to be sent


def delivery_problem(now: datetime) -> DeliveryProblem | None:
    """Mail is held back: due messages still waiting, with the error that stopped them (the
    server unreachable, or refusing for now). None when mail goes out."""
    stuck = sa.and_(
        OutboxMessage.state == MailState.pending,
        OutboxMessage.next_attempt_at <= now,
        OutboxMessage.last_error != "",
    )
    since = db.session.scalar(sa.select(sa.func.min(OutboxMessage.next_attempt_at)).where(stuck))
    if since is None:
        return None
    reason = db.session.scalar(
        sa.select(OutboxMessage.last_error)
        .where(stuck)
        .order_by(OutboxMessage.updated_at.desc(), OutboxMessage.id.desc())
        .limit(1)
    )
    waiting = db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.state == MailState.pending)
    )
    return DeliveryProblem(since=since, reason=reason or "", waiting=waiting or 0)
