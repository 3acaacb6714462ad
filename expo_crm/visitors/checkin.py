"""The check-in path (docs/contracts.md, check-in API), shared by the gate API and the gate page.

Kept lean on purpose: one indexed lookup of the code's hash joined to registration, visitor
and show; one conditional UPDATE whose WHERE clause decides the entry or exit (so concurrent
scans of one badge admit it exactly once on SQLite and PostgreSQL, without read-then-write);
one INSERT of the scan; one commit. A repeated nonce hits the unique (device_key, nonce) key on
INSERT: the transaction rolls back and the first answer is returned, so nothing new is stored.

Only a refused UPDATE costs one more statement: the registration row read with a lock
(SELECT ... FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the database),
so the refusal is decided on the state it names. Under PostgreSQL's READ COMMITTED an UPDATE
that skips a row may be followed by a read that sees a scan committed in between: an entry
racing an exit was answered `not_valid_now` from such a read (issue 13, finding 8).

An offline scan (`scanned_at`) is stored at its own time; its UPDATE also requires the badge's
last state change to be no later, so an older scan arriving late is recorded and answered with
the result the current state gives it, but changes nothing (docs/contracts.md, offline scans).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from expo_crm import clock, signals
from expo_crm.db import db, writing
from expo_crm.shows.models import Show
from expo_crm.visitors import codes
from expo_crm.visitors.models import (
    Badge,
    Registration,
    RegistrationCategory,
    Scan,
    ScanDirection,
    ScanResult,
    Visitor,
)

# Core statements on the tables: no ORM unit of work or session synchronisation on this path.
_scans = Scan.__table__
_registrations = Registration.__table__

_LOOKUP = (
    sa.select(
        Badge.id,
        Badge.revoked_at,
        Registration.id,
        Registration.show_id,
        Registration.state,
        Registration.category,
        Registration.entry_count,
        Visitor.id,
        Visitor.name,
        Visitor.company,
        Show.open_from,
        Show.open_to,
        Show.timezone,
        Show.reentry_allowed,
    )
    .select_from(Badge)
    .join(Registration, Registration.id == Badge.registration_id)
    .join(Visitor, Visitor.id == Registration.visitor_id)
    .join(Show, Show.id == Registration.show_id)
)

_LOOKUP_BY_HASH = _LOOKUP.where(Badge.code_hash == sa.bindparam("code_hash"))

MAX_GATE = 32
MAX_NONCE = 64
# Control characters and lone surrogates: PostgreSQL refuses NUL and neither database can encode
# a lone surrogate, so such a gate or nonce is a malformed request, not a server error.
_UNSTORABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class BadRequest(ValueError):
    """The request itself is malformed (not the code): answered 400, nothing stored."""


class ScanRequest(NamedTuple):
    code: str
    gate: str
    direction: ScanDirection
    nonce: str
    scanned_at: datetime | None  # when a device queued the scan offline; None: now


def parse_request(data: object) -> ScanRequest:
    """The scan from the JSON body; a bad code is left for the lookup."""
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    code, gate, direction, nonce = (
        data.get("code"),
        data.get("gate"),
        data.get("direction", "in"),
        data.get("nonce"),
    )
    if (
        not isinstance(gate, str)
        or not gate.strip()
        or len(gate) > MAX_GATE
        or _UNSTORABLE.search(gate)
    ):
        raise BadRequest("gate is required (1-32 printable characters)")
    if (
        not isinstance(nonce, str)
        or not nonce.strip()
        or len(nonce) > MAX_NONCE
        or _UNSTORABLE.search(nonce)
    ):
        raise BadRequest("nonce is required (1-64 printable characters)")
    if direction not in ("in", "out"):
        raise BadRequest("direction must be 'in' or 'out'")
    return ScanRequest(
        (code if isinstance(code, str) else ""),
        gate.strip(),
        ScanDirection(direction),
        nonce.strip(),
        _scanned_at(data.get("scanned_at")),
    )


def _scanned_at(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError(value)
        moment = datetime.fromisoformat(value.upper())  # RFC 3339 allows "t" and "z"
    except ValueError:
        raise BadRequest("scanned_at must be an ISO 8601 time") from None
    # Without a zone the time is UTC, as for `expo-crm jobs run-due --at`.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _scan_time(scanned_at: datetime | None, now: datetime) -> datetime:
    """The scan's own time: scanned_at within the clock-skew window, else a BadRequest."""
    if scanned_at is None:
        return now
    config = current_app.config
    earliest = now - timedelta(seconds=config.get("OFFLINE_SCAN_MAX_AGE", 24 * 3600))
    latest = now + timedelta(seconds=config.get("OFFLINE_SCAN_MAX_AHEAD", 120))
    if not earliest <= scanned_at <= latest:
        raise BadRequest(
            "scanned_at is outside the accepted window "
            f"({earliest.isoformat()} to {latest.isoformat()})"
        )
    return scanned_at


