"""Overload: every pooled database connection is busy for longer than the app waits. The gate
gets a 503 with Retry-After, in JSON, with nothing stored; once a connection is free, the
device's resend of the same nonce is admitted once. Both the fast path (a plain scan) and the
Flask view (an offline scan, which the fast path leaves to it) answer so."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from expo_crm import clock, create_app
from expo_crm.db import db
from expo_crm.visitors.models import Registration, Scan
from tests.factories import create_gate_token, create_open_show, create_registration


@pytest.fixture
def tight_app(app, database_url, tmp_path):
    """A second app on the same database with one pooled connection and a 0.3 s wait for it."""
    options = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.3}
    if database_url.startswith("sqlite"):
        options["connect_args"] = {"timeout": 5}
    tight = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
            "SECRET_KEY": "test-secret-key",
            "SMTP_URL": "smtp://127.0.0.1:9",
        }
    )
    with tight.app_context():
        engine = db.engine
    yield tight, engine
    engine.dispose()


def _scan(client, token, code, nonce, **extra):
    return client.post(
        "/api/v1/checkins",
        json={"code": code, "gate": "W1", "nonce": nonce, **extra},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )


def _stored(registration_id) -> tuple[int, bool]:
    db.session.rollback()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Scan))
    return count, db.session.get(Registration, registration_id).inside


@pytest.mark.parametrize("offline", [False, True], ids=["fast-path", "flask-view"])
def test_no_free_connection_is_a_503_with_retry_after_and_the_resend_is_admitted_once(
    app, tight_app, offline
):
    tight, engine = tight_app
    show = create_open_show()
    registration, code = create_registration(show)
    token = create_gate_token(show)
    db.session.commit()
    extra = {"scanned_at": clock.now().isoformat()} if offline else {}
    client = tight.test_client()
    nonce = str(uuid.uuid4())

    held = engine.connect()  # the pool's only connection, busy elsewhere
    try:
        refused = _scan(client, token, code, nonce, **extra)
    finally:
        held.close()
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"
    assert refused.is_json and "Nothing was saved" in refused.json["error"]
    assert _stored(registration.id) == (0, False)

    resent = _scan(client, token, code, nonce, **extra)
    assert (resent.status_code, resent.json["result"]) == (201, "admitted")
    again = _scan(client, token, code, nonce, **extra)
    assert (again.status_code, again.json) == (201, resent.json)
    assert _stored(registration.id) == (1, True)
