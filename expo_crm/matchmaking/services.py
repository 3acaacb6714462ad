"""Meetings: slots from the show's meeting hours, requests, answers, the booking the database
guards, emails with a calendar file, the timeline, held and no-show. No request objects here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from expo_crm import audit, clock
from expo_crm.db import db
from expo_crm.errors import UserError
from expo_crm.exhibitors.models import Company, Contract, ContractState
from expo_crm.mail.services import Attachment, enqueue_email
from expo_crm.matchmaking import ics
from expo_crm.matchmaking.models import (
    DEFAULT_CLOSES,
    DEFAULT_OPENS,
    DEFAULT_SLOT_MINUTES,
    MEETING_CANCELLED,
    MEETING_CONFIRMED,
    MEETING_DECLINED,
    MEETING_HELD,
    MEETING_NO_SHOW,
    MEETING_PROPOSED,
    MEETING_REQUESTED,
    BoothCapacity,
    HostedBuyer,
    Meeting,
    MeetingHours,
    MeetingState,
    Party,
    SlotBooking,
)
from expo_crm.relationships.models import Channel, Direction
from expo_crm.relationships.services import log_interaction
from expo_crm.shows.models import Show
from expo_crm.subjects import SubjectKind
from expo_crm.visitors.models import Registration, RegistrationState, Visitor

LINK_SALT = "matchmaking.meeting-link"
# A scan at the booth confirms a meeting from this long before its start until this long after its end.
SCAN_EARLY = timedelta(minutes=30)
SCAN_LATE = timedelta(hours=1)
REMINDER_AHEAD = timedelta(hours=24)
OPEN_STATES = (MeetingState.requested, MeetingState.accepted)


class MeetingError(UserError):
    """A meeting request or answer refused; str(error) tells the user why."""


# --- hours, capacity and slots ------------------------------------------------------------------


@dataclass(frozen=True)
class Hours:
    opens: time
    closes: time
    slot_minutes: int

    @property
    def slot(self) -> timedelta:
        return timedelta(minutes=self.slot_minutes)


def hours(show: Show) -> Hours:
    row = db.session.get(MeetingHours, show.id)
    if row is None:
        return Hours(DEFAULT_OPENS, DEFAULT_CLOSES, DEFAULT_SLOT_MINUTES)
    return Hours(row.opens, row.closes, row.slot_minutes)


def set_hours(show: Show, opens: time, closes: time, slot_minutes: int) -> None:
    if not opens < closes:
        raise MeetingError(_("Meetings must start before they end each day."))
    if not 10 <= slot_minutes <= 240:
        raise MeetingError(_("A slot lasts between 10 and 240 minutes."))
    row = db.session.get(MeetingHours, show.id) or MeetingHours(show_id=show.id)
    row.opens, row.closes, row.slot_minutes = opens, closes, slot_minutes
    db.session.add(row)
    audit.record(
        "meeting_hours.update",
        show,
        after={"opens": opens.isoformat(), "closes": closes.isoformat(), "slot": slot_minutes},
    )


def capacity(company_id: int, show_id: int) -> int:
    row = db.session.get(BoothCapacity, (company_id, show_id))
    return row.capacity if row else 1


def set_capacity(company_id: int, show_id: int, value: int) -> None:
    if not 1 <= value <= 50:
        raise MeetingError(_("A booth holds between 1 and 50 meetings at once."))
    row = db.session.get(BoothCapacity, (company_id, show_id)) or BoothCapacity(
        company_id=company_id, show_id=show_id
    )
    row.capacity = value
    db.session.add(row)


def open_days(show: Show) -> list[date]:
    return [
        show.open_from + timedelta(days=n) for n in range((show.open_to - show.open_from).days + 1)
    ]


def slots(show: Show, day: date | None = None, after: datetime | None = None) -> list[datetime]:
    """The start of every meeting slot (aware UTC) on the open days, within the meeting hours,
    from `after` (default: now) on."""
    found = []
    after = after or clock.now()
    window = hours(show)
    for open_day in [day] if day else open_days(show):
        start = datetime.combine(open_day, window.opens, tzinfo=show.tz)
        end = datetime.combine(open_day, window.closes, tzinfo=show.tz)
        while start + window.slot <= end:
            if start > after:
                found.append(start.astimezone(UTC))
            start += window.slot
    return found


def _check_slot(show: Show, starts_at: datetime) -> datetime:
    """The slot's end; refuses a time that is not one of the show's meeting slots."""
    now = clock.now()
    if show.is_over_at(now) or now >= show.local_end(show.open_to):
        raise MeetingError(_("This show is over: no more meetings can be arranged."))
    if starts_at.tzinfo is None:
        raise MeetingError(_("Please choose one of the offered time slots."))
    window = hours(show)
    local = starts_at.astimezone(show.tz)
    inside_days = show.open_from <= local.date() <= show.open_to
    day_start = datetime.combine(local.date(), window.opens, tzinfo=show.tz)
    day_end = datetime.combine(local.date(), window.closes, tzinfo=show.tz)
    aligned = (local - day_start) % window.slot == timedelta(0)
    if not inside_days or local < day_start or local + window.slot > day_end or not aligned:
        raise MeetingError(
            _(
                "Meetings take place on the open days between %(opens)s and %(closes)s, "
                "in slots of %(minutes)d minutes.",
                opens=window.opens.strftime("%H:%M"),
                closes=window.closes.strftime("%H:%M"),
                minutes=window.slot_minutes,
            )
        )
    if starts_at <= now:
        raise MeetingError(_("This time slot has already begun; please choose a later one."))
    return starts_at + window.slot


# --- who may meet -------------------------------------------------------------------------------


def live_contract(company_id: int, show_id: int) -> Contract | None:
    return db.session.scalar(
        sa.select(Contract).where(
            Contract.company_id == company_id,
            Contract.show_id == show_id,
            Contract.state == ContractState.signed,
        )
    )


def registration_of(visitor_id: int, show_id: int) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.visitor_id == visitor_id,
            Registration.show_id == show_id,
            Registration.state == RegistrationState.active,
        )
    )


def _check_parties(show: Show, company_id: int, registration: Registration, by: Party) -> None:
    if registration.show_id != show.id or registration.state is not RegistrationState.active:
        raise MeetingError(_("This visitor is not registered for the show."))
    if registration.company_id == company_id:
        raise MeetingError(_("You cannot request a meeting with yourself."))
    if live_contract(company_id, show.id) is None:
        raise MeetingError(_("This exhibitor does not exhibit at the show."))
    if by is Party.exhibitor and not registration.meeting_consent:
        raise MeetingError(
            _("This visitor has not agreed to be contacted for meetings; no request was sent.")
        )


def open_meeting_between(company_id: int, visitor_id: int, show_id: int) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting).where(
            Meeting.company_id == company_id,
            Meeting.visitor_id == visitor_id,
            Meeting.show_id == show_id,
            Meeting.state.in_(OPEN_STATES),
        )
    )


# --- requests and answers -------------------------------------------------------------------------


def _other(party: Party) -> Party:
    return Party.exhibitor if party is Party.visitor else Party.visitor


def request_meeting(
    show: Show,
    company_id: int,
    registration: Registration,
    starts_at: datetime,
    *,
    by: Party,
    message: str = "",
) -> Meeting:
    """A visitor asks an exhibitor for a meeting in a slot, or the other way round."""
    ends_at = _check_slot(show, starts_at)
    _check_parties(show, company_id, registration, by)
    if open_meeting_between(company_id, registration.visitor_id, show.id) is not None:
        raise MeetingError(_("There is already a meeting or an open request between you."))
    meeting = Meeting(
        show_id=show.id,
        company_id=company_id,
        visitor_id=registration.visitor_id,
        registration_id=registration.id,
        state=MeetingState.requested,
        requested_by=by,
        awaiting=_other(by),
        starts_at=starts_at,
        ends_at=ends_at,
        message=(message or "").strip()[:2000],
    )
    db.session.add(meeting)
    db.session.flush()
    _timeline(meeting, MEETING_REQUESTED, {"when": _when(meeting)}, "requested")
    _notify(meeting, meeting.awaiting, "matchmaking/request")
    return meeting


def _expect(meeting: Meeting, by: Party, *states: MeetingState) -> None:
    if meeting.state not in states:
        raise MeetingError(_("This meeting has already been answered or has changed."))
    if meeting.state is MeetingState.requested and meeting.awaiting not in (by, None):
        raise MeetingError(_("The other side has yet to answer this request."))


def accept(meeting: Meeting, by: Party) -> Meeting:
    """Book the slot for the booth and the visitor; a slot just taken is refused clearly."""
    _expect(meeting, by, MeetingState.requested)
    _check_slot(meeting.show, meeting.starts_at)
    _book(meeting)
    meeting.state = MeetingState.accepted
    meeting.awaiting = None
    meeting.responded_at = clock.now()
    meeting.version += 1
    db.session.flush()
    _confirmed(meeting)
    return meeting


def _book(meeting: Meeting) -> None:
    """One seat of the booth's capacity and the visitor's time, guarded by unique keys: two
    acceptances at one moment make one booking, and the other is refused."""
    seats = capacity(meeting.company_id, meeting.show_id)
    for seat in range(1, seats + 1):
        try:
            with db.session.begin_nested():
                db.session.add(
                    SlotBooking(
                        meeting_id=meeting.id,
                        show_id=meeting.show_id,
                        company_id=meeting.company_id,
                        visitor_id=meeting.visitor_id,
                        starts_at=meeting.starts_at,
                        seat=seat,
                    )
                )
            return
        except IntegrityError:
            if _visitor_busy(meeting):
                raise _visitor_taken() from None
    raise MeetingError(
        _("This time slot was just taken at the booth. Please propose another slot.")
    )


def _visitor_busy(meeting: Meeting) -> bool:
    return (
        db.session.scalar(
            sa.select(SlotBooking.id).where(
                SlotBooking.show_id == meeting.show_id,
                SlotBooking.visitor_id == meeting.visitor_id,
                SlotBooking.starts_at == meeting.starts_at,
            )
        )
        is not None
    )


def _visitor_taken() -> MeetingError:
    return MeetingError(
        _("The visitor already has a meeting at this time. Please propose another slot.")
    )


def decline(meeting: Meeting, by: Party) -> Meeting:
    _expect(meeting, by, MeetingState.requested)
    meeting.state = MeetingState.declined
    meeting.awaiting = None
    meeting.responded_at = clock.now()
    meeting.version += 1
    _timeline(meeting, MEETING_DECLINED, {}, "declined")
    _notify(meeting, _other(by), "matchmaking/declined")
    return meeting


def propose(meeting: Meeting, by: Party, starts_at: datetime) -> Meeting:
    """Answer a request with another slot: the request now waits for the other side."""
    _expect(meeting, by, MeetingState.requested)
    meeting.ends_at = _check_slot(meeting.show, starts_at)
    meeting.starts_at = starts_at
    meeting.awaiting = _other(by)
    meeting.version += 1
    db.session.flush()
    _timeline(meeting, MEETING_PROPOSED, {"when": _when(meeting)}, f"proposed:{meeting.version}")
    _notify(meeting, meeting.awaiting, "matchmaking/request")
    return meeting


def cancel(meeting: Meeting, by: Party) -> Meeting:
    if meeting.state not in OPEN_STATES:
        raise MeetingError(_("This meeting has already been answered or has changed."))
    if meeting.ends_at <= clock.now():
        raise MeetingError(_("This meeting is over; record it as held or as a no-show."))
    meeting.state = MeetingState.cancelled
    meeting.cancelled_at = clock.now()
    meeting.cancelled_by = by
    meeting.awaiting = None
    meeting.version += 1
    db.session.execute(sa.delete(SlotBooking).where(SlotBooking.meeting_id == meeting.id))
    _timeline(meeting, MEETING_CANCELLED, {"when": _when(meeting), "party": by.value}, "cancelled")
    recipients = [Party.visitor, Party.exhibitor] if by is Party.organiser else [_other(by)]
    for party in recipients:
        _notify(meeting, party, "matchmaking/cancelled")
    return meeting


def mark_held(meeting: Meeting, at: datetime | None = None) -> Meeting:
    if meeting.state is MeetingState.held:
        return meeting
    if meeting.state not in (MeetingState.accepted, MeetingState.no_show):
        raise MeetingError(_("Only a confirmed meeting can be held."))
    at = at or clock.now()
    meeting.state = MeetingState.held
    meeting.held_at = at
    meeting.no_show_at = None
    meeting.version += 1
    _timeline(meeting, MEETING_HELD, None, "held", channel=Channel.face_to_face, at=at)
    return meeting


def mark_no_show(meeting: Meeting) -> Meeting:
    if meeting.state is not MeetingState.accepted:
        raise MeetingError(_("Only a confirmed meeting can be recorded as a no-show."))
    if meeting.starts_at > clock.now():
        raise MeetingError(_("A no-show can be recorded once the meeting has begun."))
    meeting.state = MeetingState.no_show
    meeting.no_show_at = clock.now()
    meeting.version += 1
    _timeline(meeting, MEETING_NO_SHOW, {"when": _when(meeting)}, "no_show")
    return meeting


def confirm_by_scan(company_id: int, show_id: int, visitor_id: int, at: datetime) -> Meeting | None:
    """A badge scanned at the booth around a confirmed meeting's time: the meeting was held."""
    meeting = db.session.scalar(
        sa.select(Meeting)
        .where(
            Meeting.company_id == company_id,
            Meeting.show_id == show_id,
            Meeting.visitor_id == visitor_id,
            Meeting.state.in_((MeetingState.accepted, MeetingState.no_show)),
            Meeting.starts_at <= at + SCAN_EARLY,
            Meeting.ends_at >= at - SCAN_LATE,
        )
        .order_by(Meeting.starts_at)
    )
    if meeting is not None:
        mark_held(meeting, at)
    return meeting


