"""Partners: directory, agreements and overdue deliverables, referral codes and the contribution report, sponsorship."""

import subprocess
from datetime import timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import load_workbook

from expo_crm import clock
from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.mail.models import OutboxMessage
from expo_crm.partners import jobs, services
from expo_crm.partners.models import DeliverableState, SponsorshipPackage
from expo_crm.tasks.models import Task, TaskKind
from expo_crm.visitors import services as visitors
from tests.factories import (
    create_agreement,
    create_deliverable,
    create_package,
    create_partner,
    create_referral_code,
    create_show,
    create_staff,
)
from tests.helpers import login, post_form, text_of


def _register(show, email, code, category="professional"):
    outcome = visitors.register(
        show,
        email=email,
        details={"name": email.split("@")[0], "company": "Buyer Co"},
        terms_accepted=True,
        referral_code=code,
        category=category,
        send_email=False,
        check_open=False,
    )
    db.session.commit()
    return outcome.registration


def test_referral_code_for_finds_only_an_active_code_of_that_show(app):
    show, other = create_show(), create_show()
    partner = create_partner()
    code = create_referral_code(partner, show, code="ASSOC-2026")
    assert services.referral_code_for("assoc-2026", show.id).id == code.id
    assert services.referral_code_for("ASSOC-2026", other.id) is None
    assert services.referral_code_for("NOPE", show.id) is None
    assert services.referral_code_for("", show.id) is None
    services.set_code_active(code, False)
    db.session.commit()
    assert services.referral_code_for("ASSOC-2026", show.id) is None


def test_a_taken_code_is_refused(app):
    show = create_show()
    create_referral_code(create_partner(), show, code="MEDIA1")
    with pytest.raises(services.PartnerError, match="已被占用"):
        services.create_referral_code(create_partner(), show, code="media1")


def test_contribution_counts_registrations_professionals_and_checkins(app):
    show = create_show()
    partner = create_partner(name_en="Hardware Association")
    create_referral_code(partner, show, code="HWA")
    first = _register(show, "a@example.com", "HWA")
    _register(show, "b@example.com", "HWA", category="general")
    _register(show, "c@example.com", "UNKNOWN-CODE")
    _register(show, "d@example.com", None)
    first.first_checked_in_at = clock.now()
    db.session.commit()
    report = services.contribution(partner, show)
    assert (report.registrations, report.professional, report.checked_in) == (2, 1, 1)
    assert report.professional_share == 0.5 and report.checkin_rate == 0.5


def test_report_page_pdf_and_email(app, client):
    show = create_show(name_en="Hardware Fair 2027")
    partner = create_partner(
        name_en="Tools Weekly", email="editor@toolsweekly.example", locale="en"
    )
    create_referral_code(partner, show, code="TW27")
    _register(show, "v1@example.com", "TW27")
    login(client, create_staff(Role.marketing).email)
    page = text_of(client.get(f"/partners/{partner.id}/report/{show.id}"))
    assert "TW27" in page and "100.0 %" in page
    pdf = client.get(f"/partners/{partner.id}/report/{show.id}.pdf?lang=en")
    assert pdf.mimetype == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True
    ).stdout.decode()
    assert "Tools Weekly" in text and "TW27" in text and "Hardware Fair 2027" in text
    response = post_form(
        client,
        f"/partners/{partner.id}/report/{show.id}/send",
        {"to": "editor@toolsweekly.example"},
        page=f"/partners/{partner.id}/report/{show.id}",
        follow_redirects=True,
    )
    assert "queued" in text_of(response)
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.to_address == "editor@toolsweekly.example" and message.partner_id == partner.id
    assert "Hardware Fair 2027" in message.subject
    assert message.attachments[0].content.startswith(b"%PDF") and message.attachments[
        0
    ].filename.endswith(".pdf")


