"""Issue 20, items 4 and 5, in real Chromium: the registration confirmation shows the e-badge,
whose QR (read by zbar from the page) the gate admits; the public pages carry the show's look;
at 390 × 844 the gate's answer is on the first screen and the public form fits the width."""

import subprocess
import uuid

import pytest
from playwright.sync_api import expect

from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.shows import branding
from expo_crm.visitors import services
from tests.factories import create_gate_token, create_open_show, create_registration, create_staff
from tests.helpers import sign_in_page

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _fill_registration(page, name: str, email: str) -> None:
    page.fill("input[name=name]", name)
    page.fill("input[name=email]", email)
    page.fill("input[name=mobile]", "+86 139 0000 1234")
    page.fill("input[name=company]", "宁波甬达门业有限公司")
    page.select_option("select[name=country]", "CN")
    page.check("input[name=terms]")
    page.click("#registration-form button[type=submit]")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_confirmation_shows_the_badge_and_the_gate_admits_its_code(
    page, app, tmp_path, language
):
    services.ensure_default_rules()
    show = create_open_show(name_zh="2027中国五金博览会", name_en="China Hardware Fair 2027")
    branding.set_branding(show, colour="#7a1f2b")
    db.session.commit()
    token = create_gate_token(show)
    page.goto(f"/visit/{show.id}/register?lang={language}")
    expect(page.locator("header .show-brand")).to_have_text(
        "2027中国五金博览会" if language == "zh" else "China Hardware Fair 2027"
    )
    assert (
        page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor")
        == "rgb(122, 31, 43)"
    )
    _fill_registration(page, "王芳", f"wang.fang.{language}@example.cn")

    badge = page.locator("#my-badge")
    expect(badge.locator("h2")).to_have_text("您的电子胸卡" if language == "zh" else "Your e-badge")
    shot = tmp_path / "badge.png"
    badge.locator("img.badge-qr").screenshot(path=str(shot))
    code = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(shot)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert code.startswith("EC1.")
    pdf = page.request.get(badge.locator("a[download]").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"

    db.session.commit()
    scan = page.request.post(
        "/api/v1/checkins",
        headers={"Authorization": f"Bearer {token}"},
        data={"code": code, "gate": "E1", "direction": "in", "nonce": str(uuid.uuid4())},
    )
    assert scan.status == 201 and scan.json()["result"] == "admitted"


def test_an_email_registered_before_gets_no_badge_on_the_page(page, app):
    show = create_open_show()
    create_registration(show, name="张伟", email="zhang.wei@example.cn")
    page.goto(f"/visit/{show.id}/register?lang=en")
    _fill_registration(page, "Someone Else", "zhang.wei@example.cn")
    expect(page.locator("#registration-done h1")).to_have_text("Thank you!")
    expect(page.locator("#my-badge")).to_have_count(0)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_at_390_pixels_the_gate_answer_is_on_the_first_screen(browser, live_server, app, language):
    show = create_open_show()
    _registration, code = create_registration(show, name="张伟", category="professional")
    user = create_staff(Role.gate, locale=language)
    context = browser.new_context(base_url=live_server, locale="en-US", viewport=PHONE)
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        sign_in_page(page, user.email)
        page.goto(f"/visitors/gate/{show.id}")
        db.session.commit()
        page.fill("#gate-code", code)
        page.press("#gate-code", "Enter")
        answer = page.locator("#gate-answer")
        expect(answer).to_contain_text("张伟")
        box = answer.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


def test_at_390_pixels_the_public_registration_form_fits_the_width(browser, live_server, app):
    show = create_open_show()
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport=PHONE)
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        page.goto(f"/visit/{show.id}/register?lang=zh")
        expect(page.locator("#registration-form")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        submit = page.locator("#registration-form button[type=submit]").bounding_box()
        assert submit["x"] >= 0 and submit["x"] + submit["width"] <= PHONE["width"]
    finally:
        context.close()


def test_at_390_pixels_the_portal_fits_the_width(browser, live_server, app):
    from tests.factories import create_contract, create_portal_user

    contract = create_contract(signed=True)
    user = create_portal_user(contract.company)
    context = browser.new_context(base_url=live_server, locale="en-US", viewport=PHONE)
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        page.goto("/portal/login")
        page.fill("input[name=email]", user.email)
        page.fill("input[name=password]", "correct-horse-battery")
        page.click("button[type=submit]")
        expect(page.locator("nav.sidebar summary")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
