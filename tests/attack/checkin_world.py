"""A small gate world for attack tests: one open show with badges in every state, and a
reference model of what the check-in API must answer (docs/contracts.md, check-in API)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import schemathesis
import sqlalchemy as sa

from expo_crm.apidocs.spec import openapi_document
from expo_crm.auth.services import create_device_token, revoke_device_token
from expo_crm.db import db
from expo_crm.visitors import services
from expo_crm.visitors.models import Registration, Scan
from tests.factories import create_gate_token, create_open_show, create_registration

CHECKINS = "/api/v1/checkins"


@functools.cache
def checkin_operation():
    """The POST /api/v1/checkins operation of the served description, to validate answers."""
    return schemathesis.openapi.from_dict(openapi_document())[CHECKINS]["POST"]


@dataclass
class GateWorld:
    token: str
    revoked_token: str
    active: dict[str, int]  # code -> registration id, badges that work at this show
    cancelled_code: str
    other_show_code: str
    codes: list[str] = field(default_factory=list)


def build_gate_world(active: int = 3) -> GateWorld:
    show = create_open_show(reentry_allowed=True)
    other = create_open_show()
    badges = {}
    for _ in range(active):
        registration, code = create_registration(show)
        badges[code] = registration.id
    cancelled, cancelled_code = create_registration(show)
    services.cancel_registration(cancelled)
    _, other_code = create_registration(other)
    token = create_gate_token(show)
    old_scanner, revoked = create_device_token(show.id, "Old scanner", "gate")
    revoke_device_token(old_scanner)
    db.session.commit()
    return GateWorld(
        token=token,
        revoked_token=revoked,
        active=badges,
        cancelled_code=cancelled_code,
        other_show_code=other_code,
        codes=[*badges, cancelled_code, other_code],
    )


def scan_count() -> int:
    db.session.rollback()  # end the test's read snapshot: see what the requests committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(Scan))


def registration_states(ids) -> dict[int, tuple[bool, int]]:
    db.session.rollback()
    rows = db.session.execute(
        sa.select(Registration.id, Registration.inside, Registration.entry_count).where(
            Registration.id.in_(list(ids))
        )
    )
    return {rid: (bool(inside), count) for rid, inside, count in rows}


def expected_result(
    world: GateWorld, state: dict[int, tuple[bool, int]], code, direction: str
) -> str:
    """What the gate must answer for a well-formed request, and the state it leaves (updated in place)."""
    if code == world.cancelled_code:
        return "revoked"
    if code == world.other_show_code:
        return "not_valid_now"
    if not isinstance(code, str) or code not in world.active:
        return "unknown"
    registration_id = world.active[code]
    inside, entries = state[registration_id]
    if direction == "out":
        if not inside:
            return "not_inside"
        state[registration_id] = (False, entries)
        return "exited"
    if inside:
        return "already_inside"
    state[registration_id] = (True, entries + 1)
    return "admitted" if entries == 0 else "readmitted"


STATUS = {
    "admitted": 201,
    "readmitted": 201,
    "exited": 201,
    "already_inside": 409,
    "not_inside": 409,
    "unknown": 404,
    "revoked": 410,
    "not_valid_now": 403,
}
