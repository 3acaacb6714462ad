"""Issue 20, item 3: each role's dashboard leads with the answer to its first question, and the
management's answer (this show against the last one) is computed from what the database holds."""

import re
from datetime import date
from decimal import Decimal

import pytest

from expo_crm.auth.permissions import Role
from expo_crm.staff import editions
from tests.factories import (
    create_company,
    create_contract,
    create_registration,
    create_show,
    create_staff,
)
from tests.factories.relationships import create_survey_answer
from tests.helpers import login, post_form


def _two_editions():
    last = create_show(open_from=date(2025, 5, 10), series="HW", code="HW25", name_en="HW 2025")
    this = create_show(open_from=date(2026, 5, 10), series="HW", code="HW26", name_en="HW 2026")
    for _ in range(2):
        create_contract(create_company(), last, area="18", price="1000", signed=True)
    for area in ("36", "18", "9"):
        create_contract(create_company(), this, area=area, price="1000", signed=True)
    create_contract(create_company(), this, area="50", price="1000", signed=False)  # a draft
    for show, count in ((last, 4), (this, 5)):
        for _ in range(count):
            create_registration(show)
    for score in (10, 9, 3):
        create_survey_answer(create_company(), this, nps=score, satisfaction="4")
    create_survey_answer(create_company(), last, nps=10, satisfaction="5")
    return last, this


def test_the_comparison_sets_each_figure_of_a_show_against_the_last_edition(app):
    last, this = _two_editions()
    before, rows = editions.compare(this)
    assert before.id == last.id
    figures = {row.measure.key: (row.now, row.before, row.change_percent) for row in rows}
    assert figures["exhibitors_signed"] == (3, 2, 50)
    assert figures["area_sold"] == (Decimal(63), Decimal(36), 75)
    assert figures["contract_revenue"] == (Decimal(63000), Decimal(36000), 75)
    assert figures["visitors_registered"] == (5, 4, 25)
    assert figures["nps"] == (33, 100, -67)  # (2 promoters − 1 detractor) / 3
    assert figures["satisfaction"] == (Decimal("4.00"), Decimal("5.00"), -20)
    assert figures["visitors_checked_in"] == (0, 0, None)  # no change from nothing


def test_a_first_edition_has_nothing_to_compare_with(app):
    show = create_show(series="NEW")
    before, rows = editions.compare(show)
    assert before is None and all(row.before is None and row.change_percent is None for row in rows)


def _panel_ids(client) -> list[str]:
    html = client.get("/dashboard").get_data(as_text=True)
    return re.findall(r'<section class="card panel( lead)?" id="(panel-[\w-]+)"', html)


@pytest.mark.parametrize(
    ("role", "lead"),
    [
        (Role.sales, "panel-exhibitors"),
        (Role.service, "panel-overdue"),
        (Role.gate, "panel-attendance"),
        (Role.admin, "panel-comparison"),
        (Role.marketing, "panel-comparison"),
    ],
)
def test_each_role_s_dashboard_leads_with_its_first_question(client, role, lead):
    create_show()
    login(client, create_staff(role).email)
    panels = _panel_ids(client)
    assert panels[0] == (" lead", lead)
    assert all(flag == "" for flag, _id in panels[1:])


def test_the_editions_page_shows_the_comparison_and_each_trend_with_its_numbers(client):
    last, this = _two_editions()
    login(client, create_staff(Role.admin, locale="en").email)
    post_form(client, "/shows/choose", {"show_id": this.id}, page="/shows/")
    html = client.get("/editions").get_data(as_text=True)
    row = re.search(r'<tr data-measure="area_sold">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num">\s*(.*?)\s*</td>', row, re.S)[:2] == ["63.00", "36.00"]
    assert "▲ +75%" in row
    trend = re.search(r'id="chart-trend-exhibitors-signed".*?</figure>', html, re.S).group(0)
    assert re.findall(r'<th scope="row">(.*?)</th><td class="num">(\d+)</td>', trend) == [
        ("HW 2025", "2"),
        ("HW 2026", "3"),
    ]
