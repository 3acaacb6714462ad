"""Every portal page, tried by nobody, by every staff role and by an exhibitor: only a signed-in
exhibitor gets in (and then sees other companies' records as 404, see test_portal)."""

import re

import pytest
import sqlalchemy as sa

from expo_crm.auth.permissions import access_of
from expo_crm.db import db
from expo_crm.exhibitors.models import Contract
from tests.factories import (
    create_catalogue_item,
    create_complaint,
    create_contracted_company,
    create_service_order,
    create_show,
)
from tests.staff.access_matrix import ROLES, Route, check

ROUTES = [
    Route("GET", "/portal/", None),
    Route("GET", "/portal/?show={show}", None),
    Route("GET", "/portal/contracts/{contract}/contract-zh.pdf", None),
    Route("POST", "/portal/contracts/{contract}/submit", None),
    Route("POST", "/portal/contracts/{contract}/staff", None),
    Route("GET", "/portal/leads", None),
    Route("POST", "/portal/leads", None),
    Route("GET", "/portal/leads.xlsx?show={show}", None),
    Route("GET", "/portal/offer", None),
    Route("POST", "/portal/offer", None),
    Route("GET", "/portal/returns", None),
    Route("GET", "/portal/returns?show={show}", None),
    Route("GET", "/portal/contracts/{contract}/return-en.pdf", None),
    Route("GET", "/portal/messages", None),
    Route("POST", "/portal/messages", None),
    Route("GET", "/portal/complaints", None),
    Route("POST", "/portal/complaints", None),
    Route("POST", "/portal/complaints/{complaint}/verdict", None),
    Route("GET", "/portal/services", None),
    Route("GET", "/portal/services/{item}/order", None),
    Route("POST", "/portal/services/{item}/order", None),
    Route("POST", "/portal/services/orders/{order}/cancel", None),
    Route("GET", "/portal/rebooking", None),
    Route("POST", "/portal/rebooking/{show}/pick", None),
    Route("POST", "/portal/rebooking/{show}/book", None),
    Route("POST", "/portal/rebooking/{show}/release", None),
]


def test_every_page_of_the_portal_is_listed(app):
    listed = {re.sub(r"\{(\w+)\}", r"<\1>", r.url.split("?")[0]) for r in ROUTES}
    rules = {
        re.sub(r"<(?:\w+:)?(\w+?)(?:_id)?>", r"<\1>", rule.rule)
        .replace("contract-<any(zh,en):language>", "contract-zh")
        .replace("return-<any(zh,en):language>", "return-en")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("portal.")
        and access_of(app.view_functions[rule.endpoint]).kind == "portal"
    }
    assert rules == listed


def test_only_sign_in_and_old_addresses_of_the_portal_are_public(app):
    public = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("portal.")
        and access_of(app.view_functions[rule.endpoint]).kind == "public"
    }
    assert {e for e in public if not e.startswith("portal.old_")} == {
        "portal.login",
        "portal.logout",
        "portal.welcome",
    }


@pytest.mark.parametrize("role", ROLES, ids=lambda r: str(r or "anonymous"))
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.url}")
def test_route_for_role(app, route, role):
    show = create_show()
    item = create_catalogue_item(show)
    company = create_contracted_company(show)
    order = create_service_order(company, item)
    complaint = create_complaint("exhibitor", company.id)
    contract = db.session.scalar(sa.select(Contract).where(Contract.company_id == company.id))
    url = route.url.format(
        show=show.id,
        item=item.id,
        order=order.id,
        complaint=complaint.id,
        contract=contract.id,
    )
    check(app, Route(route.method, url, route.capability), role)
