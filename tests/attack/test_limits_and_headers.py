"""Security headers on every kind of answer, cookie flags behind HTTPS, rate limits on the
public doors (registration, survey links, the exhibitor portal's sign-in), upload limits.
Extends tests/core (headers on /login, session cookie flags, staff sign-in limit)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.exhibitors.models import Company
from expo_crm.visitors import services
from expo_crm.visitors.models import Registration
from tests.conftest import IsolatedClient, _make_app
from tests.factories import PASSWORD, create_portal_user, create_show, create_staff
from tests.helpers import csrf_from, login, post_form, text_of

HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_protected(response, where: str) -> None:
    for name, expected in HEADERS.items():
        assert expected in response.headers.get(name, ""), f"{where}: {name} missing"


def test_every_kind_of_answer_carries_the_security_headers(client):
    show = create_show()
    answers = {
        "page": client.get(f"/visit/{show.id}/register"),
        "redirect": client.get("/dashboard"),
        "not found page": client.get("/no-such-page"),
        "static file": client.get("/static/css/app.css"),
        "api 401": client.post("/api/v1/checkins", json={}),
        "api 405": client.get("/api/v1/checkins"),
        "openapi": client.get("/api/v1/openapi.json"),
        "csrf refusal": client.post(f"/visit/{show.id}/register", data={"name": "x"}),
    }
    for where, response in answers.items():
        assert_protected(response, where)


def test_a_405_names_the_allowed_methods(client):
    response = client.get("/api/v1/checkins")
    assert response.status_code == 405 and response.is_json
    assert "POST" in response.headers["Allow"]


def test_behind_https_cookies_are_secure_and_hsts_is_sent(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("EXPO_CRM_BASE_URL", "https://crm.example.com")
    app = _make_app(database_url, tmp_path)
    app.test_client_class = IsolatedClient  # each request in a session of its own, as served
    with app.app_context():
        staff = create_staff(Role.sales)
        client = app.test_client()
        response = login(client, staff.email)
        cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
        db.session.remove()
        db.engine.dispose()


def test_the_portal_session_cookie_is_http_only_and_same_site(client):
    user = create_portal_user()
    response = post_form(client, "/portal/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- rate limits ----------------------------------------------------------------------------------


def count_registrations() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration))


def test_public_registration_is_rate_limited_per_address_and_the_refusal_writes_nothing(
    app, client
):
    services.ensure_default_rules()
    show = create_show()
    url = f"/visit/{show.id}/register"
    token = csrf_from(text_of(client.get(url)))
    form = {
        "csrf_token": token,
        "name": "Li Na",
        "email": "li.na@example.cn",
        "country": "CN",
        "locale": "en",
    }
    # Ten refused attempts (no terms accepted) use up the minute's allowance of this address.
    assert [client.post(url, data=form).status_code for _ in range(10)] == [200] * 10
    limited = client.post(url, data=form | {"terms": "y"})
    assert limited.status_code == 429
    assert "Too many requests" in text_of(limited)
    assert count_registrations() == 0
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    accepted = post_form(
        elsewhere, url, {k: v for k, v in form.items() if k != "csrf_token"} | {"terms": "y"}
    )
    assert accepted.status_code == 302 and count_registrations() == 1


def test_survey_links_are_rate_limited_so_tokens_cannot_be_guessed_quickly(client):
    statuses = [client.get(f"/s/guess-{n}").status_code for n in range(61)]
    assert statuses[:60] == [404] * 60
    assert statuses[60] == 429


def test_the_rate_limit_page_speaks_the_visitors_language(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    for n in range(60):
        client.get(f"/s/guess-{n}")
    limited = client.get("/s/guess-last")
    assert limited.status_code == 429
    assert "请求过于频繁" in text_of(limited)


def test_exhibitor_portal_sign_in_is_rate_limited_per_address(client):
    user = create_portal_user()
    token = csrf_from(text_of(client.get("/portal/login")))
    statuses = [
        client.post(
            "/portal/login",
            data={"csrf_token": token, "email": user.email, "password": "wrong-password-1"},
        ).status_code
        for _ in range(11)
    ]
    assert 429 not in statuses[:10]
    assert statuses[10] == 429


# --- uploads --------------------------------------------------------------------------------------


@pytest.fixture
def importer_client(client):
    login(client, create_staff(Role.sales).email)
    return client


def stashed_imports(app) -> list[Path]:
    folder = Path(app.instance_path) / "imports"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def upload(client, filename: str, content: bytes):
    token = csrf_from(text_of(client.get("/exhibitors/import")))
    return client.post(
        "/exhibitors/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_an_upload_over_the_size_limit_is_refused_with_a_message_and_kept_nowhere(
    app, importer_client
):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = upload(importer_client, "huge.csv", b"name_zh\n" + b"x" * limit)
    assert response.status_code == 413
    assert "The upload is too large." in text_of(response)
    assert stashed_imports(app) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Company)) == 0


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("companies.exe", b"MZ\x90\x00"),
        ("companies.pdf", b"%PDF-1.4\n"),
        ("companies.xlsx", b"name_zh\nnot really a workbook\n"),
        ("companies.csv", bytes(range(256))),
        ("../../etc/passwd.csv", b"name_zh\nA\n"),
    ],
    ids=["exe", "pdf", "fake-xlsx", "binary-csv", "path-in-name"],
)
def test_an_upload_of_the_wrong_type_is_refused_with_a_message_and_kept_nowhere(
    app, importer_client, filename, content
):
    response = upload(importer_client, filename, content)
    assert response.status_code == 200
    if filename.startswith(".."):
        # A path in the name is ignored: the file is read, and kept only under a random token.
        assert [p.parent.name for p in stashed_imports(app)] == ["imports"]
        return
    assert "could not be read" in text_of(response)
    assert stashed_imports(app) == []


# --- input no database can store ------------------------------------------------------------------


def test_a_nul_character_in_a_form_link_or_path_is_a_400_not_a_server_error(client):
    services.ensure_default_rules()
    show = create_show()
    url = f"/visit/{show.id}/register"
    refused = post_form(
        client,
        url,
        {
            "name": "Li\x00Na",
            "email": "li.na@example.cn",
            "country": "CN",
            "locale": "en",
            "terms": "y",
        },
    )
    assert refused.status_code == 400
    assert client.get(f"{url}?ref=a%00b").status_code == 400
    assert client.get("/s/guess%00").status_code == 400
    assert count_registrations() == 0
