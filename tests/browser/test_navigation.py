"""Issue 20, item 1, in real Chromium: the menu by role, grouped by the work, in both
languages; on a phone it folds away above the page; the show is picked once in the top bar."""

import re

import pytest
from playwright.sync_api import expect

from expo_crm.auth.permissions import Role
from tests.factories import create_show, create_staff
from tests.helpers import sign_in_page

pytestmark = pytest.mark.browser


def test_sales_sees_its_groups_in_both_languages_and_not_the_gate(page, app):
    user = create_staff(Role.sales, locale="en")
    create_show(code="HW27", name_en="Hardware Fair 2027", name_zh="2027五金博览会")
    sign_in_page(page, user.email)
    sidebar = page.locator("nav.sidebar")
    expect(sidebar.locator("[data-group=sales] .navgroup")).to_have_text("Sales")
    expect(sidebar.locator("[data-group=sales] a")).to_have_text(
        [
            "Exhibitors",
            "Applications",
            "Booths",
            "Exhibitor returns",
            "Rebooking",
            "Invoices",
            "Fapiao requests",
            "Product categories",
        ]
    )
    expect(sidebar.locator("a[href='/visitors/gate']")).to_have_count(0)
    expect(sidebar.locator("[data-group=admin]")).to_have_count(0)
    page.click("button[name=lang][value=zh]")
    page.wait_for_load_state()
    expect(sidebar.locator("[data-group=sales] .navgroup")).to_have_text("销售")
    expect(sidebar.locator("[data-group=relationships] .navgroup")).to_have_text("客户关系")
    sidebar.locator("a[href='/exhibitors/booths']").click()
    expect(sidebar.locator("a.active")).to_have_attribute("aria-current", "page")


def test_the_show_picked_in_the_top_bar_is_the_one_every_page_opens(page, app):
    user = create_staff(Role.admin, locale="en")
    create_show(code="NOW27", name_en="Current Fair")
    older = create_show(code="OLD25", name_en="Older Fair")
    sign_in_page(page, user.email)
    page.select_option("#show-picker", str(older.id))  # submits on change
    expect(page.get_by_role("status")).to_have_text("You are working on Older Fair.")
    page.locator("nav.sidebar a[href='/visitors/attendance']").click()
    expect(page).to_have_url(re.compile(rf"/visitors/attendance/{older.id}$"))
    expect(page.locator("#show-picker")).to_have_value(str(older.id))


def test_on_a_phone_the_menu_is_folded_and_the_page_starts_at_once(browser, live_server, app):
    user = create_staff(Role.gate, locale="en")
    context = browser.new_context(
        base_url=live_server, locale="en-US", viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        sign_in_page(page, user.email)
        summary = page.locator("nav.sidebar summary")
        expect(summary).to_be_visible()
        expect(page.locator("nav.sidebar a[href='/visitors/gate']")).to_be_hidden()
        heading = page.locator("main h1").bounding_box()
        assert heading is not None and heading["y"] + heading["height"] <= 844
        summary.click()
        expect(page.locator("nav.sidebar a[href='/visitors/gate']")).to_be_visible()
        page.reload()
        page.keyboard.press("Tab")  # the first stop is the skip link
        expect(page.locator(".skip-link")).to_be_focused()
    finally:
        context.close()
