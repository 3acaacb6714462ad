"""Public registration: the form, consents, referral codes, classification, re-sends, refusals,
the e-badge (QR read by zbarimg from the emailed PNG and from the PDF) and self-service."""

from __future__ import annotations

import subprocess
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.mail.models import OutboxMessage
from expo_crm.visitors import services
from expo_crm.visitors.models import (
    Badge,
    ClassificationRule,
    Registration,
    RegistrationCategory,
    RegistrationState,
    RuleField,
    Visitor,
)
from tests.factories import create_gate_token, create_open_show, create_registration, create_show
from tests.helpers import csrf_from, post_form, text_of

FORM = {
    "name": "张伟",
    "email": "Zhang.Wei@Example.cn",
    "mobile": "+86 138 1234 5678",
    "company": "上海五金贸易",
    "job_title": "采购经理",
    "country": "CN",
    "locale": "zh",
    "industry": "hardware",
    "job_function": "purchasing",
    "purchasing_authority": "decides",
    "product_interests": ["hand_tools", "locks"],
    "how_heard": "website",
    "terms": "y",
    "share_contact": "y",
}


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def outbox() -> list[OutboxMessage]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def show(app):
    services.ensure_default_rules()
    db.session.commit()
    return create_show()


def test_a_visitor_registers_and_gets_a_classified_registration_and_an_ebadge(client, show):
    response = post_form(client, f"/visit/{show.id}/register", FORM)
    assert response.status_code == 302
    registration = db.session.scalars(sa.select(Registration)).one()
    visitor = registration.visitor
    assert visitor.email == "zhang.wei@example.cn"
    assert (visitor.name, visitor.company, visitor.mobile, visitor.country) == (
        "张伟",
        "上海五金贸易",
        "+86 138 1234 5678",
        "CN",
    )
    assert (
        visitor.interests == ["hand_tools", "locks"]
        and visitor.purchasing_authority.value == "decides"
    )
    assert registration.category is RegistrationCategory.professional
    assert registration.share_contact and not registration.marketing_consent
    assert registration.terms_accepted_at is not None
    [message] = outbox()
    assert message.to_address == "zhang.wei@example.cn" and message.language == "zh"
    assert show.name_zh in message.subject
    kinds = {a.content_type: a for a in message.attachments}
    assert (
        kinds["image/png"].content_id == "badge-qr"
        and kinds["application/pdf"].content[:4] == b"%PDF"
    )
    assert "cid:badge-qr" in message.body_html
    assert "/visit/manage/" in message.body_text
    assert "zhang.wei@example.cn" in text_of(client.get(response.headers["Location"]))


def test_a_visitor_without_purchasing_role_is_a_general_visitor(client, show):
    post_form(
        client,
        f"/visit/{show.id}/register",
        FORM | {"purchasing_authority": "none", "job_function": "student"},
    )
    assert (
        db.session.scalars(sa.select(Registration)).one().category is RegistrationCategory.general
    )


def test_staff_rules_decide_the_category(client, show):
    db.session.execute(sa.delete(ClassificationRule))
    services.add_rule(RuleField.industry, "retail", RegistrationCategory.professional)
    db.session.commit()
    post_form(
        client,
        f"/visit/{show.id}/register",
        FORM | {"industry": "retail", "purchasing_authority": "none"},
    )
    assert (
        db.session.scalars(sa.select(Registration)).one().category
        is RegistrationCategory.professional
    )


def test_registering_twice_with_the_same_email_resends_the_badge_and_creates_nothing(client, show):
    clock.freeze(clock.now())
    post_form(client, f"/visit/{show.id}/register", FORM)
    response = post_form(
        client,
        f"/visit/{show.id}/register",
        FORM | {"name": "Someone Else", "email": "ZHANG.WEI@example.cn"},
    )
    assert response.status_code == 302
    assert count(Registration) == 1 and count(Visitor) == 1 and count(Badge) == 1
    assert db.session.scalars(sa.select(Visitor)).one().name == "张伟"
    # Within the hour the badge just sent is not sent again; an hour later it is.
    assert len(outbox()) == 1
    clock.travel(timedelta(hours=1))
    post_form(client, f"/visit/{show.id}/register", FORM)
    assert len(outbox()) == 2