def test_overdue_deliverable_raises_one_task_for_the_owner(app):
    owner = create_staff(Role.marketing)
    show = create_show()
    partner = create_partner(owner=owner, name_en="Metal Media")
    agreement = create_agreement(partner, show)
    late = create_deliverable(agreement, clock.now().date() - timedelta(days=1), kind="advertising")
    create_deliverable(agreement, clock.now().date() + timedelta(days=5))
    done = create_deliverable(agreement, clock.now().date() - timedelta(days=3))
    services.set_deliverable_state(done, DeliverableState.done)
    db.session.commit()
    assert jobs.overdue_deliverable_alerts(clock.now()) == 1
    assert jobs.overdue_deliverable_alerts(clock.now()) == 0
    task = db.session.scalar(sa.select(Task))
    assert (
        task.kind is TaskKind.deliverable
        and task.owner_id == owner.id
        and task.partner_id == partner.id
    )
    # Stored as an event; each reader gets the title in their own language.
    with force_locale("en"):
        assert "Metal Media" in task.heading and "Advertising" in task.heading
    with force_locale("zh"):
        assert "广告" in task.heading and "Advertising" not in task.heading
    assert task.source_key == f"partner-deliverable:{late.id}"


def test_selling_beyond_the_total_is_refused_and_the_check_holds(app):
    show = create_show()
    package = create_package(show, total=1)
    services.sell_package(package, create_partner())
    db.session.commit()
    with pytest.raises(services.PartnerError, match="已全部售出"):
        services.sell_package(package, create_partner())
    db.session.rollback()
    assert db.session.get(SponsorshipPackage, package.id).sold == 1
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(SponsorshipPackage).values(sold=2))
        db.session.flush()
    db.session.rollback()


def test_staff_add_a_partner_agreement_deliverable_and_code(app, client):
    show = create_show()
    login(client, create_staff(Role.marketing).email)
    response = post_form(
        client,
        "/partners/new",
        {
            "name_zh": "五金协会",
            "name_en": "Hardware Association",
            "kind": "association",
            "locale": "zh",
            "owner_id": "0",
            "active": "y",
        },
        follow_redirects=True,
    )
    assert "Partner Hardware Association added." in text_of(response)
    partner = db.session.scalar(sa.select(services.Partner))
    detail = f"/partners/{partner.id}"
    post_form(
        client,
        f"{detail}/agreements",
        {"show_id": show.id, "title": "Member mailing", "state": "active"},
        page=detail,
    )
    agreement = services.agreements_of(partner.id)[0]
    response = post_form(
        client,
        f"{detail}/agreements/{agreement.id}/deliverables",
        {"kind": "member_mailing", "due_date": ""},
        page=detail,
        follow_redirects=True,
    )
    assert "due date" in text_of(response)
    post_form(
        client,
        f"{detail}/agreements/{agreement.id}/deliverables",
        {"kind": "member_mailing", "due_date": "2030-01-10", "description": "Newsletter"},
        page=detail,
    )
    response = post_form(
        client,
        f"{detail}/codes",
        {"show_id": show.id, "code": "hwa-mail"},
        page=detail,
        follow_redirects=True,
    )
    page = text_of(response)
    assert "Referral code HWA-MAIL created." in page and "Newsletter" in page
    assert f"/visit/{show.id}/register?ref=HWA-MAIL" in page
    export = client.get("/partners/?q=hardware&export=xlsx")
    assert load_workbook(BytesIO(export.data)).active["B2"].value == "Hardware Association"
    assert "Hardware Association" not in text_of(client.get("/partners/?kind=media"))


def test_sponsorship_page_sells_until_sold_out(app, client):
    show = create_show()
    package = create_package(show, level_en="Platinum", total=1)
    partner, other = create_partner(name_en="Sponsor A"), create_partner(name_en="Sponsor B")
    login(client, create_staff(Role.marketing).email)
    response = post_form(
        client,
        f"/partners/sponsorship/{package.id}/sell",
        {"partner_id": partner.id},
        page="/partners/sponsorship",
        follow_redirects=True,
    )
    assert "Platinum sold to Sponsor A." in text_of(response) and "1 of 1" in text_of(response)
    response = post_form(
        client,
        f"/partners/sponsorship/{package.id}/sell",
        {"partner_id": other.id},
        page=f"/partners/{partner.id}",
        follow_redirects=True,
    )
    assert "All 1 of this package are sold." in text_of(response)


def test_missing_ids_are_404(app, client):
    login(client, create_staff(Role.marketing).email)
    show = create_show()
    for url in (
        "/partners/999",
        "/partners/999/edit",
        f"/partners/999/report/{show.id}",
        "/partners/999/report/1.pdf",
    ):
        assert client.get(url).status_code == 404, url
