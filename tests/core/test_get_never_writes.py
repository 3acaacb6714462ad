"""A GET never writes: the guard in conftest names any INSERT, UPDATE or DELETE sent while the
app handles a GET or HEAD request, and fails the test that made it."""

from __future__ import annotations

from expo_crm import audit
from expo_crm.auth.permissions import public
from expo_crm.db import db
from tests import conftest
from tests.helpers import csrf_from, row_counts, text_of


def _plant_writing_route(app) -> None:
    @app.route("/planted/write", methods=["GET", "POST"])
    @public
    def planted_write():
        audit.record("planted.write", entity_type="planted", entity_id=1)
        db.session.commit()
        return "written"


def test_the_guard_names_a_get_that_writes_and_lets_a_post_write(app, client):
    _plant_writing_route(app)
    token = csrf_from(text_of(client.get("/login")))
    assert client.post("/planted/write", data={"csrf_token": token}).status_code == 200
    assert conftest._writes_on_read == []

    before = row_counts()
    assert client.get("/planted/write").status_code == 200
    found, conftest._writes_on_read[:] = list(conftest._writes_on_read), []
    assert found and found[0].startswith("GET /planted/write") and "INSERT" in found[0]
    assert row_counts() != before  # what the guard saw, counted


def test_a_write_in_a_tests_own_request_context_is_not_a_request(app):
    with app.test_request_context("/anything"):
        audit.record("test.setup", entity_type="test", entity_id=1)
        db.session.commit()
    assert conftest._writes_on_read == []