def test_eight_simultaneous_duplicate_registrations_queue_one_badge_email(app, show):
    clients = [app.test_client() for _ in range(8)]
    url = f"/visit/{show.id}/register"
    tokens = [csrf_from(text_of(c.get(url))) for c in clients]
    start = threading.Barrier(len(clients))

    def submit(client, token):
        start.wait(30)
        return client.post(url, data={"csrf_token": token, **FORM}).status_code

    with ThreadPoolExecutor(len(clients)) as pool:
        statuses = list(pool.map(submit, clients, tokens))
    assert statuses == [302] * len(clients)
    assert count(Registration) == 1 and count(Badge) == 1
    assert [m.template for m in outbox()] == ["visitors/badge"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": "not-an-email"}, "Please enter a valid email address."),
        ({"mobile": "call me"}, "Please enter a valid mobile number."),
        ({"terms": ""}, "Please accept the terms of registration."),
        ({"name": ""}, "Please enter your name."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(
    client, show, change, message
):
    data = {k: v for k, v in (FORM | {"locale": "en"} | change).items() if v != ""}
    client.get(f"/visit/{show.id}/register?lang=en")
    response = post_form(client, f"/visit/{show.id}/register", data)
    assert response.status_code == 200
    assert message in text_of(response)
    assert count(Visitor) == 0 and count(Registration) == 0 and outbox() == []


def test_the_form_speaks_chinese_and_english(client, show):
    assert "观众登记" in text_of(client.get(f"/visit/{show.id}/register?lang=zh"))
    assert "Visitor registration" in text_of(client.get(f"/visit/{show.id}/register?lang=en"))
    response = post_form(client, f"/visit/{show.id}/register?lang=zh", FORM | {"email": "bad"})
    assert "请输入有效的电子邮箱地址。" in text_of(response)


def test_registration_after_the_show_closed_is_refused(client):
    today = clock.now().date()
    show = create_show(open_from=today - timedelta(days=10))
    page = text_of(client.get(f"/visit/{show.id}/register?lang=en"))
    assert "This show has closed; registration is no longer possible." in page
    response = post_form(
        client, f"/visit/{show.id}/register", FORM, page=f"/visitors/../visit/{show.id}/registered"
    )
    assert response.status_code == 409
    assert count(Registration) == 0


def test_registration_is_refused_when_closed_by_staff(client):
    show = create_show(registration_open=False)
    assert "Registration for this show is closed." in text_of(
        client.get(f"/visit/{show.id}/register?lang=en")
    )


def test_an_unknown_show_is_404(client):
    assert client.get("/visit/999/register").status_code == 404


def test_a_referral_code_attributes_the_registration_and_an_unknown_one_is_ignored(client, show):
    from expo_crm.partners.models import Partner, ReferralCode

    partner = Partner(name_zh="五金协会", name_en="Hardware Association")
    db.session.add(partner)
    db.session.flush()
    code = ReferralCode(partner_id=partner.id, show_id=show.id, code="HWA2027")
    db.session.add(code)
    db.session.commit()
    post_form(
        client, f"/visit/{show.id}/register?ref=hwa2027", FORM, page=f"/visit/{show.id}/register"
    )
    response = post_form(
        client,
        f"/visit/{show.id}/register?ref=NOPE",
        FORM | {"email": "b@example.com"},
        page=f"/visit/{show.id}/register",
    )
    assert response.status_code == 302
    db.session.rollback()
    refs = dict(
        db.session.execute(
            sa.select(Visitor.email, Registration.referral_code_id).join(
                Registration, Registration.visitor_id == Visitor.id
            )
        ).all()
    )
    assert refs == {"zhang.wei@example.cn": code.id, "b@example.com": None}


def _zbar(png_path) -> str:
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(png_path)], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_the_emailed_qr_and_the_badge_pdf_decode_with_zbar_and_check_in(
    app, client, smtp_server, tmp_path
):
    from expo_crm.mail.jobs import send_outbox

    show = create_open_show()
    token = create_gate_token(show)
    post_form(client, f"/visit/{show.id}/register", FORM)
    assert send_outbox(clock.now()) == 1
    [received] = smtp_server.to("zhang.wei@example.cn")
    parts = {part.get_content_type(): part for part in received.walk()}
    png = tmp_path / "qr.png"
    png.write_bytes(parts["image/png"].get_content())
    code = _zbar(png)
    assert code.startswith("EC1.") and "zhang" not in code.lower()
    pdf = tmp_path / "badge.pdf"
    pdf.write_bytes(parts["application/pdf"].get_content())
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "张伟" in text and "上海五金贸易" in text
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    assert _zbar(tmp_path / "page.png") == code
    response = client.post(
        "/api/v1/checkins",
        json={"code": code, "gate": "W1", "nonce": str(uuid.uuid4())},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert (response.status_code, response.json["name"]) == (201, "张伟")


def test_the_self_service_link_shows_the_badge_updates_details_resends_and_cancels(client, show):
    registration, code = create_registration(show, name="Li Na", locale="en")
    link = f"/visit/manage/{services.manage_token(registration)}"
    page = text_of(client.get(link))
    assert "Li Na" in page and "data:image/png;base64," in page
    response = post_form(
        client,
        link,
        {
            "name": "Li Na",
            "company": "New Co",
            "country": "SG",
            "locale": "en",
            "mobile": "+65 8123 4567",
        },
    )
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Visitor, registration.visitor_id).company == "New Co"
    post_form(client, f"{link}/resend", {}, page=link)
    assert len(outbox()) == 1
    post_form(client, f"{link}/cancel", {}, page=link)
    db.session.rollback()
    registration = db.session.get(Registration, registration.id)
    assert registration.state is RegistrationState.cancelled
    assert all(b.revoked_at is not None for b in registration.badges)
    assert services.badge_for_code(code).revoked_at is not None
    assert "This registration is cancelled" in text_of(client.get(link))


def test_a_forged_or_tampered_self_service_link_is_404(client, show):
    registration, _code = create_registration(show)
    token = services.manage_token(registration)
    assert client.get(f"/visit/manage/{token[:-2]}xx").status_code == 404
    assert client.get("/visit/manage/1").status_code == 404


def test_badge_pdf_renders_the_chinese_name(app, show, tmp_path):
    registration, _ = create_registration(show, name="欧阳娜娜", company="深圳智能锁业")
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(services.badge_pdf([registration]))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "欧阳娜娜" in text and "深圳智能锁业" in text


def test_exhibitor_staff_get_a_badge_through_the_contract_function(app, show):
    first = services.register_exhibitor_staff(show.id, None, "周杰", "zhou@booth.cn")
    again = services.register_exhibitor_staff(show.id, None, "周杰", "zhou@booth.cn")
    db.session.commit()
    assert first.id == again.id and first.category is RegistrationCategory.exhibitor_staff
    code = services.badge_code(first.active_badge)
    assert services.badge_for_code(code).registration_id == first.id
    assert services.badge_for_code(code[:-1]) is None


def test_badge_codes_are_stored_hashed_and_sealed_not_in_clear(app, show):
    registration, code = create_registration(show)
    badge = registration.active_badge
    assert code not in (badge.code_hash, badge.code_sealed)
    assert len(code) >= 4 + 22  # 'EC1.' and at least 128 random bits


def test_the_consent_box_links_to_the_terms_in_both_languages(client):
    show = create_open_show(name_en="Hardware Fair 2027")
    page = client.get(f"/visit/{show.id}/register?lang=en").get_data(as_text=True)
    link = f'href="/visit/{show.id}/terms"'
    assert link in page
    # The link sits with the consent box it explains.
    assert page.index("I accept the terms of registration") < page.index(link)
    english = text_of(client.get(f"/visit/{show.id}/terms?lang=en"))
    assert "Terms of registration and privacy notice" in english
    assert "Exhibitors receive your contact details only if you allow it" in english
    chinese = client.get(f"/visit/{show.id}/terms?lang=zh")
    assert chinese.status_code == 200
    assert "登记条款和隐私声明" in text_of(chinese) and "隐私声明" in text_of(chinese)
    assert "阅读登记条款和隐私声明" in text_of(client.get(f"/visit/{show.id}/register"))
    assert client.get("/visit/999999/terms").status_code == 404
