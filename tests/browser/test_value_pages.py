"""In real Chromium, in English and in Chinese: the value matrix draws its scatter chart from the
JSON endpoint beside the list of its classes, and a customer's page explains its value."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from expo_crm.relationships.services import evaluate_all, evaluate_values
from tests.factories import create_lc_company, create_participation, create_show, create_staff
from tests.helpers import sign_in_page

EVALUATED = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "heading", "value_class"),
    [("en", "Value matrix", "Value customers"), ("zh", "价值矩阵", "价值客户")],
)
def test_value_matrix_and_value_panel(page, app, locale, heading, value_class):
    staff = create_staff("marketing", locale=locale)
    shows = [create_show(open_from=date(2024 + n, 3, 1), series="VB") for n in range(2)]
    star = create_lc_company("Star Tools")
    for show in shows:
        create_participation(star, show, amount="100000")
    create_lc_company("Prospect Works")
    evaluate_all(EVALUATED)
    evaluate_values(EVALUATED)

    sign_in_page(page, staff.email)
    page.goto("/relationships/value/matrix")
    expect(page.locator("h1")).to_have_text(heading)
    chart = page.locator("#value-chart")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(chart).to_have_attribute("data-points", "2")
    expect(page.locator("#matrix-customers")).to_contain_text("Star Tools")
    expect(page.locator("#matrix-classes")).to_contain_text(value_class)

    page.locator("#matrix-customers a", has_text="Star Tools").click()
    expect(page.locator("#value-class")).to_have_text(value_class)
    expect(page.locator("#value-reasons li")).to_have_count(5)


@pytest.mark.parametrize(
    ("locale", "heading", "follower"),
    [("en", "Loyalty measures", "Follower"), ("zh", "忠诚度指标", "跟随者")],
)
def test_loyalty_page_and_loyalty_panel(page, app, locale, heading, follower):
    staff = create_staff("marketing", locale=locale)
    shows = [create_show(open_from=date(2024 + n, 3, 1), series="LB") for n in range(2)]
    repeat = create_lc_company("Repeat Tools")
    for show in shows:
        create_participation(repeat, show, amount="100000")
    evaluate_all(EVALUATED)
    evaluate_values(EVALUATED)

    sign_in_page(page, staff.email)
    page.goto("/relationships/loyalty")
    expect(page.locator("h1")).to_have_text(heading)
    # The stored figures per edition: the chart drawn, its numbers beside it and in the table.
    retention = page.locator("#chart-retention")
    expect(retention.locator(".echart")).to_have_attribute("data-drawn", "true")
    expect(retention.locator(".echart svg, .echart canvas").first).to_be_attached()
    expect(retention.locator(".chart-numbers tbody tr td").first).to_have_text("100.0")
    expect(page.locator("#loyalty tbody tr").nth(1)).to_contain_text("100.0%")
    expect(page.locator("#editions-computed")).to_be_visible()
    expect(page.locator("#measures .followers")).to_have_text("1")
    expect(page.locator("#definitions li")).to_have_count(12)
    page.goto(f"/relationships/exhibitor/{repeat.id}/stage")
    expect(page.locator("#loyalty-kind")).to_contain_text(follower)