def _open_at(open_from, open_to, zone: str, moment: datetime) -> bool:
    tz = ZoneInfo(zone)
    start = datetime.combine(open_from, time.min, tzinfo=tz)
    end = datetime.combine(open_to + timedelta(days=1), time.min, tzinfo=tz)
    return start <= moment < end


def check_in(
    *,
    show_id: int,
    code: str,
    gate: str,
    direction: ScanDirection,
    nonce: str,
    device_key: str,
    device_token_id: int | None = None,
    staff_id: int | None = None,
    scanned_at: datetime | None = None,
) -> tuple[dict, int]:
    """Decide, store the scan, commit. Returns (JSON body, HTTP status); BadRequest when
    scanned_at is outside the clock-skew window (nothing stored)."""
    now = clock.now()
    at = _scan_time(scanned_at, now)
    row = None
    if codes.is_well_formed(code):
        row = db.session.execute(_LOOKUP_BY_HASH, {"code_hash": codes.code_hash(code)}).first()
    # The decision's writes in their own transaction: on SQLite the write lock covers only them.
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.commit()
    with writing():
        return _decide_and_store(
            row,
            show_id=show_id,
            gate=gate,
            direction=direction,
            nonce=nonce,
            device_key=device_key,
            device_token_id=device_token_id,
            staff_id=staff_id,
            at=at,
            received_at=now,
            offline=scanned_at is not None,
        )


def _decide_and_store(
    row,
    *,
    show_id: int,
    gate: str,
    direction: ScanDirection,
    nonce: str,
    device_key: str,
    device_token_id: int | None,
    staff_id: int | None,
    at: datetime,
    received_at: datetime,
    offline: bool,
) -> tuple[dict, int]:
    badge_id = registration_id = visitor_id = None
    first = None
    first_admission = False
    if row is None:
        result = ScanResult.unknown
    else:
        (
            badge_id,
            revoked_at,
            registration_id,
            reg_show_id,
            state,
            _category,
            _entries,
            visitor_id,
            _name,
            _company,
            open_from,
            open_to,
            zone,
            reentry,
        ) = row
        if revoked_at is not None or state.value != "active":
            result = ScanResult.revoked
        elif reg_show_id != show_id or not _open_at(open_from, open_to, zone, at):
            result = ScanResult.not_valid_now
        else:
            result, first, first_admission = _pass(
                registration_id, direction, gate, at, reentry, offline
            )
    try:
        db.session.execute(
            _RECORD_SCAN,
            dict(
                show_id=show_id,
                badge_id=badge_id,
                registration_id=registration_id,
                gate=gate,
                device_token_id=device_token_id,
                staff_id=staff_id,
                device_key=device_key,
                direction=direction,
                result=result,
                nonce=nonce,
                at=at,
                received_at=received_at,
            ),
        )
        if first_admission:
            _log_first_entry(visitor_id, registration_id, show_id, gate, at)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        replay = replayed_answer(device_key, nonce)
        if replay is None:
            raise
        return replay
    return _answer(result, row, first, show_id), result.http_status


_reg = _registrations.c
_NOW = sa.bindparam("now", type_=_reg.last_scan_at.type)
_ADMIT_VALUES = dict(
    inside=True,
    entry_count=_reg.entry_count + 1,
    last_scan_at=_NOW,
    first_checked_in_at=sa.func.coalesce(_reg.first_checked_in_at, _NOW),
    first_gate=sa.func.coalesce(_reg.first_gate, sa.bindparam("gate", type_=_reg.first_gate.type)),
)
_THIS = _reg.id == sa.bindparam("registration_id")
# An offline scan changes the state only when no later change is recorded.
_NOT_OLDER = sa.or_(_reg.last_scan_at.is_(None), _reg.last_scan_at <= _NOW)


def _admit(reentry: bool, offline: bool) -> sa.Update:
    # The WHERE clause decides: only a scan that finds the visitor outside gets a row back.
    conditions = [_THIS, _reg.inside.is_(False)]
    if not reentry:
        conditions.append(_reg.entry_count == 0)
    if offline:
        conditions.append(_NOT_OLDER)
    return (
        sa.update(_registrations)
        .where(*conditions)
        .values(**_ADMIT_VALUES)
        .returning(_reg.entry_count)
    )


def _exit(offline: bool) -> sa.Update:
    conditions = [_THIS, _reg.inside.is_(True)]
    if offline:
        conditions.append(_NOT_OLDER)
    return (
        sa.update(_registrations)
        .where(*conditions)
        .values(inside=False, last_scan_at=_NOW)
        .returning(_reg.entry_count)
    )


