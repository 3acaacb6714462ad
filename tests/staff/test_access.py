"""Every staff-area route (dashboard, tasks, my work, team, staff and roles), tried by every role:
only the roles holding its capability get in."""

import pytest

from expo_crm.auth.models import StaffUser
from expo_crm.auth.permissions import Role
from tests.factories import create_staff, create_task_for
from tests.staff.access_matrix import ROLES, Route, check, client_as, listed_rules

ROUTES = [
    Route("GET", "/dashboard", "dashboard.view"),
    Route("GET", "/tasks", "tasks.view"),
    Route("GET", "/tasks?owner=&export=xlsx", "tasks.view"),
    Route("GET", "/tasks/new", "tasks.view"),
    Route("POST", "/tasks/new", "tasks.view"),
    Route("GET", "/tasks/{task}", "tasks.view"),
    Route("POST", "/tasks/{task}/complete", "tasks.view"),
    Route("GET", "/my-work", "tasks.view"),
    Route("GET", "/editions", "reports.view"),
    Route("GET", "/team", "team.view"),
    Route("GET", "/team?export=xlsx", "team.view"),
    Route("GET", "/staff/users", "staff.manage"),
    Route("GET", "/staff/users?export=xlsx", "staff.manage"),
    Route("GET", "/staff/users/new", "staff.manage"),
    Route("POST", "/staff/users/new", "staff.manage"),
    Route("GET", "/staff/users/{user}", "staff.manage"),
    Route("POST", "/staff/users/{user}", "staff.manage"),
    Route("POST", "/staff/users/{user}/active", "staff.manage"),
    Route("POST", "/staff/users/{user}/password", "staff.manage"),
    Route("POST", "/staff/users/{user}/unlock", "staff.manage"),
]
PUBLIC = {"/"}  # the home page only redirects, to the sign-in page or to where the user belongs


def test_every_staff_route_is_listed(app):
    assert listed_rules(app, "staff.") - PUBLIC <= {r.pattern for r in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.url}")
def test_route_for_every_role(app, route):
    colleague = create_staff(Role.sales)
    for role in ROLES:
        client = client_as(app, role)
        # Everyone reaches their own task; a colleague's only if they may see what it is about
        # (tests/staff/test_task_visibility.py).
        owner = client.user if isinstance(client.user, StaffUser) else colleague
        task = create_task_for(owner, "Call the hall manager")
        url = route.url.format(task=task.id, user=colleague.id)
        check(app, Route(route.method, url, route.capability), role, client=client)