# --- hosted buyers ------------------------------------------------------------------------------


def invite_hosted_buyer(show: Show, registration: Registration, note: str = "") -> HostedBuyer:
    if registration.show_id != show.id or registration.state is not RegistrationState.active:
        raise MeetingError(_("This visitor is not registered for the show."))
    existing = db.session.scalar(
        sa.select(HostedBuyer).where(
            HostedBuyer.show_id == show.id, HostedBuyer.visitor_id == registration.visitor_id
        )
    )
    if existing is not None:
        raise MeetingError(_("This visitor is already a hosted buyer of the show."))
    buyer = HostedBuyer(
        show_id=show.id,
        visitor_id=registration.visitor_id,
        invited_at=clock.now(),
        note=(note or "").strip()[:2000],
    )
    db.session.add(buyer)
    db.session.flush()
    audit.record("hosted_buyer.invite", buyer, after={"visitor_id": registration.visitor_id})
    return buyer


def hosted_buyers(show_id: int) -> list[HostedBuyer]:
    return list(
        db.session.scalars(
            sa.select(HostedBuyer)
            .join(Visitor, Visitor.id == HostedBuyer.visitor_id)
            .where(HostedBuyer.show_id == show_id)
            .order_by(Visitor.name)
        )
    )


def schedule_for_hosted_buyer(
    show: Show, company_id: int, visitor_id: int, starts_at: datetime
) -> Meeting:
    """Staff book a hosted buyer's meeting: confirmed at once, both sides told."""
    if (
        db.session.scalar(
            sa.select(HostedBuyer.id).where(
                HostedBuyer.show_id == show.id, HostedBuyer.visitor_id == visitor_id
            )
        )
        is None
    ):
        raise MeetingError(_("Only hosted buyers' meetings are scheduled by the organiser."))
    registration = registration_of(visitor_id, show.id)
    if registration is None:
        raise MeetingError(_("This visitor is not registered for the show."))
    ends_at = _check_slot(show, starts_at)
    _check_parties(show, company_id, registration, Party.organiser)
    if open_meeting_between(company_id, visitor_id, show.id) is not None:
        raise MeetingError(_("There is already a meeting or an open request between you."))
    meeting = Meeting(
        show_id=show.id,
        company_id=company_id,
        visitor_id=visitor_id,
        registration_id=registration.id,
        state=MeetingState.requested,
        requested_by=Party.organiser,
        awaiting=None,
        hosted=True,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    db.session.add(meeting)
    db.session.flush()
    _book(meeting)
    meeting.state = MeetingState.accepted
    meeting.responded_at = clock.now()
    db.session.flush()
    _confirmed(meeting)
    return meeting


# --- reading ------------------------------------------------------------------------------------


def meetings_of_company(company_id: int, show_id: int) -> list[Meeting]:
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.company_id == company_id, Meeting.show_id == show_id)
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )


