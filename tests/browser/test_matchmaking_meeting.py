"""In real Chromium, in Chinese and in English: a trade visitor requests a meeting with a
recommended exhibitor from its self-service page, the exhibitor accepts it in the portal, and
both see the confirmed meeting."""

import pytest
from playwright.sync_api import expect

from expo_crm.db import db
from expo_crm.matchmaking import recommend
from expo_crm.visitors.services import manage_token
from tests.factories import (
    PASSWORD,
    create_buyer,
    create_category,
    create_exhibitor_offering,
    create_portal_user,
    create_show,
)

TEXTS = {
    "en": {
        "locale": "en-US",
        "sent": "Your meeting request was sent.",
        "confirmed": "Confirmed",
        "requested": "Awaiting answer",
        "reason": "offers 门锁 / door locks, which you seek",
    },
    "zh": {
        "locale": "zh-CN",
        "sent": "您的会面请求已发出。",
        "confirmed": "已确认",
        "requested": "待答复",
        "reason": "门锁 / door locks",
    },
}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_visitor_requests_an_exhibitor_accepts_and_both_see_the_meeting(
    browser, live_server, app, language
):
    texts = TEXTS[language]
    show = create_show()
    door = create_category("LOCK.DOOR", "门锁", "door locks")
    company = create_exhibitor_offering(show, [door], locale=language)
    user = create_portal_user(company)
    user.locale = language
    registration, _ = create_buyer(show, [door], name="陈静 Chen Jing", locale=language)
    recommend.compute_recommendations(show.id)
    db.session.commit()
    token = manage_token(registration)

    visitor = browser.new_context(base_url=live_server, locale=texts["locale"])
    visitor.set_default_timeout(30_000)
    visitor_page = visitor.new_page()
    visitor_page.goto(f"/visit/manage/{token}")
    visitor_page.locator("#self-service-pages a").click()
    suggestion = visitor_page.locator("#recommended .suggestion").first
    expect(suggestion).to_contain_text(company.name_zh if language == "zh" else company.name_en)
    expect(suggestion.locator(".reason")).to_contain_text(texts["reason"])
    suggestion.locator("button").click()
    expect(visitor_page.locator(".flash-success")).to_contain_text(texts["sent"])
    expect(visitor_page.locator("#meetings .meeting")).to_contain_text(texts["requested"])

    exhibitor = browser.new_context(base_url=live_server, locale=texts["locale"])
    exhibitor.set_default_timeout(30_000)
    portal_page = exhibitor.new_page()
    portal_page.goto("/portal/login")
    portal_page.fill("input[name=email]", user.email)
    portal_page.fill("input[name=password]", PASSWORD)
    portal_page.click("button[type=submit]")
    portal_page.wait_for_url("**/portal/")
    portal_page.goto("/portal/meetings")
    row = portal_page.locator("#meetings .meeting").first
    expect(row).to_contain_text("陈静 Chen Jing")
    row.locator("form[action$='/accept'] button").click()
    expect(portal_page.locator("#meetings .meeting").first).to_contain_text(texts["confirmed"])

    visitor_page.reload()
    expect(visitor_page.locator("#meetings .meeting").first).to_contain_text(texts["confirmed"])
    visitor.close()
    exhibitor.close()
