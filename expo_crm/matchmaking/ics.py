"""The calendar file (.ics) attached to meeting emails, in the show's own time zone."""

from __future__ import annotations

from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone

from expo_crm import clock
from expo_crm.exhibitors.models import Company
from expo_crm.i18n import bilingual
from expo_crm.matchmaking.models import Meeting, MeetingState, Party
from expo_crm.visitors.models import Visitor


def meeting_calendar(meeting: Meeting, company: Company, visitor: Visitor, party: Party) -> bytes:
    """One event, its times given with the show's TZID and a VTIMEZONE for it; the text in the
    language forced by the caller (the recipient's)."""
    show = meeting.show
    calendar = Calendar()
    calendar.add("prodid", "-//expo-crm//matchmaking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    domain = current_app.config["BASE_URL"].split("//")[-1].split("/")[0] or "expo-crm.local"
    event.add("uid", f"meeting-{meeting.id}@{domain}")
    event.add("dtstamp", clock.now())
    event.add("sequence", meeting.version)
    event.add("dtstart", meeting.starts_at.astimezone(show.tz))
    event.add("dtend", meeting.ends_at.astimezone(show.tz))
    other = (
        visitor.name if party is Party.exhibitor else bilingual(company.name_zh, company.name_en)
    )
    event.add("summary", _("Meeting with %(name)s", name=other))
    event.add("location", f"{bilingual(show.name_zh, show.name_en)} · {show.venue}".strip(" ·"))
    event.add("description", _("Business meeting at the exhibitor's booth."))
    event.add("status", "CANCELLED" if meeting.state is MeetingState.cancelled else "CONFIRMED")
    calendar.add_component(Timezone.from_ical(_vtimezone(show.timezone)))
    calendar.add_component(event)
    return calendar.to_ical()


@lru_cache(maxsize=16)
def _vtimezone(tzid: str) -> bytes:
    """A zone's VTIMEZONE, worked out once per process: icalendar takes a third of a second to
    walk its transitions, and every confirmation and reminder email needs it."""
    return Timezone.from_tzid(tzid).to_ical()
