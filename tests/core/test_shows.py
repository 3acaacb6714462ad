"""Shows: set-up, dates, and the service stage derived from the clock."""

from datetime import date

from expo_crm import clock
from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.shows.models import ServiceStage, Show
from tests.factories import create_show, create_staff
from tests.helpers import login, post_form, text_of

VALID = {
    "code": "CIHF2027",
    "series": "CIHF",
    "name_zh": "2027中国国际五金博览会",
    "name_en": "China International Hardware Fair 2027",
    "venue": "SNIEC",
    "timezone": "Asia/Shanghai",
    "move_in_date": "2027-03-18",
    "open_from": "2027-03-20",
    "open_to": "2027-03-22",
    "move_out_date": "2027-03-23",
    "rebooking_deadline": "2027-06-30",
    "reentry_allowed": "y",
}


def test_an_admin_creates_a_show_and_sees_it_listed(client):
    admin = create_staff(Role.admin)
    login(client, admin.email)
    response = post_form(client, "/shows/new", VALID)
    assert response.status_code == 302
    show = db.session.query(Show).one()
    assert show.name_zh == "2027中国国际五金博览会"
    assert show.open_to == date(2027, 3, 22)
    assert "China International Hardware Fair 2027" in text_of(client.get("/shows/"))


def test_open_days_outside_move_in_and_out_are_refused_and_nothing_is_written(client):
    admin = create_staff(Role.admin)
    login(client, admin.email)
    response = post_form(
        client, "/shows/new", VALID | {"open_from": "2027-03-17", "open_to": "2027-03-16"}
    )
    body = text_of(response)
    assert response.status_code == 200
    assert "The last open day is before the first open day." in body
    assert "The open days start before move-in." in body
    assert db.session.query(Show).count() == 0


def test_the_refusal_is_in_chinese_for_a_chinese_user(client):
    admin = create_staff(Role.admin, locale="zh")
    login(client, admin.email)
    response = post_form(client, "/shows/new", VALID | {"move_out_date": "2027-03-21"})
    assert "撤展日期早于最后开放日。" in text_of(response)


def test_the_database_refuses_inverted_dates_too(app):
    import pytest
    import sqlalchemy.exc

    db.session.add(
        Show(
            code="BAD",
            series="B",
            name_zh="坏",
            name_en="Bad",
            move_in_date=date(2027, 1, 5),
            open_from=date(2027, 1, 4),
            open_to=date(2027, 1, 6),
            move_out_date=date(2027, 1, 7),
        )
    )
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_sales_staff_can_read_shows_but_not_create_them(client):
    user = create_staff(Role.sales)
    login(client, user.email)
    assert client.get("/shows/").status_code == 200
    assert client.get("/shows/new").status_code == 403


def test_editing_a_show_is_audited_with_before_and_after(client):
    from expo_crm.audit.models import AuditEvent

    admin = create_staff(Role.admin)
    show = create_show(code="EDIT1")
    login(client, admin.email)
    url = f"/shows/{show.id}/edit"
    form = {k: v for k, v in VALID.items()} | {
        "code": "EDIT1",
        "venue": "National Exhibition and Convention Center",
    }
    assert post_form(client, url, form).status_code == 302
    event = db.session.query(AuditEvent).filter_by(action="show.update").one()
    assert event.after["venue"] == "National Exhibition and Convention Center"
    assert event.actor_label == admin.email


def test_the_stage_follows_the_clock_in_the_shows_time_zone(app):
    show = create_show(open_from=date(2027, 3, 20), days=3)  # move-in 19th, move-out 23rd
    clock.freeze("2027-03-18T15:59:00Z")  # 23:59 in Shanghai on the 18th
    assert show.stage is ServiceStage.pre_show
    clock.freeze("2027-03-18T16:00:00Z")  # midnight of the 19th in Shanghai
    assert show.stage is ServiceStage.in_show
    assert not show.is_open_at(clock.now())
    clock.freeze("2027-03-20T01:00:00Z")
    assert show.is_open_at(clock.now())
    clock.freeze("2027-03-23T16:00:00Z")  # the day after move-out begins
    assert show.stage is ServiceStage.post_show


def test_shows_list_command_prints_one_tab_separated_line_per_show(app):
    from expo_crm.cli import cli

    clock.freeze("2027-03-21T02:00:00Z")
    show = create_show(open_from=date(2027, 3, 20), name_en="Hardware Fair")
    result = app.test_cli_runner().invoke(cli, ["shows", "list"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().split("\t") == [
        str(show.id),
        "Hardware Fair",
        "2027-03-19..2027-03-23",
        "in_show",
    ]
