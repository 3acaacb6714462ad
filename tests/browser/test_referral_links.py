"""In real Chromium, in English and in Chinese: a trade visitor finds a referral link on the
self-service page; a colleague who registers through it is attributed to the visitor, and the
page counts the registration."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from expo_crm.db import db
from expo_crm.visitors import services
from expo_crm.visitors.models import Registration, Visitor
from tests.factories import create_registration, create_show


@pytest.mark.parametrize(
    ("locale", "heading", "counted"),
    [
        ("en", "Invite others to Hardware Fair 2027", "Registered through your link: 1, of whom 0"),
        ("zh", "邀请他人参加2027五金博览会", "通过您的链接登记：1 人，其中 0 人到场"),
    ],
)
def test_a_visitor_shares_a_referral_link_and_a_registration_through_it_is_attributed(
    page, app, locale, heading, counted
):
    show = create_show(name_zh="2027五金博览会", name_en="Hardware Fair 2027")
    registration, _code = create_registration(show, name="Ada Referrer")
    referrer_id = registration.visitor_id
    manage = f"/visit/manage/{services.manage_token(registration)}"

    page.goto(f"/visit/{show.id}/register?lang={locale}")
    page.goto(manage)
    panel = page.locator("#referral-link")
    expect(panel.locator("h2")).to_have_text(heading)
    link = page.locator("#referral-url").input_value()
    assert f"/visit/{show.id}/register?ref=" in link

    page.goto(link)
    page.fill("input[name=name]", "Colleague Chen")
    page.fill("input[name=email]", "chen@example.com")
    page.check("input[name=terms]")
    page.click("#registration-form button[type=submit]")
    expect(page.locator("#registration-done")).to_be_visible()

    db.session.rollback()
    colleague = db.session.scalar(sa.select(Visitor).where(Visitor.email == "chen@example.com"))
    brought = db.session.scalar(
        sa.select(Registration).where(Registration.visitor_id == colleague.id)
    )
    assert (brought.referrer_visitor_id, brought.referrer_company_id) == (referrer_id, None)

    page.goto(manage)
    expect(page.locator("#referral-count")).to_contain_text(counted)
