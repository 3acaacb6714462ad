"""Faults during check-in: the database locked by another writer, or the connection killed in
the middle of a scan. The gate gets a clear 503 in JSON with nothing stored; once the database is
back, the device resends the same nonce and the scan is recorded exactly once."""

from __future__ import annotations

import sqlite3
import threading
import uuid

import psycopg
import pytest
import sqlalchemy as sa

from expo_crm.db import db
from expo_crm.visitors.models import Registration, Scan, ScanResult
from tests.attack.checkin_world import CHECKINS, checkin_operation, scan_count
from tests.factories import create_gate_token, create_open_show, create_registration


@pytest.fixture
def gate(app):
    show = create_open_show()
    registration, code = create_registration(show)
    return create_gate_token(show), registration.id, code


def scan(client, token, code, nonce):
    return client.post(
        CHECKINS,
        json={"code": code, "gate": "W1", "nonce": nonce},
        headers={"Authorization": f"Bearer {token}"},
    )


def inside(registration_id) -> bool:
    db.session.rollback()
    return db.session.get(Registration, registration_id).inside


@pytest.fixture
def impatient_database(app, dialect):
    """The app gives up on a lock after 300 ms instead of queueing (15 s on SQLite by default)."""

    def short_waits(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        if dialect == "sqlite":
            cursor.execute("PRAGMA busy_timeout=300")
        else:
            cursor.execute("SET lock_timeout = '300ms'")
            dbapi_connection.commit()
        cursor.close()

    sa.event.listen(db.engine, "connect", short_waits)
    db.session.remove()
    db.engine.dispose()
    yield
    sa.event.remove(db.engine, "connect", short_waits)


class WriteLock:
    """Another process's transaction holding the lock a scan needs: the whole file on SQLite,
    the scans table on PostgreSQL."""

    def __init__(self, url: sa.URL):
        if url.get_backend_name() == "sqlite":
            self.connection = sqlite3.connect(
                url.database, isolation_level=None, check_same_thread=False
            )
            self.connection.execute("BEGIN IMMEDIATE")
        else:
            self.connection = psycopg.connect(
                url.set(drivername="postgresql").render_as_string(hide_password=False)
            )
            self.connection.execute("LOCK TABLE scans IN ACCESS EXCLUSIVE MODE")

    def release(self):
        self.connection.rollback() if isinstance(
            self.connection, psycopg.Connection
        ) else self.connection.execute("ROLLBACK")
        self.connection.close()


def test_a_locked_database_is_a_clear_503_and_the_resent_scan_is_recorded_once(
    client, gate, impatient_database
):
    token, registration_id, code = gate
    nonce = str(uuid.uuid4())
    lock = WriteLock(db.engine.url)
    try:
        refused = scan(client, token, code, nonce)
    finally:
        lock.release()
    assert refused.status_code == 503
    assert refused.is_json and "Nothing was saved" in refused.json["error"]
    assert refused.headers["Retry-After"] == "1"
    checkin_operation().validate_response(refused)
    assert scan_count() == 0 and not inside(registration_id)

    resent = scan(client, token, code, nonce)
    assert (resent.status_code, resent.json["result"]) == (201, "admitted")
    again = scan(client, token, code, nonce)
    assert (again.status_code, again.json) == (201, resent.json)
    assert scan_count() == 1 and inside(registration_id)


def test_a_lock_held_for_a_moment_only_delays_the_scan(client, gate):
    token, registration_id, code = gate
    lock = WriteLock(db.engine.url)
    threading.Timer(0.3, lock.release).start()
    response = scan(client, token, code, str(uuid.uuid4()))
    assert (response.status_code, response.json["result"]) == (201, "admitted")
    assert scan_count() == 1 and inside(registration_id)


def test_a_connection_killed_in_the_middle_of_a_scan_stores_nothing_and_the_resend_counts(
    client, gate, dialect
):
    if dialect != "postgresql":
        pytest.skip("a server process to kill exists on PostgreSQL only")
    token, registration_id, code = gate
    admin = psycopg.connect(
        db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
        autocommit=True,
    )
    killed = []

    def kill_before_the_scan_insert(connection, cursor, statement, *_):
        if statement.startswith("INSERT INTO scans") and not killed:
            pid = connection.connection.dbapi_connection.info.backend_pid
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            killed.append(pid)

    sa.event.listen(db.engine, "before_cursor_execute", kill_before_the_scan_insert)
    nonce = str(uuid.uuid4())
    try:
        refused = scan(client, token, code, nonce)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", kill_before_the_scan_insert)
        admin.close()
    assert killed
    assert refused.status_code == 503 and refused.is_json
    assert scan_count() == 0 and not inside(
        registration_id
    )  # the entry's UPDATE was rolled back too

    resent = scan(client, token, code, nonce)
    assert (resent.status_code, resent.json["result"]) == (201, "admitted")
    db.session.rollback()
    [stored] = db.session.scalars(sa.select(Scan)).all()
    assert stored.result is ScanResult.admitted and inside(registration_id)
