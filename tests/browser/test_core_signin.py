"""In real Chromium: sign in, switch language, see the dashboard."""

from expo_crm.auth.permissions import Role
from tests.factories import create_show, create_staff
from tests.helpers import sign_in_page


def test_staff_sign_in_switch_language_and_see_the_dashboard(page, app):
    user = create_staff(Role.admin, name="Wang Haiyan", locale=None)
    create_show(name_en="Hardware Fair 2027", name_zh="2027五金博览会")
    sign_in_page(page, user.email)
    assert page.locator("h1").inner_text() == "Welcome, Wang Haiyan"
    assert page.locator("#panel-shows").inner_text().count("Hardware Fair 2027") == 1
    page.click("button[name=lang][value=zh]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "欢迎,Wang Haiyan"
    assert "2027五金博览会" in page.locator("#panel-shows").inner_text()
    page.reload()
    assert page.locator("h1").inner_text() == "欢迎,Wang Haiyan"


def test_a_wrong_password_shows_the_message_in_the_page(page, app):
    user = create_staff(Role.sales)
    page.goto("/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert page.get_by_role("alert").inner_text() == "Wrong email or password."
