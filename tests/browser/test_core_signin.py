"""In real Chromium: sign in, switch language, see the dashboard."""

from playwright.sync_api import expect

from expo_crm.auth.permissions import Role
from tests.factories import create_show, create_staff
from tests.helpers import sign_in_page


def test_staff_sign_in_switch_language_and_see_the_dashboard(page, app):
    user = create_staff(Role.admin, name="Wang Haiyan", locale=None)
    create_show(name_en="Hardware Fair 2027", name_zh="2027五金博览会")
    sign_in_page(page, user.email)
    expect(page.locator("h1")).to_have_text("Welcome, Wang Haiyan", use_inner_text=True)
    assert page.locator("#panel-shows").inner_text().count("Hardware Fair 2027") == 1
    page.click("button[name=lang][value=zh]")
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("欢迎，Wang Haiyan", use_inner_text=True)
    expect(page.locator("#panel-shows")).to_contain_text("2027五金博览会", use_inner_text=True)
    page.reload()
    expect(page.locator("h1")).to_have_text("欢迎，Wang Haiyan", use_inner_text=True)


def test_a_wrong_password_shows_the_message_in_the_page(page, app):
    user = create_staff(Role.sales)
    page.goto("/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.", use_inner_text=True)


def test_two_browsers_signed_in_to_one_account_keep_their_own_language(browser, live_server, app):
    """Issue 14, item 6: a shared gate login switched to Chinese on one gate stays English on
    the other; the account's saved language is only the default at sign-in."""
    user = create_staff(Role.gate, name="Zhou Min", locale="en")
    contexts = [browser.new_context(base_url=live_server, locale="en-US") for _ in range(2)]
    try:
        first, second = (context.new_page() for context in contexts)
        for tab in (first, second):
            tab.set_default_timeout(30_000)
            sign_in_page(tab, user.email)
        first.click("button[name=lang][value=zh]")
        first.wait_for_load_state()
        expect(first.locator("h1")).to_have_text("欢迎，Zhou Min", use_inner_text=True)
        second.reload()
        expect(second.locator("h1")).to_have_text("Welcome, Zhou Min", use_inner_text=True)
        first.reload()
        expect(first.locator("h1")).to_have_text("欢迎，Zhou Min", use_inner_text=True)
    finally:
        for context in contexts:
            context.close()
