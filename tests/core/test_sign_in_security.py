"""Sign-in security (issue 13, finding 5): sessions end at sign-out, guessing is slowed per
account and address without letting a stranger lock a gate out, admins unlock, and easily
guessed passwords are refused. Staff and exhibitor portal alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale

from expo_crm import clock
from expo_crm.auth import services, throttle
from expo_crm.auth.permissions import Role
from expo_crm.exhibitors import accounts as portal
from expo_crm.staff import services as staff_services
from tests.factories import PASSWORD, create_contact, create_portal_user, create_staff
from tests.helpers import login, post_form, text_of

STRANGERS = [f"203.0.113.{n}" for n in range(1, 27)]  # 26 addresses
GATE_DEVICE = "10.20.0.7"
WRONG = "wrong-password-1"


@pytest.fixture(autouse=True)
def _english(app):
    """Services called by the test itself answer in English (requests choose for themselves)."""
    with force_locale("en"):
        yield


def copy_session(source, target) -> None:
    target.set_cookie("session", source.get_cookie("session").value)


# --- a copied cookie no longer works after sign-out ----------------------------------------------


def test_a_copied_staff_session_cookie_stops_working_at_sign_out(app):
    user = create_staff(Role.sales)
    browser, thief = app.test_client(), app.test_client()
    login(browser, user.email)
    copy_session(browser, thief)
    assert thief.get("/dashboard").status_code == 200

    post_form(browser, "/logout", {}, page="/dashboard")

    assert browser.get("/dashboard").status_code == 302
    assert thief.get("/dashboard").status_code == 302
    # The refused cookie was emptied: using it does not keep it alive either.
    assert thief.get("/dashboard").status_code == 302


def test_signing_out_ends_only_that_session_not_the_accounts_other_devices(app):
    user = create_staff(Role.gate)
    first_gate, second_gate = app.test_client(), app.test_client()
    login(first_gate, user.email)
    login(second_gate, user.email)
    post_form(first_gate, "/logout", {}, page="/dashboard")
    assert first_gate.get("/dashboard").status_code == 302
    assert second_gate.get("/dashboard").status_code == 200


def test_a_copied_portal_session_cookie_stops_working_at_sign_out(app):
    user = create_portal_user()
    browser, thief = app.test_client(), app.test_client()
    response = post_form(browser, "/portal/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    copy_session(browser, thief)
    assert thief.get("/portal/").status_code == 200

    post_form(browser, "/portal/logout", {}, page="/portal/")

    assert thief.get("/portal/").status_code == 302


def test_a_copied_cookie_stops_working_when_an_admin_resets_the_password(app):
    user = create_staff(Role.sales)
    browser, thief = app.test_client(), app.test_client()
    login(browser, user.email)
    copy_session(browser, thief)
    staff_services.reset_password(user, "an-unrelated-phrase-77")
    from expo_crm.db import db

    db.session.commit()
    assert thief.get("/dashboard").status_code == 302


# --- guessing is slowed per account and address ----------------------------------------------------


def guess_from_strangers(authenticate, email: str, attempts: int = 200) -> None:
    """`attempts` wrong passwords spread over 26 addresses, a few seconds apart."""
    for n in range(attempts):
        clock.travel(timedelta(seconds=3))
        with pytest.raises(Exception, match="Wrong email or password|Too many failed sign-ins"):
            authenticate(email, f"guess-{n}-abc", STRANGERS[n % len(STRANGERS)])


def test_200_guesses_from_26_addresses_never_let_the_right_password_in(app):
    user = create_staff(Role.sales)
    clock.freeze("2026-11-23T08:00:00Z")
    guess_from_strangers(services.authenticate, user.email)
    for address in (STRANGERS[0], STRANGERS[25], "198.51.100.99"):
        with pytest.raises(services.AuthError, match="Too many failed sign-ins"):
            services.authenticate(user.email, PASSWORD, address)


def test_the_exhibitor_portal_is_throttled_the_same_way(app):
    user = create_portal_user()
    clock.freeze("2026-11-23T08:00:00Z")
    guess_from_strangers(portal.authenticate, user.email)
    with pytest.raises(portal.PortalError, match="Too many failed sign-ins"):
        portal.authenticate(user.email, PASSWORD, STRANGERS[3])


def test_a_strangers_guesses_do_not_lock_the_gate_out_of_its_own_device(client):
    gate = create_staff(Role.gate)
    clock.freeze("2026-11-23T07:00:00Z")
    services.authenticate(gate.email, PASSWORD, GATE_DEVICE)  # the gate signed in here before
    guess_from_strangers(services.authenticate, gate.email)

    client.environ_base["REMOTE_ADDR"] = GATE_DEVICE
    login(client, gate.email)
    assert client.get("/dashboard").status_code == 200


def test_failures_from_one_address_slow_down_that_address_until_its_wait_is_over(app):
    user = create_staff(Role.sales)
    clock.freeze("2026-11-23T08:00:00Z")
    for _ in range(throttle.FREE_PER_ADDRESS):
        with pytest.raises(services.AuthError, match="Wrong email or password"):
            services.authenticate(user.email, WRONG, STRANGERS[0])
    with pytest.raises(services.AuthError, match="Too many failed sign-ins"):
        services.authenticate(user.email, PASSWORD, STRANGERS[0])
    # Another address is not slowed by them.
    assert services.authenticate(user.email, PASSWORD, STRANGERS[1]).id == user.id
    clock.travel(throttle.FIRST_WAIT + timedelta(seconds=1))
    assert services.authenticate(user.email, PASSWORD, STRANGERS[0]).id == user.id


def test_the_wait_grows_with_each_further_failure(app):
    user = create_staff(Role.sales)
    clock.freeze("2026-11-23T08:00:00Z")
    for _ in range(throttle.FREE_PER_ADDRESS + 2):
        clock.travel(throttle.LONGEST_WAIT)
        with pytest.raises(services.AuthError, match="Wrong email or password"):
            services.authenticate(user.email, WRONG, STRANGERS[0])
    clock.travel(throttle.FIRST_WAIT * 3)  # the 7th failure asks for 4 minutes
    with pytest.raises(services.AuthError, match="Too many failed sign-ins"):
        services.authenticate(user.email, PASSWORD, STRANGERS[0])
    clock.travel(throttle.FIRST_WAIT)
    assert services.authenticate(user.email, PASSWORD, STRANGERS[0]).id == user.id


def test_an_admin_unlocks_an_account_from_the_staff_page(client):
    admin = create_staff(Role.admin)
    gate = create_staff(Role.gate)
    clock.freeze("2026-11-23T08:00:00Z")
    guess_from_strangers(services.authenticate, gate.email, attempts=40)
    with pytest.raises(services.AuthError, match="Too many failed sign-ins"):
        services.authenticate(gate.email, PASSWORD, "198.51.100.99")

    login(client, admin.email)
    page = client.get(f"/staff/users/{gate.id}")
    assert "Failed sign-ins in the last day" in text_of(page)
    response = post_form(
        client, f"/staff/users/{gate.id}/unlock", {}, page=f"/staff/users/{gate.id}"
    )
    assert response.status_code == 302
    assert "can sign in again" in text_of(client.get(response.headers["Location"]))

    assert services.authenticate(gate.email, PASSWORD, "198.51.100.99").id == gate.id


def test_only_admins_may_unlock(client):
    sales, gate = create_staff(Role.sales), create_staff(Role.gate)
    login(client, sales.email)
    response = post_form(client, f"/staff/users/{gate.id}/unlock", {}, page="/dashboard")
    assert response.status_code == 403


# --- easily guessed passwords are refused ------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["password1234", "margaret.thompson", "Margaret Thompson", "margaretthompson2026"],
    ids=["common", "email-local-part", "name", "name-and-year"],
)
def test_common_and_account_derived_passwords_are_refused_with_a_message(app, password):
    with pytest.raises(staff_services.StaffError) as refused:
        staff_services.add_staff(
            "margaret.thompson@example.com", "Margaret Thompson", password, Role.sales
        )
    assert "name or email" in str(refused.value) or "too common" in str(refused.value)


def test_a_staff_member_cannot_change_to_a_common_password(client):
    user = create_staff(Role.service)
    login(client, user.email)
    response = post_form(
        client,
        "/account/password",
        {"current": PASSWORD, "new": "password1234", "confirm": "password1234"},
    )
    assert "too common or too easy to guess" in text_of(response)


def test_an_exhibitor_cannot_make_their_email_their_portal_password(app):
    contact = create_contact(email="zhang.hua.export@lituo.example", name="Zhang Hua")
    token = portal.invite_contact(contact)
    with pytest.raises(portal.PortalError, match="name or email"):
        portal.accept_invitation(token, "zhang.hua.export@lituo.example")


def test_an_unrelated_long_password_is_accepted(app):
    assert (
        services.password_problem(
            "tangerine-copper-lantern",
            email="margaret.thompson@example.com",
            name="Margaret Thompson",
        )
        is None
    )
