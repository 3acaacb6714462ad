"""The exhibitor portal: invitation links, sign-in, own records only, checklist, messages, badges, leads."""

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from expo_crm import clock
from expo_crm.db import db
from expo_crm.exhibitors import accounts, participation
from expo_crm.exhibitors.booths import assigned_booths
from expo_crm.exhibitors.models import Lead, PortalUser, StaffBadge, Submission
from expo_crm.mail.models import OutboxMessage
from expo_crm.relationships.models import Channel, Direction, Interaction
from expo_crm.visitors import services as visitors
from expo_crm.visitors.models import Registration
from tests.factories import (
    PASSWORD,
    create_company,
    create_contact,
    create_contract,
    create_portal_user,
    create_show,
    create_staff,
)
from tests.helpers import login, post_form, text_of


def _portal_login(client, user, password=PASSWORD):
    response = post_form(client, "/portal/login", {"email": user.email, "password": password})
    assert response.status_code == 302, text_of(response)[:300]


def _invite_link(client, contact) -> str:
    staff = create_staff("sales")
    login(client, staff.email, PASSWORD)
    page = f"/exhibitors/{contact.company_id}"
    response = post_form(client, f"{page}/contacts/{contact.id}/invite", {}, page=page)
    assert response.status_code == 302
    client.post("/logout", data={})
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == contact.email)
    )
    assert message is not None and message.template == "exhibitors/portal_invitation"
    match = re.search(r"http://localhost(/portal/welcome/\S+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def test_invitation_link_sets_a_password_once(app):
    contact = create_contact(email="li.na@lituo.example", name="李娜")
    staff_client = app.test_client()
    link = _invite_link(staff_client, contact)
    client = app.test_client()
    assert "Set your password" in text_of(client.get(link))
    short = post_form(client, link, {"password": "short", "confirm": "short"})
    assert (
        short.status_code == 200 and db.session.scalar(sa.select(PortalUser.password_hash)) is None
    )
    done = post_form(client, link, {"password": "a-long-password", "confirm": "a-long-password"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/portal/")
    again = app.test_client().get(link)
    assert again.status_code == 410 and "already been used" in text_of(again)
    fresh = app.test_client()
    assert (
        post_form(
            fresh,
            "/portal/login",
            {"email": "li.na@lituo.example", "password": "a-long-password"},
        ).status_code
        == 302
    )


def test_expired_and_forged_invitations_are_refused_plainly(app):
    contact = create_contact(email="old@link.example")
    token = accounts.invite_contact(contact)
    db.session.commit()
    clock.freeze(clock.now() + timedelta(days=8))
    expired = app.test_client().get(f"/portal/welcome/{token}")
    assert expired.status_code == 410 and "expired" in text_of(expired)
    clock.unfreeze()
    forged = app.test_client().get(f"/portal/welcome/{token[:-3]}abc")
    assert forged.status_code == 410 and "not valid" in text_of(forged)
    with pytest.raises(accounts.PortalError):
        accounts.accept_invitation(token + "x", "a-long-password")


def test_portal_home_shows_own_booth_contract_and_checklist(client):
    company = create_company("东莞华美五金有限公司", "Dongguan Huamei Hardware")
    contract = create_contract(company, signed=True)
    user = create_portal_user(company)
    _portal_login(client, user)
    page = text_of(client.get("/portal/"))
    booth = contract.application.company_id and assigned_booths(company.id, contract.show_id)[0]
    assert booth.number in page and contract.number in page
    assert "Catalogue entry" in page and "Fascia name" in page and "Staff badges" in page
    pdf = client.get(f"/portal/contracts/{contract.id}/contract-zh.pdf")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"


def test_another_companys_records_are_404(client):
    mine = create_contract(signed=True)
    theirs = create_contract(signed=True)
    user = create_portal_user(mine.company)
    _portal_login(client, user)
    assert client.get(f"/portal/contracts/{theirs.id}/contract-zh.pdf").status_code == 404
    assert client.get(f"/portal/contracts/{theirs.id}/contract-en.pdf").status_code == 404
    assert client.get(f"/portal/?show={theirs.show_id}").status_code == 404
    assert client.get(f"/portal/leads?show={theirs.show_id}").status_code == 404
    response = post_form(
        client,
        f"/portal/contracts/{theirs.id}/submit",
        {"kind": "fascia_name", "content": "HACK"},
        page="/portal/",
    )
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 0


def test_portal_users_cannot_open_staff_pages_and_staff_cannot_open_the_portal(client):
    user = create_portal_user()
    _portal_login(client, user)
    assert client.get("/exhibitors/").status_code == 403
    assert client.get("/dashboard").status_code == 403
    other = client.application.test_client()
    staff = create_staff("sales")
    login(other, staff.email, PASSWORD)
    assert other.get("/portal/").status_code == 403


def test_wrong_password_is_refused_and_logout_ends_the_session(client):
    user = create_portal_user()
    response = post_form(
        client, "/portal/login", {"email": user.email, "password": "wrong-password"}
    )
    assert response.status_code == 400 and "Wrong email or password" in text_of(response)
    _portal_login(client, user)
    post_form(client, "/portal/logout", {}, page="/portal/")
    assert client.get("/portal/").status_code == 302


def test_exhibitor_submits_catalogue_entry_and_fascia_name(client):
    contract = create_contract(signed=True)
    user = create_portal_user(contract.company)
    _portal_login(client, user)
    post_form(
        client,
        f"/portal/contracts/{contract.id}/submit",
        {"kind": "fascia_name", "content": "HUAMEI 华美"},
        page="/portal/",
    )
    too_long = post_form(
        client,
        f"/portal/contracts/{contract.id}/submit",
        {"kind": "fascia_name", "content": "X" * 61},
        page="/portal/",
        follow_redirects=True,
    )
    assert "at most 60 characters" in text_of(too_long)
    items = {i.kind.value: i for i in participation.checklist(contract)}
    assert items["fascia_name"].done and items["fascia_name"].detail == "HUAMEI 华美"
    assert not items["catalogue_entry"].done


def test_checklist_marks_overdue_items(app):
    show = create_show(open_from=clock.now().date() + timedelta(days=10))
    contract = create_contract(show=show, signed=True)
    items = {i.kind.value: i for i in participation.checklist(contract)}
    assert items["catalogue_entry"].state == "overdue"
    assert items["staff_badges"].state == "open"


def test_messages_are_stored_as_inbound_portal_interactions(client):
    user = create_portal_user()
    _portal_login(client, user)
    post_form(client, "/portal/messages", {"subject": "Power supply", "body": "We need 380V."})
    interaction = db.session.scalar(sa.select(Interaction))
    assert interaction.company_id == user.company_id
    assert interaction.channel is Channel.portal and interaction.direction is Direction.inbound
    assert "380V" in text_of(client.get("/portal/messages"))


def test_staff_badges_within_the_quota(client):
    contract = create_contract(area="18", signed=True)  # 18 m² → 2 badges
    user = create_portal_user(contract.company)
    _portal_login(client, user)
    url = f"/portal/contracts/{contract.id}/staff"
    for n in range(3):
        post_form(
            client,
            url,
            {"name": f"Staff {n}", "email": f"staff{n}@huamei.example", "locale": "en"},
            page="/portal/",
        )
    badges = db.session.scalars(sa.select(StaffBadge)).all()
    assert len(badges) == 2 and all(b.registration_id for b in badges)
    registrations = db.session.scalars(
        sa.select(Registration).where(Registration.company_id == contract.company_id)
    ).all()
    assert len(registrations) == 2


def _visitor_code(show, email, share, mobile=""):
    outcome = visitors.register(
        show,
        email=email,
        details={"name": "赵强 Zhao Qiang", "company": "Buyer GmbH", "mobile": mobile},
        terms_accepted=True,
        share_contact=share,
        check_open=False,
        send_email=False,
    )
    db.session.commit()
    return visitors.badge_code(outcome.registration.active_badge)


def test_lead_capture_one_per_visitor_and_contact_only_when_shared(client):
    contract = create_contract(signed=True)
    sharing = _visitor_code(contract.show, "zhao@buyer.example", share=True)
    private = _visitor_code(contract.show, "hidden@buyer.example", share=False)
    user = create_portal_user(contract.company)
    _portal_login(client, user)
    post_form(
        client,
        "/portal/leads",
        {"code": sharing, "rating": "4", "note": "Wants 500 drills"},
    )
    post_form(client, "/portal/leads", {"code": sharing, "rating": "5", "note": ""})
    post_form(client, "/portal/leads", {"code": private, "rating": "2"})
    bad = post_form(
        client,
        "/portal/leads",
        {"code": "EXPO1-forged", "rating": "3"},
        follow_redirects=True,
    )
    assert "not valid for this show" in text_of(bad)
    leads = db.session.scalars(sa.select(Lead)).all()
    assert len(leads) == 2
    page = text_of(client.get("/portal/leads"))
    assert "zhao@buyer.example" in page and "hidden@buyer.example" not in page
    export = client.get("/portal/leads.xlsx")
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))
    assert len(rows) == 3
    assert any(r[2] == "zhao@buyer.example" and r[4] == 5 for r in rows)
    assert not any(r[2] == "hidden@buyer.example" for r in rows)


def test_a_badge_of_another_show_is_not_a_lead(client):
    contract = create_contract(signed=True)
    code = _visitor_code(create_show(), "elsewhere@buyer.example", share=True)
    user = create_portal_user(contract.company)
    _portal_login(client, user)
    response = post_form(
        client, "/portal/leads", {"code": code, "rating": "3"}, follow_redirects=True
    )
    assert "not valid for this show" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count(Lead.id))) == 0


