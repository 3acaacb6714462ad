"""The check-in path (docs/contracts.md, check-in API), shared by the gate API and the gate page.

Kept lean on purpose: one indexed lookup of the code's hash joined to registration, visitor
and show; one conditional UPDATE whose WHERE clause decides admission (so concurrent scans of
one badge admit it exactly once on SQLite and PostgreSQL, without read-then-write); one
INSERT of the scan; one commit. A repeated nonce hits the unique (device_key, nonce) key on
INSERT: the transaction rolls back and the first answer is returned, so nothing new is stored.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
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


def parse_request(data: object) -> tuple[str, str, ScanDirection, str]:
    """(code, gate, direction, nonce) from the JSON body; a bad code is left for the lookup."""
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
    return (
        (code if isinstance(code, str) else ""),
        gate.strip(),
        ScanDirection(direction),
        nonce.strip(),
    )


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
) -> tuple[dict, int]:
    """Decide, store the scan, commit. Returns (JSON body, HTTP status)."""
    now = clock.now()
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
            now=now,
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
    now: datetime,
) -> tuple[dict, int]:
    badge_id = registration_id = visitor_id = None
    first = None
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
        elif reg_show_id != show_id or not _open_at(open_from, open_to, zone, now):
            result = ScanResult.not_valid_now
        elif direction is ScanDirection.entry:
            result, first = _enter(registration_id, gate, now, reentry)
        else:
            db.session.execute(
                sa.update(_registrations)
                .where(_registrations.c.id == registration_id, _registrations.c.inside.is_(True))
                .values(inside=False, last_scan_at=now)
            )
            result = ScanResult.exited
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
                at=now,
            ),
        )
        if result is ScanResult.admitted:
            _log_first_entry(visitor_id, registration_id, show_id, gate, now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        replay = replayed_answer(device_key, nonce)
        if replay is None:
            raise
        return replay
    return _answer(result, row, first, show_id), result.http_status


_reg = _registrations.c
_ADMIT_VALUES = dict(
    inside=True,
    entry_count=_reg.entry_count + 1,
    last_scan_at=sa.bindparam("now", type_=_reg.last_scan_at.type),
    first_checked_in_at=sa.func.coalesce(
        _reg.first_checked_in_at, sa.bindparam("now", type_=_reg.last_scan_at.type)
    ),
    first_gate=sa.func.coalesce(_reg.first_gate, sa.bindparam("gate", type_=_reg.first_gate.type)),
)
# The WHERE clause decides: only a scan that finds the visitor outside gets a row back.
_ADMIT = (
    sa.update(_registrations)
    .where(_reg.id == sa.bindparam("registration_id"), _reg.inside.is_(False))
    .values(**_ADMIT_VALUES)
    .returning(_reg.entry_count)
)
_ADMIT_FIRST_ONLY = (
    sa.update(_registrations)
    .where(
        _reg.id == sa.bindparam("registration_id"), _reg.inside.is_(False), _reg.entry_count == 0
    )
    .values(**_ADMIT_VALUES)
    .returning(_reg.entry_count)
)
_STATE_AFTER = sa.select(_reg.inside, _reg.first_checked_in_at, _reg.first_gate).where(
    _reg.id == sa.bindparam("registration_id")
)
# Statements built once: each scan only binds its values.
_RECORD_SCAN = sa.insert(_scans)


def _enter(
    registration_id: int, gate: str, now: datetime, reentry: bool
) -> tuple[ScanResult, tuple | None]:
    statement = _ADMIT if reentry else _ADMIT_FIRST_ONLY
    entered = db.session.execute(
        statement, {"registration_id": registration_id, "now": now, "gate": gate}
    ).scalar()
    if entered is not None:
        return (ScanResult.admitted if entered == 1 else ScanResult.readmitted), None
    # Refused: read the state the winning scan left (the earlier read may predate it).
    inside, first_at, first_gate = db.session.execute(
        _STATE_AFTER, {"registration_id": registration_id}
    ).one()
    return (ScanResult.already_inside if inside else ScanResult.not_valid_now), (
        first_at,
        first_gate,
    )


def _log_first_entry(
    visitor_id: int, registration_id: int, show_id: int, gate: str, now: datetime
) -> None:
    # Only the first admission of a registration: listeners may treat it as new.
    signals.badge_admitted.send(
        registration_id, visitor_id=visitor_id, show_id=show_id, gate=gate, at=now
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
