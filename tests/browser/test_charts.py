"""Issue 20, item 2, in real Chromium and in both languages: every chart of the dashboards and
report pages is drawn (or says there is no data), and the numbers in the table beside it are
the database's."""

from datetime import date

import pytest
from playwright.sync_api import expect

from expo_crm.auth.permissions import Role
from tests.factories import (
    create_company,
    create_contract,
    create_registration,
    create_show,
    create_staff,
)
from tests.helpers import sign_in_page

pytestmark = pytest.mark.browser


def _editions():
    last = create_show(
        open_from=date(2025, 5, 10),
        series="HW",
        code="HW25",
        name_en="HW 2025",
        name_zh="五金展2025",
    )
    this = create_show(
        open_from=date(2026, 5, 10),
        series="HW",
        code="HW26",
        name_en="HW 2026",
        name_zh="五金展2026",
    )
    for _ in range(2):
        create_contract(create_company(), last, area="18", price="1000", signed=True)
    for area in ("36", "18", "9"):
        create_contract(create_company(), this, area=area, price="1000", signed=True)
    for show, count in ((last, 4), (this, 5)):
        for _ in range(count):
            create_registration(show)
    return last, this  # fmt: skip


def _drawn(page, figure_id: str) -> None:
    figure = page.locator(f"#{figure_id}")
    expect(figure.locator(".echart svg").first).to_be_attached()
    expect(figure.locator(".echart")).to_have_attribute("data-drawn", "true")


def _row(page, figure_id: str, label: str):
    return (
        page.locator(f"#{figure_id} .chart-numbers tbody tr")
        .filter(has=page.locator("th", has_text=label))
        .locator("td")
    )


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_editions_charts_are_drawn_with_the_database_numbers(page, app, language):
    last, this = _editions()
    user = create_staff(Role.admin, locale=language)
    sign_in_page(page, user.email)
    page.select_option("#show-picker", str(this.id))  # submits the choice
    expect(page.locator(".flash-success")).to_be_visible()
    page.goto("/editions")
    _drawn(page, "chart-trend-exhibitors-signed")
    names = ("HW 2025", "HW 2026") if language == "en" else ("五金展2025", "五金展2026")
    expect(_row(page, "chart-trend-exhibitors-signed", names[0])).to_have_text(["2"])
    expect(_row(page, "chart-trend-exhibitors-signed", names[1])).to_have_text(["3"])
    expect(_row(page, "chart-trend-visitors-registered", names[1])).to_have_text(["5"])
    expect(_row(page, "chart-trend-area-sold", names[1])).to_have_text(["63"])
    # a figure nobody answered yet says so instead of drawing an empty frame
    expect(page.locator("#chart-trend-nps .no-data")).to_have_text(
        "No data yet." if language == "en" else "暂无数据。"
    )
    page.goto("/dashboard")
    expect(
        page.locator("#panel-comparison tr[data-measure=exhibitors_signed] td").first
    ).to_have_text("3")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_sales_dashboard_draws_the_area_by_hall(page, app, language):
    show = create_show(code="HALLS", name_en="Hall Fair")
    create_contract(create_company(), show, area="36", price="1000", signed=True)
    user = create_staff(Role.sales, locale=language)
    sign_in_page(page, user.email)
    page.select_option("#show-picker", str(show.id))  # submits the choice
    expect(page.locator(".flash-success")).to_be_visible()
    page.goto("/dashboard")
    _drawn(page, "chart-area-by-hall")
    sold = "Sold" if language == "en" else "已售"
    header = page.locator("#chart-area-by-hall .chart-numbers thead th")
    expect(header).to_contain_text([sold])
    expect(_row(page, "chart-area-by-hall", "W1").first).to_have_text("36")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_life_cycle_funnel_and_flow_are_drawn_with_their_numbers(page, app, language):
    from tests.relationships.test_editions import _editions as lifecycle_editions
    from tests.relationships.test_editions import _three_customers

    _first, second = lifecycle_editions()
    _three_customers()
    user = create_staff(Role.sales, locale=language)
    sign_in_page(page, user.email)
    page.select_option("#show-picker", str(second.id))  # submits the choice
    expect(page.locator(".flash-success")).to_be_visible()
    page.goto("/relationships/")
    _drawn(page, "chart-lifecycle-funnel")
    _drawn(page, "chart-lifecycle-flow")
    trust, weakening = ("Trust", "Weakening") if language == "en" else ("信任", "弱化")
    before, after = (
        ("Hardware 2025", "Hardware 2026") if language == "en" else ("五金展2025", "五金展2026")
    )
    expect(_row(page, "chart-lifecycle-funnel", trust)).to_have_text(["1"])
    expect(_row(page, "chart-lifecycle-funnel", weakening)).to_have_text(["1"])
    flow = page.locator("#chart-lifecycle-flow .chart-numbers tbody tr")
    expect(flow).to_have_count(2)
    expect(flow.nth(1).locator("td")).to_have_text(
        [f"{trust} · {before}", f"{weakening} · {after}", "1"]
    )