def _leads_of_two_visitors(client):
    """A signed-in exhibitor with two leads: one visitor shared contact details, one did not."""
    contract = create_contract(signed=True)
    sharing = _visitor_code(
        contract.show, "zhao@buyer.example", share=True, mobile="+86 138 0013 8000"
    )
    private = _visitor_code(
        contract.show, "hidden@buyer.example", share=False, mobile="+86 139 0000 0001"
    )
    _portal_login(client, create_portal_user(contract.company))
    post_form(client, "/portal/leads", {"code": sharing, "rating": "4"})
    post_form(client, "/portal/leads", {"code": private, "rating": "2"})
    assert db.session.scalar(sa.select(sa.func.count(Lead.id))) == 2


def test_the_leads_export_shows_the_mobile_of_a_visitor_who_shared_contact_details(client):
    _leads_of_two_visitors(client)
    export = client.get("/portal/leads.xlsx")
    assert export.status_code == 200
    header, *rows = load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True)
    by_email = {row[header.index("Email")]: row for row in rows}
    assert by_email["zhao@buyer.example"][header.index("Mobile")] == "+86 138 0013 8000"
    hidden = by_email[None]
    assert hidden[header.index("Mobile")] in (None, "")
    assert not any("139 0000 0001" in str(cell) for row in rows for cell in row)


