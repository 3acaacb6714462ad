"""Route × role access checks shared by the suppliers, partners and staff tests.

Each route is tried by nobody, by every staff role and by an exhibitor portal user; the
expected answer follows from the route's declared capability (or `portal`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from expo_crm.auth.permissions import Role, role_has
from tests.factories import PASSWORD, create_portal_user, create_staff
from tests.helpers import csrf_from, login, post_form

ROLES = [None, *Role, "exhibitor"]


@dataclass(frozen=True)
class Route:
    method: str
    url: str
    capability: str | None  # None: an exhibitor portal route

    @property
    def pattern(self) -> str:
        """The URL rule with every argument written <name> ("/partners/<partner>/edit")."""
        return re.sub(r"\{(\w+)\}", r"<\1>", self.url.split("?")[0])


def listed_rules(app, prefix: str) -> set[str]:
    """The URL rules of one blueprint, each argument written <name> without its converter and "_id"."""
    rules = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith(prefix)}
    return {re.sub(r"<(?:\w+:)?(\w+?)(?:_id)?>", r"<\1>", rule) for rule in rules}


def client_as(app, role):
    """A client signed in with a new account of the role; `client.user` is that account."""
    client = app.test_client()
    client.user = None
    if role == "exhibitor":
        client.user = create_portal_user()
        post_form(client, "/portal/login", {"email": client.user.email, "password": PASSWORD})
    elif role is not None:
        client.user = create_staff(role)
        login(client, client.user.email)
    return client


def _token(client, role) -> str:
    page = "/portal/" if role == "exhibitor" else ("/dashboard" if role else "/login")
    return csrf_from(client.get(page).get_data(as_text=True))


def check(app, route: Route, role, client=None) -> None:
    client = client or client_as(app, role)
    if route.method == "GET":
        response = client.get(route.url)
    else:
        response = client.post(route.url, data={"csrf_token": _token(client, role)})
    status = response.status_code
    assert status < 500, (route, role, status)
    if route.capability is None:  # portal route
        if role == "exhibitor":
            assert status != 403, (route, role, status)
        elif role is None:
            assert status == 302 and "/portal/login" in response.headers["Location"], (
                route,
                role,
                status,
            )
        else:
            assert status == 403, (route, role, status)
        return
    if role is None:
        assert status == 302 and "/login" in response.headers["Location"], (route, status)
    elif role == "exhibitor" or not role_has(role, route.capability):
        assert status == 403, (route, role, status)
    elif route.method == "GET":
        assert status == 200, (route, role, status)
    else:
        assert status != 403, (route, role, status)
