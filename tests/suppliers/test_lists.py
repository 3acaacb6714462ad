"""Catalogue, orders and work list: searchable, filterable, sortable, paginated; the directory flags document alerts."""

from expo_crm.auth.permissions import Role
from tests.factories import (
    create_catalogue_item,
    create_contracted_company,
    create_service_order,
    create_show,
    create_staff,
    create_supplier,
    create_supplier_document,
)
from tests.helpers import login, text_of


def test_catalogue_filters_by_supplier_sorts_by_price_and_pages(app, client):
    show = create_show()
    cleaner = create_supplier("cleaning", name_en="Jiemei Cleaning")
    create_catalogue_item(show, cleaner, name_en="Daily booth cleaning", price="150")
    create_catalogue_item(show, name_en="Glass cabinet", price="380")
    for n in range(25):
        create_catalogue_item(
            show, cleaner, name_en=f"Extra cleaning {n}", price="10", commit=n == 24
        )
    login(client, create_staff(Role.service).email)
    page = text_of(client.get(f"/suppliers/catalogue?show_id={show.id}&sort=-price"))
    assert page.index("Glass cabinet") < page.index("Daily booth cleaning")
    assert "Page 1 of 2" in page and "27 in all" in page
    page = text_of(
        client.get(f"/suppliers/catalogue?show_id={show.id}&supplier_id={cleaner.id}&q=daily")
    )
    assert "Daily booth cleaning" in page and "Glass cabinet" not in page
    assert "Page 2 of 2" in text_of(client.get(f"/suppliers/catalogue?show_id={show.id}&page=2"))


def test_work_list_searches_by_exhibitor_and_sorts_by_amount(app, client):
    show = create_show()
    item = create_catalogue_item(show, price="100")
    create_service_order(create_contracted_company(show, name_en="Small Buyer"), item, 1)
    create_service_order(create_contracted_company(show, name_en="Big Buyer"), item, 9)
    login(client, create_staff(Role.sales).email)
    url = f"/suppliers/{item.supplier_id}/work?show_id={show.id}"
    page = text_of(client.get(url + "&sort=-amount"))
    assert page.index("Big Buyer") < page.index("Small Buyer")
    page = text_of(client.get(url + "&q=small"))
    assert "Small Buyer" in page and "Big Buyer" not in page


def test_directory_shows_which_suppliers_have_document_alerts(app, client):
    show = create_show()
    lapsing = create_supplier(name_en="Lapsing Logistics")
    create_catalogue_item(show, lapsing)
    create_supplier_document(lapsing, expires_on=show.open_from)
    create_supplier(name_en="Idle Printer")
    login(client, create_staff(Role.service).email)
    page = text_of(client.get("/suppliers/?q=lapsing"))
    assert (
        "Alerts: 3" in page
    )  # insurance and safety certificate missing, the licence lapses during the show
    assert "No alert" in text_of(client.get("/suppliers/?q=idle"))
