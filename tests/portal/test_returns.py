"""The exhibitor's return page compares the running show with its previous editions."""

from datetime import UTC, date, datetime

from expo_crm import clock
from tests.exhibitors.test_returns import build_show
from tests.factories import PASSWORD, create_contract, create_portal_user, create_show
from tests.helpers import post_form, text_of


def test_the_return_page_compares_with_previous_editions(app):
    first, a, *_ = build_show()
    clock.freeze(datetime(2026, 9, 1, tzinfo=UTC))
    later = create_show(open_from=date(2027, 6, 1), days=3, name_en="Hardware Fair 2027")
    create_contract(a, later, area="36", price="1000", signed=True)
    user = create_portal_user(a)
    client = app.test_client()
    post_form(client, "/portal/login", {"email": user.email, "password": PASSWORD})
    clock.freeze(datetime(2027, 6, 1, 4, tzinfo=UTC))  # noon of the first open day

    page = text_of(client.get(f"/portal/returns?show={later.id}"))
    assert "Live" in page and "Report in English (PDF)" not in page
    history = page[page.index("Compared with your previous editions") :]
    assert first.name_en in history and "Hardware Fair 2027" in history
    assert "18,000.00" in history and "36,000.00" in history
    assert "No data yet." in page  # nobody scanned at the new booth yet

    page = text_of(client.get(f"/portal/returns?show={first.id}"))
    assert "Report in English (PDF)" in page
    assert client.get("/portal/returns?show=999999").status_code == 404
