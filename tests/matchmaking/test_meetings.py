"""Meetings between trade visitors and exhibitors: requests, answers, refusals, the booking
the database guards, emails with a calendar file in the show's time zone, the timeline."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from expo_crm import clock
from expo_crm.db import db
from expo_crm.mail.models import OutboxMessage
from expo_crm.matchmaking import services
from expo_crm.matchmaking.models import Meeting, MeetingState, Party, SlotBooking
from expo_crm.relationships.models import Interaction
from tests.factories import (
    create_buyer,
    create_category,
    create_exhibitor_offering,
    create_show,
)


@pytest.fixture(autouse=True)
def _in_english(app):
    """Refusals are read in English here (services answer in the current locale)."""
    with force_locale("en"):
        yield


@pytest.fixture
def world(app):
    show = create_show(timezone="Europe/Berlin")
    locks = create_category("LOCK", "锁具", "Locks")
    door = create_category("LOCK.DOOR", "门锁", "door locks", parent=locks)
    company = create_exhibitor_offering(show, [door])
    registration, code = create_buyer(show, [door])
    return show, company, registration, code


def _first_slot(show):
    return services.slots(show)[0]


def test_a_request_accepted_books_the_slot_and_emails_both_sides_a_calendar_in_the_show_zone(
    world,
):
    show, company, registration, _code = world
    slot = _first_slot(show)
    meeting = services.request_meeting(show, company.id, registration, slot, by=Party.visitor)
    db.session.commit()
    assert meeting.awaiting is Party.exhibitor
    services.accept(meeting, Party.exhibitor)
    db.session.commit()

    assert meeting.state is MeetingState.accepted
    assert db.session.scalar(sa.select(sa.func.count(SlotBooking.id))) == 1
    confirmations = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.template == "matchmaking/confirmed")
    ).all()
    assert sorted(m.to_address for m in confirmations) == sorted(
        [registration.visitor.email, company.primary_contact.email]
    )
    ics = next(a for a in confirmations[0].attachments if a.filename == "meeting.ics")
    calendar = icalendar.Calendar.from_ical(ics.content)
    event = calendar.walk("VEVENT")[0]
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert event.decoded("dtstart") == slot
    assert event.decoded("dtstart").utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    # both customers' timelines
    events = db.session.scalars(
        sa.select(Interaction.event).where(Interaction.event == "matchmaking.confirmed")
    ).all()
    assert len(events) == 2


def test_refusals_outside_hours_after_the_show_without_consent_and_with_oneself(world):
    show, company, registration, _code = world
    slot = _first_slot(show)
    with pytest.raises(services.MeetingError, match="open days between 09:00 and 17:00"):
        services.request_meeting(
            show, company.id, registration, slot - timedelta(hours=2), by=Party.visitor
        )
    with pytest.raises(services.MeetingError, match="open days"):
        services.request_meeting(
            show, company.id, registration, slot + timedelta(minutes=7), by=Party.visitor
        )
    shy, _ = create_buyer(show, consent=False)
    with pytest.raises(services.MeetingError, match="not agreed to be contacted"):
        services.request_meeting(show, company.id, shy, slot, by=Party.exhibitor)
    registration.company_id = company.id  # the exhibitor's own staff
    with pytest.raises(services.MeetingError, match="with yourself"):
        services.request_meeting(show, company.id, registration, slot, by=Party.visitor)
    registration.company_id = None
    clock.freeze(show.local_end(show.move_out_date) + timedelta(hours=1))
    with pytest.raises(services.MeetingError, match="show is over"):
        services.request_meeting(show, company.id, registration, slot, by=Party.visitor)


def test_an_exhibitor_without_a_signed_contract_is_refused(app):
    show = create_show()
    company = create_exhibitor_offering(show, signed=False)
    registration, _ = create_buyer(show)
    with pytest.raises(services.MeetingError, match="does not exhibit"):
        services.request_meeting(
            show, company.id, registration, _first_slot(show), by=Party.visitor
        )


def test_a_second_acceptance_of_a_taken_slot_is_refused_and_capacity_allows_more(world):
    show, company, registration, _code = world
    other, _ = create_buyer(show)
    slot = _first_slot(show)
    first = services.request_meeting(show, company.id, registration, slot, by=Party.visitor)
    second = services.request_meeting(show, company.id, other, slot, by=Party.visitor)
    db.session.commit()
    services.accept(first, Party.exhibitor)
    db.session.commit()
    with pytest.raises(services.MeetingError, match="just taken"):
        services.accept(second, Party.exhibitor)
    db.session.rollback()
    services.set_capacity(company.id, show.id, 2)
    db.session.commit()
    services.accept(db.session.get(Meeting, second.id), Party.exhibitor)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(SlotBooking.id))) == 2


def test_propose_decline_cancel_and_outcomes(world):
    show, company, registration, code = world
    first, later = services.slots(show)[:2]
    meeting = services.request_meeting(show, company.id, registration, first, by=Party.exhibitor)
    with pytest.raises(services.MeetingError, match="other side has yet to answer"):
        services.accept(meeting, Party.exhibitor)
    services.propose(meeting, Party.visitor, later)
    assert meeting.awaiting is Party.exhibitor and meeting.starts_at == later
    services.accept(meeting, Party.exhibitor)
    services.cancel(meeting, Party.visitor)
    assert meeting.state is MeetingState.cancelled
    assert db.session.scalar(sa.select(sa.func.count(SlotBooking.id))) == 0
    db.session.commit()

    again = services.request_meeting(show, company.id, registration, first, by=Party.visitor)
    services.accept(again, Party.exhibitor)
    db.session.commit()
    clock.freeze(again.starts_at + timedelta(minutes=5))
    services.mark_no_show(again)
    assert again.state is MeetingState.no_show
    # the visitor turns up after all: the badge scanned at the booth confirms the meeting
    from expo_crm.exhibitors.leads import record_lead
    from expo_crm.exhibitors.participation import current_participation

    record_lead(current_participation(company.id, show.id), code)
    assert again.state is MeetingState.held
    assert services.held_meetings_by_company(show.id) == {company.id: 1}


def test_a_signed_link_works_once_and_a_forged_one_does_nothing(world, client):
    show, company, registration, _code = world
    meeting = services.request_meeting(
        show, company.id, registration, _first_slot(show), by=Party.visitor
    )
    db.session.commit()
    token = services.link_token(meeting, Party.exhibitor)
    page = client.get(f"/meetings/link/{token}")
    assert page.status_code == 200
    from tests.helpers import csrf_from

    csrf = csrf_from(page.get_data(as_text=True))
    answered = client.post(f"/meetings/link/{token}/accept", data={"csrf_token": csrf})
    assert answered.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).state is MeetingState.accepted
    version = db.session.get(Meeting, meeting.id).version

    reused = client.post(f"/meetings/link/{token}/decline", data={"csrf_token": csrf})
    forged = client.get(f"/meetings/link/{token[:-3]}abc")
    assert reused.status_code == 404 and forged.status_code == 404
    assert "no longer valid" in forged.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).state is MeetingState.accepted
    assert db.session.get(Meeting, meeting.id).version == version


def test_hosted_buyers_meetings_are_scheduled_by_staff(world):
    show, company, registration, _code = world
    with pytest.raises(services.MeetingError, match="hosted buyers"):
        services.schedule_for_hosted_buyer(
            show, company.id, registration.visitor_id, _first_slot(show)
        )
    services.invite_hosted_buyer(show, registration)
    meeting = services.schedule_for_hosted_buyer(
        show, company.id, registration.visitor_id, _first_slot(show)
    )
    db.session.commit()
    assert meeting.state is MeetingState.accepted and meeting.hosted


def test_a_meeting_held_adds_to_the_visitors_value(world):
    from datetime import datetime, time

    from expo_crm.relationships.models import CustomerValueState
    from expo_crm.relationships.services import evaluate_values

    show, company, registration, _code = world
    other, _ = create_buyer(show)
    meeting = services.request_meeting(
        show, company.id, registration, _first_slot(show), by=Party.visitor
    )
    services.accept(meeting, Party.exhibitor)
    for entered in (registration, other):
        entered.first_checked_in_at = meeting.starts_at - timedelta(hours=1)
    clock.freeze(meeting.starts_at)
    services.mark_held(meeting)
    db.session.commit()

    evaluate_values(datetime.combine(show.open_to + timedelta(days=3), time(2), tzinfo=show.tz))
    db.session.commit()
    margins = dict(
        db.session.execute(
            sa.select(CustomerValueState.visitor_id, CustomerValueState.margin_current).where(
                CustomerValueState.visitor_id.in_([registration.visitor_id, other.visitor_id])
            )
        ).all()
    )
    assert margins[registration.visitor_id] - margins[other.visitor_id] == 100


def test_reminders_go_out_once_the_day_before_with_the_calendar_file(world):
    show, company, registration, _code = world
    meeting = services.request_meeting(
        show, company.id, registration, _first_slot(show), by=Party.visitor
    )
    services.accept(meeting, Party.exhibitor)
    db.session.commit()
    assert services.send_reminders(meeting.starts_at - timedelta(days=2)) == 0
    day_before = meeting.starts_at - timedelta(hours=20)
    services.send_reminders(day_before)
    services.send_reminders(day_before + timedelta(minutes=15))
    db.session.commit()
    reminders = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.template == "matchmaking/reminder")
    ).all()
    assert len(reminders) == 2
    assert all(a.filename == "meeting.ics" for m in reminders for a in m.attachments)


def test_the_confirmation_reaches_the_visitor_over_smtp_in_its_language_with_the_calendar(
    world, smtp_server
):
    from expo_crm.mail.jobs import send_outbox

    show, company, registration, _code = world
    registration.visitor.locale = "zh"
    meeting = services.request_meeting(
        show, company.id, registration, _first_slot(show), by=Party.visitor
    )
    services.accept(meeting, Party.exhibitor)
    db.session.commit()
    send_outbox(clock.now())

    received = [
        m for m in smtp_server.to(registration.visitor.email) if "会面已确认" in m["Subject"]
    ]
    assert len(received) == 1
    attachment = next(received[0].iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    event = icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert str(event["summary"]).startswith("与 ")


def test_a_meeting_held_counts_in_the_exhibitors_return(world):
    from expo_crm.exhibitors import returns

    show, company, registration, _code = world
    meeting = services.request_meeting(
        show, company.id, registration, _first_slot(show), by=Party.visitor
    )
    services.accept(meeting, Party.exhibitor)
    before = {r.company_id: r.meetings for r in returns.show_returns(show)}
    assert before[company.id] == 0  # matchmaking runs: none held yet, not "not applicable"
    registration.first_checked_in_at = meeting.starts_at - timedelta(hours=1)
    clock.freeze(meeting.starts_at)
    services.mark_held(meeting)
    db.session.commit()
    after = {r.company_id: r.meetings for r in returns.show_returns(show)}
    assert after[company.id] == 1
