"""The pages of matchmaking and the category tree: who may open them, what the organiser
reads and exports, the import of the tree, the exhibitor's offer, the visitor's needs."""

from __future__ import annotations

import io

import openpyxl
import pytest
import sqlalchemy as sa
from flask import current_app

from expo_crm.categories.models import Category
from expo_crm.db import db
from expo_crm.documents.excel import xlsx_bytes
from expo_crm.exhibitors import offers
from expo_crm.matchmaking import services
from expo_crm.matchmaking.models import MeetingState, Party
from expo_crm.visitors.models import Registration, VisitorCategory
from tests.factories import (
    PASSWORD,
    create_buyer,
    create_category,
    create_exhibitor_offering,
    create_portal_user,
    create_show,
    create_staff,
)
from tests.helpers import csrf_from, login, post_form
from tests.staff.access_matrix import ROLES, Route, check, client_as

STAFF_ROUTES = [
    Route("GET", "/categories/", "categories.view"),
    Route("GET", "/categories/export.xlsx", "categories.view"),
    Route("GET", "/categories/{category}", "categories.manage"),
    Route("POST", "/categories/{category}", "categories.manage"),
    Route("POST", "/categories/new", "categories.manage"),
    Route("POST", "/categories/import", "categories.manage"),
    Route("GET", "/matchmaking/", "matchmaking.view"),
    Route("GET", "/matchmaking/shows/{show}", "matchmaking.view"),
    Route("GET", "/matchmaking/shows/{show}/meetings.xlsx", "matchmaking.view"),
    Route("POST", "/matchmaking/shows/{show}/hours", "matchmaking.manage"),
    Route("POST", "/matchmaking/shows/{show}/recommendations", "matchmaking.manage"),
    Route("POST", "/matchmaking/shows/{show}/hosted", "matchmaking.manage"),
    Route("POST", "/matchmaking/shows/{show}/hosted/schedule", "matchmaking.manage"),
    Route("POST", "/matchmaking/meetings/{meeting}/cancel", "matchmaking.manage"),
    Route("GET", "/portal/meetings", None),
    Route("POST", "/portal/meetings/request", None),
    Route("POST", "/portal/meetings/capacity", None),
]


@pytest.fixture
def world(app):
    show = create_show()
    door = create_category("LOCK.DOOR", "门锁", "door locks")
    company = create_exhibitor_offering(show, [door])
    registration, code = create_buyer(show, [door])
    meeting = services.request_meeting(
        show, company.id, registration, services.slots(show)[0], by=Party.visitor
    )
    db.session.commit()
    return show, door, company, registration, meeting


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_every_route_for_every_role(world, role):
    show, door, _company, _registration, meeting = world
    client = client_as(current_app, role)
    for route in STAFF_ROUTES:
        url = route.url.format(show=show.id, category=door.id, meeting=meeting.id)
        check(None, Route(route.method, url, route.capability), role, client)


def test_the_organiser_reads_rates_per_exhibitor_and_day_and_exports_the_meetings(world, client):
    show, _door, company, registration, meeting = world
    services.accept(meeting, Party.exhibitor)
    other, _ = create_buyer(show)
    declined = services.request_meeting(
        show, company.id, other, services.slots(show)[1], by=Party.visitor
    )
    services.decline(declined, Party.exhibitor)
    db.session.commit()
    login(client, create_staff("sales").email)

    page = client.get(f"/matchmaking/shows/{show.id}").get_data(as_text=True)
    assert company.name_en in page
    assert ">50 %<" in page.replace("\n", "")  # one of two answered requests accepted

    export = client.get(f"/matchmaking/shows/{show.id}/meetings.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.data)).active
    rows = list(sheet.values)
    assert rows[0][0] == "Day" and len(rows) == 3
    assert {r[7] for r in rows[1:]} == {"Confirmed", "Declined"}


def test_the_category_tree_is_imported_from_excel_all_or_nothing(app, client):
    login(client, create_staff("marketing").email)
    good = xlsx_bytes(
        ["code", "name_zh", "name_en", "parent_code"],
        [["LOCK.DOOR", "门锁", "door locks", "LOCK"], ["LOCK", "锁具", "Locks", ""]],
    )
    bad = xlsx_bytes(
        ["code", "name_zh", "name_en", "parent_code"],
        [["TOOL", "工具", "Tools", "NOPE"]],
    )
    refused = post_form(
        client,
        "/categories/import",
        {"file": (io.BytesIO(bad), "bad.xlsx")},
        page="/categories/",
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    assert "The parent code NOPE is not known." in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Category.id))) == 0
    done = post_form(
        client,
        "/categories/import",
        {"file": (io.BytesIO(good), "tree.xlsx")},
        page="/categories/",
        content_type="multipart/form-data",
    )
    assert done.status_code == 303
    door = db.session.scalar(sa.select(Category).where(Category.code == "LOCK.DOOR"))
    assert door.parent.code == "LOCK" and door.name_zh == "门锁"


def test_an_exhibitor_offers_categories_and_sees_only_its_own_meetings(world, client):
    show, door, company, _registration, meeting = world
    stranger = create_exhibitor_offering(show)
    user = create_portal_user(stranger)
    post_form(client, "/portal/login", {"email": user.email, "password": PASSWORD})
    saved = post_form(
        client, "/portal/offer", {"categories": [str(door.id)], "products_offered": "Smart locks"}
    )
    assert saved.status_code == 302
    assert offers.offered_category_ids(stranger.id) == [door.id]
    token = csrf_from(client.get("/portal/meetings").get_data(as_text=True))
    answer = client.post(f"/portal/meetings/{meeting.id}/accept", data={"csrf_token": token})
    assert answer.status_code == 404
    db.session.expire_all()
    assert meeting.state is MeetingState.requested


def test_a_visitor_states_the_categories_sought_and_consents_at_registration(app, client):
    show = create_show()
    door = create_category("LOCK.DOOR", "门锁", "door locks")
    response = post_form(
        client,
        f"/visit/{show.id}/register",
        {
            "email": "buyer@example.com",
            "name": "Chen Jing",
            "country": "CN",
            "locale": "en",
            "terms": "y",
            "meeting_consent": "y",
            "sought_categories": [str(door.id)],
            "buying_intent": "buying_now",
            "products_sought": "Smart door locks",
        },
    )
    assert response.status_code == 302
    registration = db.session.scalar(sa.select(Registration))
    assert registration.meeting_consent is True
    assert registration.visitor.products_sought == "Smart door locks"
    assert db.session.scalars(sa.select(VisitorCategory.category_id)).all() == [door.id]
