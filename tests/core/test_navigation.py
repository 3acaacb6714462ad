"""Issue 20, item 1: the menu is grouped by the work, each role sees only what it may open, and
the show a staff member works on is chosen once and remembered."""

import re

import pytest

from expo_crm.auth.permissions import Role, role_has
from expo_crm.navigation import _items
from tests.factories import create_portal_user, create_show, create_staff
from tests.factories.exhibitors import PASSWORD
from tests.helpers import csrf_from, login, post_form


def _sidebar(html: str) -> dict[str, list[str]]:
    """The sidebar as {group key: [link paths]} ('' for the ungrouped entries)."""
    nav = re.search(r'<nav class="sidebar".*?</nav>', html, re.S).group(0)
    groups = {}
    for section in re.findall(r'<div class="navsection"(.*?)</ul>', nav, re.S):
        key = re.search(r'data-group="(\w+)"', section)
        groups[key.group(1) if key else ""] = re.findall(r'<a href="([^"]+)"', section)
    return groups


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_in_its_menu_exactly_the_entries_it_may_open(app, client, role):
    user = create_staff(role)
    login(client, user.email)
    html = client.get("/shows/").get_data(as_text=True)
    menu = _sidebar(html)
    shown = {path for paths in menu.values() for path in paths}
    with app.test_request_context():
        from flask import url_for

        allowed = {
            url_for(item.endpoint): item.group or ""
            for item in _items.values()
            if item.audience == "staff"
            and (item.capability is None or role_has(role, item.capability))
        }
    assert shown == set(allowed)
    for group, paths in menu.items():
        assert all(allowed[path] == group for path in paths), (group, paths)
    assert "" not in menu or menu[""]  # no empty section is drawn


def test_the_gate_role_menu_is_the_gate_and_the_attendance_only(client):
    user = create_staff(Role.gate, locale="en")
    login(client, user.email)
    menu = _sidebar(client.get("/visitors/gate").get_data(as_text=True))
    assert "sales" not in menu and "relationships" not in menu and "admin" not in menu
    assert set(menu["visitors"]) == {"/visitors/desk", "/visitors/gate", "/visitors/attendance"}


def test_a_chosen_show_is_remembered_across_pages(client):
    user = create_staff(Role.admin, locale="en")
    create_show(code="RUN27", name_en="Running Fair")
    other = create_show(code="OLD24", name_en="Old Fair")
    login(client, user.email)
    response = post_form(
        client,
        "/shows/choose",
        {"show_id": other.id, "next": "/visitors/attendance"},
        page="/shows/",
    )
    assert response.status_code == 302 and response.headers["Location"] == "/visitors/attendance"
    picker = client.get("/shows/").get_data(as_text=True)
    assert "You are working on Old Fair." in picker
    assert re.search(rf'<option value="{other.id}"\s+selected>', picker)
    assert (
        client.get("/visitors/attendance")
        .headers["Location"]
        .endswith(f"/visitors/attendance/{other.id}")
    )


def test_choosing_a_show_that_does_not_exist_or_without_the_form_token_changes_nothing(client):
    user = create_staff(Role.sales, locale="en")
    show = create_show(code="ONE27")
    login(client, user.email)
    token = csrf_from(client.get("/shows/").get_data(as_text=True))
    missing = client.post("/shows/choose", data={"csrf_token": token, "show_id": 999999})
    assert missing.status_code == 404
    forged = client.post("/shows/choose", data={"show_id": show.id})
    assert forged.status_code == 400
    html = client.get("/shows/").get_data(as_text=True)
    assert "You are working on" not in html


def test_the_portal_menu_has_no_staff_groups_and_no_show_picker(client, app):
    portal_user = create_portal_user()
    post_form(client, "/portal/login", {"email": portal_user.email, "password": PASSWORD})
    html = client.get("/portal/").get_data(as_text=True)
    menu = _sidebar(html)
    assert list(menu) == [""]
    assert "show-picker" not in html


def test_pages_carry_a_skip_link_and_a_favicon(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<a class="skip-link" href="#content">' in html
    assert 'id="content"' in html
    icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)"', html).group(1)
    served = client.get(icon)
    assert served.status_code == 200 and b"<svg" in served.data
