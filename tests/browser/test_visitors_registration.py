"""In real Chromium: a visitor switches the public registration form to Chinese, registers and
reads the Chinese confirmation; the registration, its consents and its badge are stored."""

import sqlalchemy as sa
from playwright.sync_api import expect

from expo_crm.db import db
from expo_crm.mail.models import OutboxMessage
from expo_crm.visitors import services
from expo_crm.visitors.models import Registration, RegistrationCategory, Visitor
from tests.factories import create_show


def test_a_visitor_registers_in_chinese_and_sees_the_chinese_confirmation(page, app):
    services.ensure_default_rules()
    show = create_show(name_zh="2027中国五金博览会", name_en="China Hardware Fair 2027")

    page.goto(f"/visit/{show.id}/register")
    expect(page.locator("h1")).to_have_text("Visitor registration")
    page.click("button[name=lang][value=zh]")
    expect(page.locator("h1")).to_have_text("观众登记")
    expect(page.locator("#registration-form button[type=submit]")).to_have_text("登记并获取胸卡")

    page.fill("input[name=name]", "王芳")
    page.fill("input[name=email]", "Wang.Fang@Example.cn")
    page.fill("input[name=mobile]", "+86 139 0000 1234")
    page.fill("input[name=company]", "宁波甬达门业有限公司")
    page.fill("input[name=job_title]", "采购总监")
    page.select_option("select[name=country]", "CN")
    page.select_option("select[name=locale]", "zh")
    page.select_option("select[name=industry]", "hardware")
    page.select_option("select[name=job_function]", "purchasing")
    page.select_option("select[name=purchasing_authority]", "decides")
    page.check("input[name=product_interests][value=locks]")
    page.select_option("select[name=how_heard]", "website")
    page.check("input[name=terms]")
    page.check("input[name=share_contact]")
    page.click("#registration-form button[type=submit]")

    done = page.locator("#registration-done")
    expect(done.locator("h1")).to_have_text("谢谢！")
    expect(done).to_contain_text("我们已将您的胸卡发送至 wang.fang@example.cn")
    expect(done).to_contain_text("2027中国五金博览会")

    db.session.rollback()
    visitor = db.session.scalar(sa.select(Visitor).where(Visitor.email == "wang.fang@example.cn"))
    assert (visitor.name, visitor.company, visitor.locale, visitor.interests) == (
        "王芳",
        "宁波甬达门业有限公司",
        "zh",
        ["locks"],
    )
    [registration] = db.session.scalars(
        sa.select(Registration).where(Registration.visitor_id == visitor.id)
    )
    assert registration.show_id == show.id
    assert registration.category is RegistrationCategory.professional
    assert registration.share_contact and not registration.marketing_consent
    assert registration.active_badge is not None
    [email] = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == "wang.fang@example.cn")
    )
    assert email.language == "zh"


def test_a_missing_consent_is_shown_in_chinese_and_nothing_is_stored(page, app):
    show = create_show()
    page.goto(f"/visit/{show.id}/register?lang=zh")
    page.fill("input[name=name]", "李雷")
    page.fill("input[name=email]", "li.lei@example.cn")
    page.click("#registration-form button[type=submit]")
    expect(page.locator("#registration-form")).to_contain_text("请接受登记条款")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
