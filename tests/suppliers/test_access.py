"""Every suppliers route, tried by every role: only the roles holding its capability get in."""

import pytest

from tests.factories import (
    create_catalogue_item,
    create_contracted_company,
    create_service_order,
    create_show,
    create_supplier_document,
)
from tests.staff.access_matrix import ROLES, Route, check

ROUTES = [
    Route("GET", "/suppliers/", "suppliers.view"),
    Route("GET", "/suppliers/?export=xlsx", "suppliers.view"),
    Route("GET", "/suppliers/new", "suppliers.manage"),
    Route("POST", "/suppliers/new", "suppliers.manage"),
    Route("GET", "/suppliers/{supplier}", "suppliers.view"),
    Route("GET", "/suppliers/{supplier}/edit", "suppliers.manage"),
    Route("POST", "/suppliers/{supplier}/edit", "suppliers.manage"),
    Route("POST", "/suppliers/{supplier}/contacts", "suppliers.manage"),
    Route("POST", "/suppliers/{supplier}/documents", "suppliers.manage"),
    Route("GET", "/suppliers/{supplier}/documents/{document}", "suppliers.view"),
    Route("GET", "/suppliers/{supplier}/evaluate/{show}", "suppliers.manage"),
    Route("POST", "/suppliers/{supplier}/evaluate/{show}", "suppliers.manage"),
    Route("GET", "/suppliers/catalogue?show_id={show}", "suppliers.view"),
    Route("GET", "/suppliers/catalogue/new/{show}", "suppliers.manage"),
    Route("POST", "/suppliers/catalogue/new/{show}", "suppliers.manage"),
    Route("GET", "/suppliers/catalogue/{item}/edit", "suppliers.manage"),
    Route("POST", "/suppliers/catalogue/{item}/edit", "suppliers.manage"),
    Route("GET", "/suppliers/orders", "suppliers.view"),
    Route("GET", "/suppliers/{supplier}/work?show_id={show}", "suppliers.view"),
    Route("GET", "/suppliers/orders/{order}", "suppliers.view"),
    Route("POST", "/suppliers/orders/{order}/state", "suppliers.manage"),
    Route("GET", "/suppliers/orders/new/{show}", "suppliers.manage"),
    Route("POST", "/suppliers/orders/new/{show}", "suppliers.manage"),
]


def test_every_suppliers_route_is_listed(app):
    listed = {r.url.split("?")[0].replace("{", "<").replace("}", ">") for r in ROUTES}
    rules = {
        rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("suppliers.")
    }
    normalised = {
        r.replace("<int:", "<")
        .replace("supplier_id", "supplier")
        .replace("document_id", "document")
        .replace("show_id", "show")
        .replace("item_id", "item")
        .replace("order_id", "order")
        for r in rules
    }
    assert normalised <= listed


@pytest.mark.parametrize("role", ROLES, ids=lambda r: str(r or "anonymous"))
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.url}")
def test_route_for_role(app, route, role):
    show = create_show()
    item = create_catalogue_item(show)
    order = create_service_order(create_contracted_company(show), item)
    document = create_supplier_document(item.supplier)
    url = route.url.format(
        supplier=item.supplier_id, show=show.id, item=item.id, order=order.id, document=document.id
    )
    check(app, Route(route.method, url, route.capability), role)
