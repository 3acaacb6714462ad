"""Layout, language switch, error pages and headers."""

from expo_crm.auth.models import StaffUser
from expo_crm.auth.permissions import Role
from expo_crm.db import db
from tests.factories import create_staff
from tests.helpers import login, post_form, text_of


def test_navigation_shows_only_what_the_role_may_open(client):
    gate = create_staff(Role.gate)
    login(client, gate.email)
    body = text_of(client.get("/dashboard"))
    assert 'href="/shows/"' in body
    assert 'href="/exhibitors/' not in body


def test_the_language_switch_holds_for_the_session_not_the_account(app):
    user = create_staff(Role.sales, locale="en")
    client = app.test_client()
    login(client, user.email)
    assert "Dashboard" in text_of(client.get("/dashboard"))
    post_form(client, "/language", {"lang": "zh", "next": "/dashboard"}, page="/dashboard")
    assert "工作台" in text_of(client.get("/dashboard"))
    # The account's language is only the default of a new sign-in (issue 14: a shared gate
    # login switched on one device must not switch the others).
    assert db.session.get(StaffUser, user.id).locale == "en"
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh"
    login(other, user.email)
    assert "Dashboard" in text_of(other.get("/dashboard"))
    assert "工作台" in text_of(client.get("/dashboard"))


def test_not_found_page_in_both_languages(client):
    english = client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert english.status_code == 404
    assert "This page does not exist." in text_of(english)
    chinese = client.get("/no/such/page", headers={"Accept-Language": "zh-CN"})
    assert "页面不存在。" in text_of(chinese)


def test_forbidden_page_in_the_users_language(client):
    user = create_staff(Role.gate, locale="zh")
    login(client, user.email)
    response = client.get("/shows/new")
    assert response.status_code == 403
    assert "您无权打开此页面。" in text_of(response)


def test_an_unexpected_error_shows_a_page_not_a_traceback(app, client):
    @app.route("/__explode")
    def explode():
        raise RuntimeError("secret internals")

    explode.access = __import__("expo_crm.auth.permissions", fromlist=["Access"]).Access("public")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/__explode", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    body = text_of(response)
    assert "Nothing was saved" in body
    assert "secret internals" not in body and "Traceback" not in body


def test_api_errors_are_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_static_assets_are_served_locally(client):
    body = text_of(client.get("/login"))
    assert "/static/css/app.css" in body
    assert "http://" not in body.split("<body")[0].replace("http://localhost", "")
    assert client.get("/static/css/app.css").status_code == 200
