"""The app as served in production plus one bare route: the baseline for the check-in path.

`POST /bench/bare-checkin` does only the SQL a scan needs, written by hand: look the code's
hash up, the conditional UPDATE that admits, the INSERT of the scan, one commit. No token,
no idempotency replay, no interaction log, no answer details. Same process, same pool, same
gunicorn settings, so the ratio of the two throughputs is the cost of everything else.

    gunicorn -k gthread -w 4 --threads 4 'benchmarks.benchapp:build()'
"""

from __future__ import annotations

import hashlib
import uuid

import sqlalchemy as sa
from flask import jsonify, request

from expo_crm import clock, create_app
from expo_crm.auth.permissions import public
from expo_crm.db import UTCDateTime, db
from expo_crm.extensions import csrf

LOOKUP = sa.text(
    "SELECT b.id, r.id, r.show_id FROM badges b JOIN registrations r ON r.id = b.registration_id "
    "WHERE b.code_hash = :hash AND b.revoked_at IS NULL AND r.state = 'active'"
)
ADMIT = sa.text(
    "UPDATE registrations SET inside = true, entry_count = entry_count + 1, last_scan_at = :now, "
    "first_checked_in_at = COALESCE(first_checked_in_at, :now), first_gate = COALESCE(first_gate, :gate) "
    "WHERE id = :id AND inside = false RETURNING entry_count"
).bindparams(sa.bindparam("now", type_=UTCDateTime()))
RECORD = sa.text(
    "INSERT INTO scans (show_id, badge_id, registration_id, gate, device_key, direction, result, nonce, at) "
    "VALUES (:show_id, :badge_id, :registration_id, :gate, 'bench', 'in', :result, :nonce, :now)"
).bindparams(sa.bindparam("now", type_=UTCDateTime()))


@public
def bare_checkin():
    data = request.get_json(silent=True) or {}
    now = clock.now()
    row = db.session.execute(
        LOOKUP, {"hash": hashlib.sha256(str(data.get("code", "")).encode()).hexdigest()}
    ).first()
    result, badge_id, registration_id, show_id = "unknown", None, None, None
    if row is not None:
        badge_id, registration_id, show_id = row
        entered = db.session.execute(
            ADMIT, {"now": now, "gate": data.get("gate", "W1"), "id": registration_id}
        ).scalar()
        result = "admitted" if entered is not None else "already_inside"
    db.session.execute(
        RECORD,
        {
            "show_id": show_id or 1,
            "badge_id": badge_id,
            "registration_id": registration_id,
            "gate": data.get("gate", "W1"),
            "result": result,
            "nonce": data.get("nonce") or uuid.uuid4().hex,
            "now": now,
        },
    )
    db.session.commit()
    return jsonify(result=result), 201 if result == "admitted" else 409


def build():
    app = create_app()
    app.add_url_rule("/bench/bare-checkin", "bench_bare_checkin", bare_checkin, methods=["POST"])
    csrf.exempt(bare_checkin)
    return app
