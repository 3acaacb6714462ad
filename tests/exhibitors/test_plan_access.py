"""The hall plan, review queue, rebooking and public application pages, tried by nobody, by every
staff role and by an exhibitor: each gets in exactly as its capabilities say."""

import pytest

from tests.factories import create_application, create_booth, create_show
from tests.staff.access_matrix import ROLES, Route, check

ROUTES = [
    Route("GET", "/exhibitors/hall-plan?show={show}", "exhibitors.view"),
    Route("POST", "/exhibitors/hall-plan/{show}/outline", "exhibitors.manage"),
    Route("POST", "/exhibitors/hall-plan/{show}/booths", "exhibitors.manage"),
    Route("POST", "/exhibitors/hall-plan/{show}/import", "exhibitors.manage"),
    Route("POST", "/exhibitors/hall-plan/booths/{booth}/place", "exhibitors.manage"),
    Route("POST", "/exhibitors/hall-plan/booths/{booth}/renumber", "exhibitors.manage"),
    Route("POST", "/exhibitors/hall-plan/booths/{booth}/block", "exhibitors.manage"),
    Route("POST", "/exhibitors/hall-plan/booths/{booth}/sell", "exhibitors.manage"),
    Route("GET", "/exhibitors/applications", "exhibitors.view"),
    Route("GET", "/exhibitors/rebooking?show={show}", "exhibitors.view"),
    Route("POST", "/exhibitors/rebooking/{show}/plan", "exhibitors.manage"),
    Route("POST", "/exhibitors/rebooking/{show}/windows", "exhibitors.manage"),
]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: str(r or "anonymous"))
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.url}")
def test_route_for_role(app, route, role):
    show = create_show()
    booth = create_booth(show)
    create_application(show=show)
    check(
        app,
        Route(route.method, route.url.format(show=show.id, booth=booth.id), route.capability),
        role,
    )


def test_the_public_application_form_needs_no_sign_in(app, client):
    show = create_show()
    assert client.get(f"/exhibitors/apply/{show.id}").status_code == 200
