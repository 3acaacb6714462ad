"""The public exhibitor application: refused field by field, a known company found again, the
documents kept, a confirmation in the applicant's language, a portal invitation on approval."""

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from expo_crm import clock, taxids
from expo_crm.db import db
from expo_crm.exhibitors.applications import move_application
from expo_crm.exhibitors.booking_models import ApplicationDocument
from expo_crm.exhibitors.models import Application, ApplicationChannel, Company, PortalInvitation
from expo_crm.exhibitors.online import (
    ApplicationRefused,
    OnlineApplication,
    submit_online_application,
)
from expo_crm.mail.models import OutboxMessage
from expo_crm.relationships.models import Interaction
from tests.factories import create_company, create_show, valid_tax_id
from tests.helpers import csrf_from, text_of


@pytest.fixture(autouse=True)
def _english(app):
    """Refusals raised outside a request speak the default language (Chinese): read English."""
    with force_locale("en"):
        yield


PDF = b"%PDF-1.4\n% a business licence\n"


def test_unified_social_credit_codes_are_checked_by_their_check_character():
    assert taxids.is_valid("91350100M000100Y43")  # a published example
    assert not taxids.is_valid("91350100M000100Y44")
    assert not taxids.is_valid("91350100M000100Y4")
    assert not taxids.is_valid("91350100M00O100Y43")  # no letter O in the alphabet
    code = valid_tax_id(1234)
    assert taxids.is_valid(code) and len(code) == 18


def _data(**values) -> OnlineApplication:
    base = dict(
        name_zh="宁波恒达紧固件有限公司",
        name_en="Ningbo Hengda Fasteners Co., Ltd.",
        tax_id=valid_tax_id(77),
        contact_name="陈静",
        email="chen.jing@hengda.example",
        locale="zh",
        booth_type="shell_scheme",
        requested_area_m2="18",
        product_categories="fasteners, bolts",
        documents=[("business_licence", "licence.pdf", PDF)],
    )
    return OnlineApplication(**(base | values))


def _refusal(show, data, tmp_path) -> dict:
    with pytest.raises(ApplicationRefused) as refused:
        submit_online_application(show, data, instance_path=str(tmp_path))
    db.session.rollback()
    return refused.value.errors


def test_wrong_tax_id_missing_licence_and_closed_show_are_refused_field_by_field(app, tmp_path):
    show = create_show()
    errors = _refusal(show, _data(tax_id="91330784MA2B0L1X0", documents=[]), tmp_path)
    assert "18 characters" in errors["tax_id"]
    assert (
        "Business licence" in errors["business_licence"]
        and "required" in errors["business_licence"]
    )
    errors = _refusal(show, _data(documents=[("business_licence", "l.pdf", b"MZ\x90")]), tmp_path)
    assert errors == {"business_licence": "Upload a PDF, JPG or PNG file."}
    past = create_show(open_from=date.today() - timedelta(days=30))
    errors = _refusal(past, _data(), tmp_path)
    assert "closed for sale" in errors[""]
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Company.id))) == 0


def test_a_known_company_is_found_by_tax_id_or_name_and_not_duplicated(app, tmp_path):
    show, other = create_show(), create_show()
    known = create_company(
        "宁波恒达紧固件有限公司", "Ningbo Hengda Fasteners", product_categories="nuts"
    )
    first = submit_online_application(show, _data(), instance_path=str(tmp_path))
    assert first.company_id == known.id
    assert known.tax_id == valid_tax_id(77)  # learnt from the application
    assert known.product_categories == "nuts, fasteners, bolts"
    # Next time the name is spelt differently; the tax id finds the company.
    again = submit_online_application(
        other, _data(name_zh="恒达紧固件", name_en=""), instance_path=str(tmp_path)
    )
    assert again.company_id == known.id
    assert db.session.scalar(sa.select(sa.func.count(Company.id))) == 1
    db.session.commit()


def test_an_online_application_lands_in_the_queue_confirmed_then_invited_on_approval(
    app, client, tmp_path
):
    show = create_show(name_en="Hardware Fair 2027", name_zh="五金博览会 2027")
    page = client.get(f"/exhibitors/apply/{show.id}?ref=PARTNER-7")
    assert page.status_code == 200
    response = client.post(
        f"/exhibitors/apply/{show.id}?ref=PARTNER-7",
        data={
            "csrf_token": csrf_from(text_of(page)),
            "name_zh": "宁波恒达紧固件有限公司",
            "name_en": "Ningbo Hengda Fasteners Co., Ltd.",
            "country": "CN",
            "tax_id": valid_tax_id(78),
            "contact_name": "Chen Jing",
            "email": "Chen.Jing@hengda.example",
            "locale": "en",
            "booth_type": "raw_space",
            "requested_area_m2": "36",
            "product_categories": "fasteners",
            "business_licence": (io.BytesIO(PDF), "licence.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, text_of(response)[:2000]
    application = db.session.scalar(sa.select(Application))
    assert application.channel is ApplicationChannel.online
    assert application.state.value == "submitted"
    assert application.contact.email == "chen.jing@hengda.example"
    document = db.session.scalar(sa.select(ApplicationDocument))
    assert (document.kind.value, document.filename, document.size) == (
        "business_licence",
        "licence.pdf",
        len(PDF),
    )
    confirmation = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.template == "exhibitors/application_received")
    )
    assert confirmation.language == "en" and "Hardware Fair 2027" in confirmation.subject
    assert db.session.scalar(
        sa.select(Interaction.id).where(Interaction.company_id == application.company_id)
    )

    move_application(application, "approved", "Documents complete", actor=("staff", None, "t"))
    db.session.commit()
    invitation = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.template == "exhibitors/portal_invitation")
    )
    assert invitation.to_address == "chen.jing@hengda.example" and invitation.language == "en"
    assert db.session.scalar(sa.select(sa.func.count(PortalInvitation.id))) == 1


def test_the_public_form_shows_each_refusal_beside_its_field(app, client):
    show = create_show()
    page = client.get(f"/exhibitors/apply/{show.id}", headers={"Accept-Language": "zh"})
    assert "申请参展" in text_of(page) or page.status_code == 200
    response = client.post(
        f"/exhibitors/apply/{show.id}",
        data={
            "csrf_token": csrf_from(text_of(page)),
            "name_en": "Somebody",
            "country": "CN",
            "tax_id": "12345",
            "contact_name": "A",
            "email": "a@b.example",
            "locale": "en",
            "booth_type": "shell_scheme",
            "requested_area_m2": "9",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = text_of(response)
    assert "unified social credit code has 18 characters" in html
    assert "is required" in html
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0


def test_a_show_closed_for_sale_refuses_the_public_form(app, client):
    show = create_show(open_from=clock.now().date() - timedelta(days=20))
    page = client.get(f"/exhibitors/apply/{show.id}")
    assert "closed for sale" in text_of(page)
    assert 'id="application-form"' not in text_of(page)


def test_the_public_form_is_rate_limited_per_address(app, client):
    show = create_show()
    url = f"/exhibitors/apply/{show.id}"
    token = csrf_from(text_of(client.get(url)))
    form = {"csrf_token": token, "name_en": "Flood", "tax_id": "x", "booth_type": "shell_scheme"}
    assert [client.post(url, data=form).status_code for _ in range(10)] == [400] * 10
    limited = client.post(url, data=form)
    assert limited.status_code == 429
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0