def meetings_of_visitor(visitor_id: int, show_id: int) -> list[Meeting]:
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.visitor_id == visitor_id, Meeting.show_id == show_id)
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )


def held_meetings_by_company(show_id: int) -> dict[int, int]:
    """company_id -> meetings held at the show (for the exhibitor's return on exhibiting)."""
    rows = db.session.execute(
        sa.select(Meeting.company_id, sa.func.count(Meeting.id))
        .where(Meeting.show_id == show_id, Meeting.state == MeetingState.held)
        .group_by(Meeting.company_id)
    )
    return {company_id: count for company_id, count in rows}


def held_meetings_by_visitor(show_id: int | None = None) -> dict[tuple[int, int], int]:
    """(visitor_id, show_id) -> meetings held (for the visitor's value)."""
    query = (
        sa.select(Meeting.visitor_id, Meeting.show_id, sa.func.count(Meeting.id))
        .where(Meeting.state == MeetingState.held)
        .group_by(Meeting.visitor_id, Meeting.show_id)
    )
    if show_id is not None:
        query = query.where(Meeting.show_id == show_id)
    return {(v, s): n for v, s, n in db.session.execute(query)}


# --- signed links -------------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def link_token(meeting: Meeting, party: Party) -> str:
    """A link for one side to answer this version of the meeting; any change voids it."""
    return _serializer().dumps([meeting.id, party.value, meeting.version])