# Statements built once: each scan only binds its values.
_PASS = {
    (ScanDirection.entry, reentry, offline): _admit(reentry, offline)
    for reentry in (True, False)
    for offline in (True, False)
} | {
    (ScanDirection.exit, reentry, offline): _exit(offline)
    for reentry in (True, False)
    for offline in (True, False)
}
# FOR UPDATE on PostgreSQL; SQLite renders none (the transaction already holds the database).
_LOCKED_STATE = (
    sa.select(
        _reg.inside, _reg.entry_count, _reg.last_scan_at, _reg.first_checked_in_at, _reg.first_gate
    )
    .where(_THIS)
    .with_for_update()
)
_RECORD_SCAN = sa.insert(_scans)


def _pass(
    registration_id: int,
    direction: ScanDirection,
    gate: str,
    at: datetime,
    reentry: bool,
    offline: bool,
) -> tuple[ScanResult, tuple | None, bool]:
    """(result, (first entry time, gate) for a refused entry, whether this was the first
    admission) for a valid badge, entering or leaving."""
    statement = _PASS[(direction, reentry, offline)]
    params = {"registration_id": registration_id, "now": at, "gate": gate}
    entries = db.session.execute(statement, params).scalar()
    if entries is None:
        # Refused on the state the UPDATE saw: decide on the locked row instead, which a
        # concurrent scan may have changed since (PostgreSQL, READ COMMITTED).
        inside, entries, last_at, first_at, first_gate = db.session.execute(
            _LOCKED_STATE, {"registration_id": registration_id}
        ).one()
        result = _result_for(direction, inside, entries, reentry)
        late = offline and last_at is not None and last_at > at
        if late or not result.accepted:
            refused_entry = direction is ScanDirection.entry and not result.accepted
            return result, ((first_at, first_gate) if refused_entry else None), False
        entries = db.session.execute(statement, params).scalar()  # the row is locked: applies
        if entries is None:
            raise RuntimeError(f"registration {registration_id} changed under its row lock")
    if direction is ScanDirection.exit:
        return ScanResult.exited, None, False
    return (ScanResult.admitted if entries == 1 else ScanResult.readmitted), None, entries == 1


def _result_for(direction: ScanDirection, inside: bool, entries: int, reentry: bool) -> ScanResult:
    """What a scan is answered on this state of the registration (docs/contracts.md)."""
    if direction is ScanDirection.exit:
        return ScanResult.exited if inside else ScanResult.not_inside
    if inside:
        return ScanResult.already_inside
    if entries == 0:
        return ScanResult.admitted
    return ScanResult.readmitted if reentry else ScanResult.not_valid_now


def _log_first_entry(
    visitor_id: int, registration_id: int, show_id: int, gate: str, now: datetime
) -> None:
    # Only the first admission of a registration: listeners may treat it as new.
    signals.badge_admitted.send(
        registration_id,
        visitor_id=visitor_id,
        show_id=show_id,
        gate=gate,
        at=now,
        execute=db.session.execute,
    )


def _answer(result: ScanResult, row, first: tuple | None, show_id: int) -> dict:
    body: dict = {"result": result.value}
    if row is not None:
        category = row[5]
        body.update(
            name=row[8],
            company=row[9],
            category=category.value,
            category_label=RegistrationCategory(category).label,
        )
        if result is ScanResult.not_valid_now and row[3] != show_id:
            # Gate staff can tell the visitor which show the badge is for.
            badge_show = db.session.get(Show, row[3])
            body.update(badge_show_id=badge_show.id, badge_show=badge_show.name)
    if first is not None and first[0] is not None:
        body.update(first_entry_at=first[0].isoformat(), first_entry_gate=first[1])
    return body


def replayed_answer(device_key: str, nonce: str) -> tuple[dict, int] | None:
    """The answer first given to this (device, nonce), rebuilt from the stored scan."""
    scan = db.session.execute(
        sa.select(_scans.c.result, _scans.c.registration_id, _scans.c.show_id).where(
            _scans.c.device_key == device_key, _scans.c.nonce == nonce
        )
    ).first()
    if scan is None:
        return None
    result = ScanResult(scan[0])
    row = first = None
    if scan[1] is not None:
        reg = db.session.get(Registration, scan[1])
        if reg is not None:
            row = (
                None,
                None,
                reg.id,
                reg.show_id,
                reg.state,
                reg.category,
                reg.entry_count,
                reg.visitor_id,
                reg.visitor.name,
                reg.visitor.company,
            )
            if result is ScanResult.already_inside or (
                result is ScanResult.not_valid_now and reg.first_checked_in_at
            ):
                first = (reg.first_checked_in_at, reg.first_gate)
    return _answer(result, row, first, scan[2]), result.http_status
