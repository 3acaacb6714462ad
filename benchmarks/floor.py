"""The true floor of a check-in: a minimal WSGI app outside expo_crm, with raw sqlite3 / psycopg.

`POST /` reads the JSON scan, looks the code's hash up (one indexed SELECT), admits with the
conditional UPDATE, INSERTs the scan, commits once, and answers a small JSON body. No Flask, no
SQLAlchemy, no token, no nonce replay, no timeline event: what any check-in must at least do on
this database. Served by the same gunicorn settings as the application (gthread, 4 x 4), it is
the baseline the check-in benchmark divides by.

    EXPO_CRM_DATABASE_URL=sqlite:////tmp/x.sqlite3 gunicorn -k gthread -w 4 --threads 4 benchmarks.floor:app

The module imports nothing from expo_crm on purpose.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import uuid
from datetime import UTC, datetime

URL = os.environ.get("EXPO_CRM_DATABASE_URL", "")
SQLITE = URL.startswith("sqlite")

LOOKUP = (
    "SELECT b.id, r.id, r.show_id FROM badges b JOIN registrations r ON r.id = b.registration_id "
    "WHERE b.code_hash = {p} AND b.revoked_at IS NULL AND r.state = 'active'"
)
ADMIT = (
    "UPDATE registrations SET inside = true, entry_count = entry_count + 1, last_scan_at = {p}, "
    "first_checked_in_at = COALESCE(first_checked_in_at, {p}), "
    "first_gate = COALESCE(first_gate, {p}) WHERE id = {p} AND inside = false RETURNING entry_count"
)
RECORD = (
    "INSERT INTO scans (show_id, badge_id, registration_id, gate, device_key, direction, result, "
    "nonce, at, received_at) VALUES ({p}, {p}, {p}, {p}, 'floor', 'in', {p}, {p}, {p}, {p})"
)
_local = threading.local()


def _sql(text: str) -> str:
    return text.format(p="?" if SQLITE else "%s")


LOOKUP, ADMIT, RECORD = _sql(LOOKUP), _sql(ADMIT), _sql(RECORD)


def _connection():
    connection = getattr(_local, "connection", None)
    if connection is None:
        if SQLITE:
            # The application's settings: WAL, NORMAL sync, a writer taking the lock up front.
            connection = sqlite3.connect(URL.split(":///", 1)[1], timeout=15, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
        else:
            import psycopg

            connection = psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://"))
        _local.connection = connection
    return connection


def _now():
    now = datetime.now(UTC)
    # SQLite keeps naive UTC text, as the application's UTCDateTime stores it.
    return now.replace(tzinfo=None).isoformat(" ") if SQLITE else now


def scan(data: dict) -> str:
    connection = _connection()
    now = _now()
    code = str(data.get("code", ""))
    gate = str(data.get("gate", "W1"))[:32]
    nonce = str(data.get("nonce") or uuid.uuid4().hex)[:64]
    digest = hashlib.sha256(code.encode()).hexdigest()
    cursor = connection.cursor()
    row = cursor.execute(LOOKUP, (digest,)).fetchone()
    if SQLITE:
        cursor.execute("BEGIN IMMEDIATE")  # the write lock only for the two writes
    result, badge_id, registration_id, show_id = "unknown", None, None, 1
    if row is not None:
        badge_id, registration_id, show_id = row
        entered = cursor.execute(ADMIT, (now, now, gate, registration_id)).fetchone()
        result = "admitted" if entered is not None else "already_inside"
    cursor.execute(RECORD, (show_id, badge_id, registration_id, gate, result, nonce, now, now))
    if SQLITE:
        cursor.execute("COMMIT")
    else:
        connection.commit()
    return result


def app(environ, start_response):
    if environ["REQUEST_METHOD"] != "POST":
        start_response("405 Method Not Allowed", [("Content-Length", "0")])
        return [b""]
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        data = json.loads(environ["wsgi.input"].read(min(length, 4096)) or b"{}")
        result = scan(data if isinstance(data, dict) else {})
    except Exception:
        connection = getattr(_local, "connection", None)
        if connection is not None:
            if SQLITE:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
            else:
                connection.rollback()
        start_response("503 Service Unavailable", [("Retry-After", "1")])
        return [b""]
    body = json.dumps({"result": result}).encode()
    status = "201 Created" if result == "admitted" else "409 Conflict"
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