def meeting_for_token(token: str) -> tuple[Meeting, Party] | None:
    """The meeting and the side a link was made for; None when forged or already used."""
    try:
        meeting_id, party, version = _serializer().loads(token)
        party = Party(party)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(meeting_id, int) or not isinstance(version, int):
        return None
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.version != version or party is Party.organiser:
        return None
    return meeting, party


def link_url(meeting: Meeting, party: Party) -> str:
    return (
        f"{current_app.config['BASE_URL'].rstrip('/')}/meetings/link/{link_token(meeting, party)}"
    )


# --- emails and the timeline ------------------------------------------------------------------


def _when(meeting: Meeting) -> str:
    """The slot as read on the show floor, the same in both languages."""
    local = meeting.starts_at.astimezone(meeting.show.tz)
    end = meeting.ends_at.astimezone(meeting.show.tz)
    return f"{local:%Y-%m-%d %H:%M}–{end:%H:%M} ({meeting.show.timezone})"


def _company(meeting: Meeting) -> Company:
    return meeting.company or db.session.get(Company, meeting.company_id)


def recipient(meeting: Meeting, party: Party) -> tuple[str, str, str] | None:
    """(email, name, language) of a side, or None when it has no address."""
    if party is Party.visitor:
        visitor = meeting.visitor or db.session.get(Visitor, meeting.visitor_id)
        language = visitor.locale if visitor.locale in ("zh", "en") else "zh"
        return visitor.email, visitor.name, language
    contact = _company(meeting).primary_contact
    if contact is None or not contact.email:
        return None
    return contact.email, contact.name, contact.locale if contact.locale in ("zh", "en") else "zh"


