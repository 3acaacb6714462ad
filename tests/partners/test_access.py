"""Every partners route, tried by every role: only the roles holding its capability get in."""

from datetime import timedelta

import pytest

from expo_crm import clock
from tests.factories import (
    create_agreement,
    create_deliverable,
    create_package,
    create_partner,
    create_referral_code,
    create_show,
)
from tests.staff.access_matrix import ROLES, Route, check, listed_rules

ROUTES = [
    Route("GET", "/partners/", "partners.view"),
    Route("GET", "/partners/?export=xlsx", "partners.view"),
    Route("GET", "/partners/new", "partners.manage"),
    Route("POST", "/partners/new", "partners.manage"),
    Route("GET", "/partners/{partner}", "partners.view"),
    Route("GET", "/partners/{partner}/edit", "partners.manage"),
    Route("POST", "/partners/{partner}/edit", "partners.manage"),
    Route("POST", "/partners/{partner}/agreements", "partners.manage"),
    Route("POST", "/partners/{partner}/agreements/{agreement}/state", "partners.manage"),
    Route("POST", "/partners/{partner}/agreements/{agreement}/deliverables", "partners.manage"),
    Route("POST", "/partners/{partner}/deliverables/{deliverable}/state", "partners.manage"),
    Route("POST", "/partners/{partner}/codes", "partners.manage"),
    Route("POST", "/partners/{partner}/codes/{code}/active", "partners.manage"),
    Route("GET", "/partners/{partner}/report/{show}", "partners.view"),
    Route("GET", "/partners/{partner}/report/{show}.pdf", "partners.view"),
    Route("POST", "/partners/{partner}/report/{show}/send", "partners.manage"),
    Route("GET", "/partners/deliverables", "partners.view"),
    Route("GET", "/partners/deliverables?export=xlsx", "partners.view"),
    Route("GET", "/partners/sponsorship", "partners.view"),
    Route("GET", "/partners/sponsorship?export=xlsx", "partners.view"),
    Route("GET", "/partners/sponsorship/new", "partners.manage"),
    Route("POST", "/partners/sponsorship/new", "partners.manage"),
    Route("POST", "/partners/sponsorship/{package}/sell", "partners.manage"),
]


def test_every_partners_route_is_listed(app):
    assert listed_rules(app, "partners.") <= {r.pattern for r in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.url}")
def test_route_for_every_role(app, route):
    show = create_show()
    partner = create_partner()
    agreement = create_agreement(partner, show)
    deliverable = create_deliverable(agreement, clock.now().date() + timedelta(days=10))
    code = create_referral_code(partner, show)
    package = create_package(show)
    url = route.url.format(
        partner=partner.id,
        agreement=agreement.id,
        deliverable=deliverable.id,
        code=code.id,
        show=show.id,
        package=package.id,
    )
    for role in ROLES:
        check(app, Route(route.method, url, route.capability), role)
