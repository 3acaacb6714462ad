"""Staff sign-in: passwords, lockout, sessions, CSRF, password change."""

from expo_crm.auth.models import StaffUser
from expo_crm.auth.permissions import Role, role_has
from expo_crm.db import db
from tests.factories import PASSWORD, create_staff
from tests.helpers import csrf_from, login, post_form, text_of


def test_passwords_are_stored_as_argon2_hashes(app):
    user = create_staff(Role.sales)
    assert user.password_hash.startswith("$argon2")
    assert PASSWORD not in user.password_hash


def test_a_staff_member_signs_in_and_reaches_the_dashboard(client):
    user = create_staff(Role.sales, name="Li Ming")
    login(client, user.email)
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Li Ming" in text_of(page)


def test_a_wrong_password_is_refused_with_a_message_and_no_session(client):
    user = create_staff(Role.sales)
    response = post_form(client, "/login", {"email": user.email, "password": "wrong-password-1"})
    assert response.status_code == 400
    assert "Wrong email or password." in text_of(response)
    assert client.get("/dashboard").status_code == 302


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(client):
    response = post_form(
        client, "/login", {"email": "nobody@example.com", "password": "whatever-123"}
    )
    assert response.status_code == 400
    assert "Wrong email or password." in text_of(response)


def test_the_answer_is_in_chinese_for_a_chinese_browser(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    response = post_form(
        client, "/login", {"email": "nobody@example.com", "password": "whatever-123"}
    )
    assert "电子邮箱或密码错误。" in text_of(response)


def test_sign_in_attempts_are_rate_limited_per_address(client):
    user = create_staff(Role.sales)
    token = csrf_from(text_of(client.get("/login")))
    statuses = [
        client.post(
            "/login", data={"csrf_token": token, "email": user.email, "password": "bad-password-1"}
        ).status_code
        for _ in range(12)
    ]
    assert 429 in statuses
    assert statuses[:10] == [400] * 10


def test_a_deactivated_user_cannot_sign_in(client):
    user = create_staff(Role.sales)
    user.active = False
    db.session.commit()
    response = post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "deactivated" in text_of(response)


def test_deactivating_a_user_ends_their_open_session(client):
    user = create_staff(Role.sales)
    login(client, user.email)
    db.session.get(StaffUser, user.id).active = False
    db.session.commit()
    assert client.get("/dashboard").status_code == 302


def test_a_form_without_csrf_token_is_refused_and_writes_nothing(client):
    user = create_staff(Role.admin)
    login(client, user.email)
    response = client.post(
        "/shows/new", data={"code": "X1", "series": "X", "name_zh": "展", "name_en": "X"}
    )
    assert response.status_code == 400
    assert "expired" in text_of(response)
    from expo_crm.shows.models import Show

    assert db.session.query(Show).count() == 0


def test_logout_needs_a_post_with_csrf_and_ends_the_session(client):
    user = create_staff(Role.sales)
    login(client, user.email)
    assert client.get("/logout").status_code == 405
    post_form(client, "/logout", {}, page="/dashboard")
    assert client.get("/dashboard").status_code == 302


def test_changing_the_password_signs_out_other_sessions(app):
    user = create_staff(Role.service)
    first, second = app.test_client(), app.test_client()
    login(first, user.email)
    login(second, user.email)
    response = post_form(
        first,
        "/account/password",
        {
            "current": PASSWORD,
            "new": "a-new-password-42",
            "confirm": "a-new-password-42",
        },
    )
    assert response.status_code == 302
    assert first.get("/dashboard").status_code == 200
    assert second.get("/dashboard").status_code == 302
    login(app.test_client(), user.email, "a-new-password-42")


def test_a_wrong_current_password_changes_nothing(client):
    user = create_staff(Role.service)
    login(client, user.email)
    before = user.password_hash
    response = post_form(
        client,
        "/account/password",
        {
            "current": "not-my-password",
            "new": "a-new-password-42",
            "confirm": "a-new-password-42",
        },
    )
    assert "The current password is wrong." in text_of(response)
    assert db.session.get(StaffUser, user.id).password_hash == before


def test_login_redirects_only_to_local_paths(client):
    user = create_staff(Role.sales)
    page = client.get("/login?next=https://evil.example/")
    response = client.post(
        "/login?next=https://evil.example/",
        data={
            "csrf_token": csrf_from(text_of(page)),
            "email": user.email,
            "password": PASSWORD,
        },
    )
    assert response.headers["Location"].endswith("/dashboard")


def test_session_cookie_flags(client):
    user = create_staff(Role.sales)
    response = login(client, user.email)
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_admin_holds_every_capability_and_gate_staff_only_the_gate():
    assert role_has(Role.admin, "staff.manage")
    assert role_has(Role.gate, "gate.scan")
    assert not role_has(Role.gate, "exhibitors.view")
    assert not role_has(Role.marketing, "visitors.export")


def test_create_admin_command_creates_and_resets(app):
    runner = app.test_cli_runner()
    from expo_crm.cli import cli

    result = runner.invoke(
        cli, ["create-admin", "--email", "Boss@Example.com", "--password", "long-enough-pw"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.query(StaffUser).filter_by(email="boss@example.com").one()
    assert user.role is Role.admin
    result = runner.invoke(
        cli, ["create-admin", "--email", "boss@example.com", "--password", "short"]
    )
    assert result.exit_code != 0
    assert (
        "10" in result.output and "密码" in result.output
    )  # the operator's language defaults to Chinese
