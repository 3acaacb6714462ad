"""The team view: searchable, filterable by role, sortable by each figure, paginated."""

from expo_crm.auth.permissions import Role
from tests.factories import create_staff, create_task_for
from tests.helpers import login, text_of


def test_team_view_filters_and_sorts(app, client):
    busy = create_staff(Role.sales, name="Busy Bee")
    create_staff(Role.sales, name="Calm Cat")
    create_staff(Role.gate, name="Gate Keeper")
    for n in range(3):
        create_task_for(busy, f"Task {n}")
    login(client, create_staff(Role.admin, name="Admin Person").email)
    page = text_of(client.get("/team?role=sales&sort=-open"))
    assert page.index("Busy Bee") < page.index("Calm Cat") and "Gate Keeper" not in page
    page = text_of(client.get("/team?role=sales&sort=open"))
    assert page.index("Calm Cat") < page.index("Busy Bee")
    page = text_of(client.get("/team?q=keeper"))
    assert "Gate Keeper" in page and "Busy Bee" not in page
    assert "Nobody matches." in text_of(client.get("/team?q=nobody-at-all"))