def _notify(
    meeting: Meeting,
    party: Party,
    template: str,
    *,
    with_calendar: bool = False,
    dedupe_key: str | None = None,
) -> None:
    found = recipient(meeting, party)
    if found is None:
        return
    address, name, language = found
    company = _company(meeting)
    visitor = meeting.visitor or db.session.get(Visitor, meeting.visitor_id)
    attachments = []
    if with_calendar:
        with force_locale(language):
            attachments.append(
                Attachment(
                    "meeting.ics",
                    "text/calendar; charset=utf-8; method=PUBLISH",
                    ics.meeting_calendar(meeting, company, visitor, party),
                )
            )
    enqueue_email(
        address,
        template,
        language=language,
        to_name=name,
        context={
            "meeting": meeting,
            "show": meeting.show,
            "company": company,
            "visitor": visitor,
            "party": party.value,
            "when": _when(meeting),
            "link": link_url(meeting, party) if meeting.state is MeetingState.requested else "",
        },
        attachments=attachments,
        subject_ref=(SubjectKind.visitor, visitor.id)
        if party is Party.visitor
        else (SubjectKind.exhibitor, company.id),
        show_id=meeting.show_id,
        dedupe_key=dedupe_key or f"meeting:{meeting.id}:{meeting.version}:{party.value}",
    )


