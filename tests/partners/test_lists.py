"""Sponsorship packages: searchable, filterable by availability, sortable, exportable."""

from io import BytesIO

from openpyxl import load_workbook

from expo_crm.auth.permissions import Role
from expo_crm.partners import services
from tests.factories import create_package, create_partner, create_show, create_staff
from tests.helpers import login, text_of


def test_sponsorship_list_filters_sorts_and_exports(app, client):
    show = create_show()
    gold = create_package(show, level_en="Gold", total=1, price="150000")
    create_package(show, level_en="Silver", total=5, price="60000")
    services.sell_package(gold, create_partner())
    login(client, create_staff(Role.sales).email)
    page = text_of(client.get("/partners/sponsorship?availability=sold_out"))
    assert "Gold" in page and "Silver" not in page
    page = text_of(client.get("/partners/sponsorship?q=silv"))
    assert "Silver" in page and "Gold" not in page
    page = text_of(client.get("/partners/sponsorship?sort=price"))
    assert page.index("Silver") < page.index("Gold")
    sheet = load_workbook(
        BytesIO(client.get("/partners/sponsorship?sort=-price&export=xlsx").data)
    ).active
    assert [sheet["C2"].value, sheet["C3"].value] == ["Gold", "Silver"]