def test_the_leads_page_shows_the_mobile_of_a_visitor_who_shared_contact_details(client):
    _leads_of_two_visitors(client)
    page = text_of(client.get("/portal/leads"))
    assert "+86 138 0013 8000" in page
    assert "139 0000 0001" not in page and "hidden@buyer.example" not in page


def test_an_invitation_link_emailed_before_the_move_still_opens_the_welcome_page(app):
    contact = create_contact(email="early@invite.example", name="王芳")
    token = accounts.invite_contact(contact)
    db.session.commit()
    client = app.test_client()
    moved = client.get(f"/exhibitors/portal/welcome/{token}")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith(f"/portal/welcome/{token}")
    welcome = client.get(f"/exhibitors/portal/welcome/{token}", follow_redirects=True)
    assert welcome.status_code == 200 and "Set your password" in text_of(welcome)
    done = post_form(
        client,
        moved.headers["Location"],
        {"password": "a-long-password", "confirm": "a-long-password"},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/portal/")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/exhibitors/portal/login?next=%2Fportal%2Fleads", "/portal/login?next=%2Fportal%2Fleads"),
        ("/exhibitors/portal/", "/portal/"),
        ("/exhibitors/portal/?show=7", "/portal/?show=7"),
        ("/exhibitors/portal/contracts/5/contract-en.pdf", "/portal/contracts/5/contract-en.pdf"),
        ("/exhibitors/portal/messages", "/portal/messages"),
        ("/exhibitors/portal/leads?show=7", "/portal/leads?show=7"),
        ("/exhibitors/portal/leads.xlsx?show=7", "/portal/leads.xlsx?show=7"),
        ("/relationships/portal/complaints", "/portal/complaints"),
        ("/suppliers/portal/services", "/portal/services"),
        ("/suppliers/portal/services/3/order", "/portal/services/3/order"),
    ],
)
def test_an_old_portal_address_redirects_permanently_to_its_new_one(app, old, new):
    response = app.test_client().get(old)
    assert response.status_code == 301
    assert response.headers["Location"].removeprefix("http://localhost") == new


def test_an_old_address_leads_a_signed_in_exhibitor_to_its_own_page_only(client):
    mine = create_contract(signed=True)
    theirs = create_contract(signed=True)
    _portal_login(client, create_portal_user(mine.company))
    own = client.get("/exhibitors/portal/", follow_redirects=True)
    assert own.status_code == 200 and mine.number in text_of(own)
    foreign = client.get(
        f"/exhibitors/portal/contracts/{theirs.id}/contract-zh.pdf", follow_redirects=True
    )
    assert foreign.status_code == 404


def test_a_contact_with_a_portal_login_can_be_sent_a_new_invitation(app):
    """As in the demo: the login's address differs from the contact's, and it has a password."""
    contact = create_contact(email="buyer@huamei.example")
    user = create_portal_user(contact.company, email="exhibitor1@portal.example")
    user.contact_id = contact.id
    db.session.commit()
    old_token = accounts.invite_contact(contact)
    db.session.commit()
    staff = create_staff("sales")
    client = app.test_client()
    login(client, staff.email, PASSWORD)
    page = f"/exhibitors/{contact.company_id}"
    response = post_form(client, f"{page}/contacts/{contact.id}/invite", {}, page=page)
    assert response.status_code == 302
    assert "exhibitor1@portal.example" in text_of(client.get(page))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PortalUser)) == 1
    message = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.to_address == "exhibitor1@portal.example")
        .order_by(OutboxMessage.id.desc())
    ).first()
    link = re.search(r"http://localhost(/portal/welcome/\S+)", message.body_text).group(1)
    stale = app.test_client().get(f"/portal/welcome/{old_token}")
    assert stale.status_code == 410
    fresh = app.test_client()
    assert "Set your password" in text_of(fresh.get(link))
    done = post_form(fresh, link, {"password": "a-long-password", "confirm": "a-long-password"})
    assert done.status_code == 302