def _confirmed(meeting: Meeting) -> None:
    company = _company(meeting)
    visitor = meeting.visitor or db.session.get(Visitor, meeting.visitor_id)
    _timeline(
        meeting,
        MEETING_CONFIRMED,
        {"when": _when(meeting)},
        "confirmed",
        other={
            SubjectKind.exhibitor: visitor.name,
            SubjectKind.visitor: {"zh": company.name_zh, "en": company.name_en},
        },
    )
    for party in (Party.visitor, Party.exhibitor):
        _notify(meeting, party, "matchmaking/confirmed", with_calendar=True)


def send_reminders(at: datetime) -> int:
    """The day before: a reminder with the calendar file to both sides of each confirmed meeting."""
    due = db.session.scalars(
        sa.select(Meeting).where(
            Meeting.state == MeetingState.accepted,
            Meeting.starts_at > at,
            Meeting.starts_at <= at + REMINDER_AHEAD,
        )
    )
    sent = 0
    for meeting in due:
        for party in (Party.visitor, Party.exhibitor):
            _notify(
                meeting,
                party,
                "matchmaking/reminder",
                with_calendar=True,
                dedupe_key=f"meeting-reminder:{meeting.id}:{meeting.starts_at:%Y%m%d%H%M}:{party.value}",
            )
            sent += 1
    return sent


def _timeline(
    meeting: Meeting,
    event: str,
    params: dict | None,
    step: str,
    *,
    other: dict | None = None,
    channel: Channel = Channel.event,
    at: datetime | None = None,
) -> None:
    """The meeting on both customers' timelines; each names the other side where it says who."""
    company = _company(meeting)
    visitor = meeting.visitor or db.session.get(Visitor, meeting.visitor_id)
    names = other or {
        SubjectKind.exhibitor: visitor.name,
        SubjectKind.visitor: {"zh": company.name_zh, "en": company.name_en},
    }
    for kind, subject_id in (
        (SubjectKind.exhibitor, meeting.company_id),
        (SubjectKind.visitor, meeting.visitor_id),
    ):
        values = dict(params or {})
        if event in (MEETING_CONFIRMED, MEETING_HELD):
            values["other"] = names[kind]
        log_interaction(
            kind,
            subject_id,
            channel=channel,
            direction=Direction.inbound,
            event=event,
            params=values,
            show_id=meeting.show_id,
            occurred_at=at or clock.now(),
            source_key=f"meeting:{meeting.id}:{step}:{kind.value}"[:80],
        )
