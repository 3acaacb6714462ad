"""The drawn hall plan: geometry checked on the server, area from the geometry, drawing, moving,
renumbering and importing; selling from the plan is the list's assign service."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from expo_crm.db import db
from expo_crm.exhibitors import hallplan
from expo_crm.exhibitors.models import Booth, BoothAssignment, BoothStatus
from tests.factories import (
    create_application,
    create_booth,
    create_hall,
    create_placed_booth,
    create_show,
    create_staff,
)
from tests.helpers import login, post_form, text_of


@pytest.fixture(autouse=True)
def _english(app):
    """Refusals raised outside a request speak the default language (Chinese): read English."""
    with force_locale("en"):
        yield


def _refusal(show, **geometry) -> str:
    try:
        hallplan.check_geometry(show.id, "W1", rotation=geometry.pop("rotation", 0), **geometry)
    except hallplan.GeometryError as refused:
        return str(refused)
    return ""


def test_a_booth_overlapping_another_outside_the_hall_or_without_area_is_refused(app):
    show = create_show()
    create_hall(show, width=60, depth=40)
    create_placed_booth(show, 0, 0, 6, 3, number="W1-001")
    assert "overlap booth W1-001" in _refusal(show, x=5, y=2, width=3, depth=3)
    assert "outside hall W1" in _refusal(show, x=58, y=10, width=3, depth=3)
    assert "outside hall W1" in _refusal(show, x=-1, y=10, width=3, depth=3)
    assert "must have an area" in _refusal(show, x=10, y=10, width=0, depth=3)
    # Turned 90° about its corner, a 3 × 3 booth at (3, 10) covers x 0…3 and clears x ≥ 3.
    assert "outside" in _refusal(show, x=2, y=10, width=3, depth=3, rotation=90)
    assert _refusal(show, x=6, y=0, width=3, depth=3) == ""  # touching an edge is fine
    assert "overlap" in _refusal(show, x=7, y=-1, width=3, depth=3, rotation=45) or "outside" in (
        _refusal(show, x=7, y=-1, width=3, depth=3, rotation=45)
    )
    assert "overlap booth W1-001" in _refusal(show, x=6.5, y=0.5, width=3, depth=3, rotation=90)


def test_a_drawn_booth_takes_its_area_from_its_size_and_may_move_but_not_grow_once_taken(app):
    show = create_show()
    create_hall(show)
    booth = create_placed_booth(show, 10, 10, 4.5, 3)
    assert booth.area_m2 == hallplan.Decimal("13.50")
    hallplan.place_booth(booth, x=20, y=10, width=6, depth=3)
    assert booth.area_m2 == hallplan.Decimal("18.00") and booth.x == 20
    booth.status = BoothStatus.reserved
    hallplan.place_booth(booth, x=30, y=10, width=6, depth=3)
    try:
        hallplan.place_booth(booth, x=30, y=10, width=9, depth=3)
    except hallplan.GeometryError as refused:
        assert "may move but not change its area" in str(refused)
    else:
        raise AssertionError("a taken booth grew")


def test_staff_draw_renumber_block_and_sell_a_booth_from_the_plan(app, client):
    staff = create_staff("sales")
    show = create_show()
    create_hall(show)
    application = create_application(show=show, state="approved")
    login(client, staff.email)
    plan = f"/exhibitors/hall-plan?show={show.id}"
    response = post_form(
        client,
        f"/exhibitors/hall-plan/{show.id}/booths",
        {
            "hall": "W1",
            "number": "w1-900",
            "x": "0",
            "y": "0",
            "width": "3",
            "depth": "0",
            "rotation": "0",
            "booth_type": "shell_scheme",
            "price_per_m2": "1000",
        },
        page=plan,
        follow_redirects=True,
    )
    assert "must have an area" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count(Booth.id))) == 0
    post_form(
        client,
        f"/exhibitors/hall-plan/{show.id}/booths",
        {
            "hall": "W1",
            "number": "w1-900",
            "x": "0",
            "y": "0",
            "width": "3",
            "depth": "4",
            "rotation": "0",
            "booth_type": "shell_scheme",
            "price_per_m2": "1000",
        },
        page=plan,
    )
    booth = db.session.scalar(sa.select(Booth))
    assert (booth.number, booth.area_m2, booth.x, booth.depth) == ("W1-900", 12, 0, 4)
    post_form(
        client, f"/exhibitors/hall-plan/booths/{booth.id}/renumber", {"number": "W1-901"}, page=plan
    )
    post_form(client, f"/exhibitors/hall-plan/booths/{booth.id}/block", {}, page=plan)
    db.session.refresh(booth)
    assert (booth.number, booth.status) == ("W1-901", BoothStatus.blocked)
    post_form(client, f"/exhibitors/hall-plan/booths/{booth.id}/block", {}, page=plan)
    response = post_form(
        client,
        f"/exhibitors/hall-plan/booths/{booth.id}/sell",
        {"application_id": application.id},
        page=plan,
        follow_redirects=True,
    )
    assert "Booth W1-901 sold to" in text_of(response)
    assignment = db.session.scalar(sa.select(BoothAssignment))
    assert assignment.application_id == application.id
    # The list shows what the plan sold: one data, two views.
    listing = text_of(client.get(f"/exhibitors/booths?show={show.id}"))
    assert "W1-901" in listing and application.company.name_en in listing


def test_a_plan_imported_from_csv_draws_halls_and_booths_all_or_nothing(app):
    show = create_show()
    old = create_booth(show, number="W1-050", area="9")
    good = (
        "hall,number,x,y,width,depth,rotation,booth_type,price_per_m2,outline\n"
        "W1,W1-001,0,0,3,3,0,标摊,1200,\n"
        "W1,W1-050,3,0,3,3,0,,,\n"
        'W1,,,,,,,,,"0,0 30,0 30,20 0,20"\n'
    ).encode()
    result = hallplan.import_plan(show.id, "plan.csv", good)
    assert result.ok, [r.errors for r in result.rows]
    assert (result.count("create"), result.count("update"), result.count("outline")) == (1, 1, 1)
    db.session.commit()
    assert old.x == 3 and old.area_m2 == 9
    bad = b"hall,number,x,y,width,depth\nW1,W1-002,10,10,3,3\nW1,W1-003,1,1,3,3\n"
    result = hallplan.import_plan(show.id, "plan.csv", bad)
    assert not result.ok
    assert "overlap booth W1-001" in result.row_errors[0].errors[0]
