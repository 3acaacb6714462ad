"""The show floor of the demo: matchmaking (meeting hours, recommendations both ways, meetings
in every state) and the leads exhibitors scanned at their booths.

The steps go through the services, with the clock stopped at the moment each happened: a
meeting is requested and answered before the show, held when the exhibitor scans the visitor's
badge at the booth around its time (the scan confirms it), or recorded as a no-show after it
began. The past edition gets its whole story, so its return-on-exhibiting reports have leads,
ratings, meetings, costs per lead and percentiles; its other booth scans are history, inserted
in one batch. The show open today has yesterday's and today's scans, each recorded as the
portal records it, and requests still waiting for an answer for tomorrow.

Runs after the exhibitors (with their categories) and visitors (with what they seek)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.exhibitors.leads import record_lead
from expo_crm.exhibitors.models import Contract, ContractState, Lead, PortalUser
from expo_crm.matchmaking import services as meetings
from expo_crm.matchmaking.models import Meeting, Party, Recommendation
from expo_crm.matchmaking.recommend import compute_recommendations
from expo_crm.shows.models import Show
from expo_crm.visitors.models import Registration, RegistrationCategory, RegistrationState
from expo_crm.visitors.services import badge_code

OPENS, CLOSES, SLOT_MINUTES = time(9, 30), time(17, 0), 30
# What happens to a meeting requested before the past edition, in turn.
PAST_OUTCOMES = ("held", "held", "declined", "held", "no_show", "held", "cancelled", "held")
# Leads per exhibitor at the past edition, from a quiet booth to a crowded one; and so far today.
LEADS_PER_EXHIBITOR = (4, 9, 14, 22, 30, 6, 17, 11)
LEADS_SO_FAR = (1, 3, 2, 5, 0, 2)
RATINGS = (5, 4, 4, 3, 3, 3, 2, 1)
NOTES = (
    "询价：年采购量约2万件 / Asked for prices, about 20,000 pieces a year",
    "需要样品寄往德国 / Wants samples sent to Germany",
    "现有供应商交期不稳定 / Unhappy with the lead times of their supplier",
    "OEM 合作意向 / Interested in OEM",
    "",
    "",
)


@dataclass
class Floor:
    show: Show
    contracts: dict[int, Contract]  # company -> its signed contract
    registrations: dict[int, Registration]  # visitor -> its active registration
    busy: set[tuple[str, int, datetime]] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)


def seed(ctx) -> None:
    rng = random.Random(2028)
    for show in ctx.shows:
        meetings.set_hours(show, OPENS, CLOSES, SLOT_MINUTES)
    past, current = _floor(ctx.past), _floor(ctx.current)
    with clock.stopped_at(_local(past.show, -21, time(10))):
        compute_recommendations(past.show.id)
    _past_meetings(past, rng)
    _past_leads(past, rng)
    compute_recommendations(ctx.current.id)
    _current_meetings(ctx, current, rng)
    _leads_so_far(current, rng)
    compute_recommendations(ctx.future.id)
    states = dict(
        db.session.execute(
            sa.select(Meeting.state, sa.func.count(Meeting.id)).group_by(Meeting.state)
        ).all()
    )
    ctx.notes.append(
        "show floor: "
        + ", ".join(f"{state.value} {n}" for state, n in sorted(states.items()))
        + f" meetings; {past.counts.get('leads', 0)} leads at {ctx.past.code}, "
        f"{current.counts.get('leads', 0)} at {ctx.current.code}"
    )


def _floor(show: Show) -> Floor:
    contracts = {
        c.company_id: c
        for c in db.session.scalars(
            sa.select(Contract)
            .where(Contract.show_id == show.id, Contract.state == ContractState.signed)
            .order_by(Contract.company_id)
        )
    }
    registrations = {
        r.visitor_id: r
        for r in db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.show_id == show.id,
                Registration.state == RegistrationState.active,
                Registration.category != RegistrationCategory.exhibitor_staff,
            )
            .order_by(Registration.id)
        )
    }
    return Floor(show, contracts, registrations)


def _local(show: Show, day: int, at: time) -> datetime:
    """A moment `day` days after the show's first open day, at a local time."""
    return datetime.combine(show.open_from + timedelta(days=day), at, tzinfo=show.tz)


def _pairs(floor: Floor, limit: int) -> list[Recommendation]:
    """The best recommendations of the show, one per visitor, the exhibitors taking turns."""
    seen_visitors: set[int] = set()
    per_company: dict[int, int] = {}
    chosen = []
    for recommendation in db.session.scalars(
        sa.select(Recommendation)
        .where(Recommendation.show_id == floor.show.id)
        .order_by(Recommendation.score.desc(), Recommendation.id)
    ):
        if recommendation.visitor_id in seen_visitors:
            continue
        if per_company.get(recommendation.company_id, 0) >= 3:
            continue
        if recommendation.visitor_id not in floor.registrations:
            continue
        seen_visitors.add(recommendation.visitor_id)
        per_company[recommendation.company_id] = per_company.get(recommendation.company_id, 0) + 1
        chosen.append(recommendation)
        if len(chosen) == limit:
            break
    return chosen


def _free_slot(floor: Floor, company_id: int, visitor_id: int, day: int, after: datetime):
    """The first slot of the day after `after` in which neither side has a meeting yet."""
    for starts_at in meetings.slots(floor.show, floor.show.open_from + timedelta(days=day), after):
        if ("c", company_id, starts_at) in floor.busy or ("v", visitor_id, starts_at) in floor.busy:
            continue
        floor.busy.update({("c", company_id, starts_at), ("v", visitor_id, starts_at)})
        return starts_at
    return None


def _request(floor: Floor, pair: Recommendation, starts_at: datetime, k: int) -> Meeting:
    by = Party.visitor if k % 2 else Party.exhibitor
    message = (
        "希望在展位详谈采购计划。 We would like to discuss our purchasing plans at your booth."
        if by is Party.visitor
        else "我们的新品或许适合您。 Our new range may suit you; may we show it to you?"
    )
    return meetings.request_meeting(
        floor.show,
        pair.company_id,
        floor.registrations[pair.visitor_id],
        starts_at,
        by=by,
        message=message,
    )


def _answer_party(meeting: Meeting) -> Party:
    return meeting.awaiting or Party.exhibitor


def _scan(floor: Floor, company_id: int, visitor_id: int, at: datetime, rating: int, note: str):
    """The exhibitor scans the visitor's badge at its booth (a lead; a meeting then is held)."""
    registration = floor.registrations.get(visitor_id)
    contract = floor.contracts.get(company_id)
    if registration is None or contract is None or registration.active_badge is None:
        return
    with clock.stopped_at(at):
        _lead, created = record_lead(
            contract,
            badge_code(registration.active_badge),
            rating=rating,
            note=note,
            captured_by_id=_scanner(company_id),
        )
    if created:
        floor.counts["leads"] = floor.counts.get("leads", 0) + 1


def _scanner(company_id: int) -> int | None:
    return db.session.scalar(
        sa.select(PortalUser.id).where(PortalUser.company_id == company_id).order_by(PortalUser.id)
    )


def _past_meetings(floor: Floor, rng: random.Random) -> None:
    """Requested three weeks before, answered a week later; held, missed, declined, cancelled."""
    requested_at = _local(floor.show, -21, time(10))
    for k, pair in enumerate(_pairs(floor, 16)):
        outcome = PAST_OUTCOMES[k % len(PAST_OUTCOMES)]
        starts_at = _free_slot(floor, pair.company_id, pair.visitor_id, k % 3, requested_at)
        if starts_at is None:
            continue
        with clock.stopped_at(requested_at + timedelta(minutes=k)):
            meeting = _request(floor, pair, starts_at, k)
        with clock.stopped_at(requested_at + timedelta(days=4, hours=k % 8)):
            if outcome == "declined":
                meetings.decline(meeting, _answer_party(meeting))
                continue
            meetings.accept(meeting, _answer_party(meeting))
        if outcome == "cancelled":
            with clock.stopped_at(starts_at - timedelta(days=2)):
                meetings.cancel(meeting, Party.visitor)
        elif outcome == "no_show":
            with clock.stopped_at(starts_at + timedelta(minutes=20)):
                meetings.mark_no_show(meeting)
        else:
            _scan(
                floor,
                pair.company_id,
                pair.visitor_id,
                starts_at + timedelta(minutes=rng.randint(0, 10)),
                rng.choice((4, 5, 5)),
                "洽谈会议 / Meeting at the booth",
            )


def _current_meetings(ctx, floor: Floor, rng: random.Random) -> None:
    """Yesterday's meetings held or missed; tomorrow's confirmed, still asked, or declined."""
    now = clock.now()
    requested_at = _local(floor.show, -10, time(15))
    yesterday = [
        p for p in _pairs(floor, 40) if floor.registrations[p.visitor_id].first_checked_in_at
    ]
    tomorrow = (floor.show.open_to - floor.show.open_from).days
    plan = [("held", 0)] * 5 + [("no_show", 0)] * 2 + [("accepted", tomorrow)] * 4
    plan += [("requested", tomorrow)] * 5 + [("declined", tomorrow)] * 2
    for k, (pair, (outcome, day)) in enumerate(zip(yesterday, plan, strict=False)):
        asked_at = requested_at if outcome != "requested" else now
        starts_at = _free_slot(floor, pair.company_id, pair.visitor_id, day, asked_at)
        if starts_at is None or (outcome in ("held", "no_show") and starts_at > now):
            continue
        with clock.stopped_at(asked_at + timedelta(minutes=k)):
            meeting = _request(floor, pair, starts_at, k)
        if outcome == "requested":
            continue
        with clock.stopped_at(requested_at + timedelta(days=2, minutes=k)):
            if outcome == "declined":
                meetings.decline(meeting, _answer_party(meeting))
                continue
            meetings.accept(meeting, _answer_party(meeting))
        if outcome == "no_show":
            with clock.stopped_at(starts_at + timedelta(minutes=25)):
                meetings.mark_no_show(meeting)
        elif outcome == "held":
            _scan(floor, pair.company_id, pair.visitor_id, starts_at, 5, "")
    _hosted_buyers(ctx, floor, requested_at)


def _hosted_buyers(ctx, floor: Floor, at: datetime) -> None:
    """Two VIP buyers the organiser hosts, each with a meeting it booked for them tomorrow."""
    vips = [
        r
        for r in floor.registrations.values()
        if r.category is RegistrationCategory.vip and r.meeting_consent
    ][:2]
    tomorrow = (floor.show.open_to - floor.show.open_from).days
    companies = list(floor.contracts)
    for k, registration in enumerate(vips):
        with clock.stopped_at(at + timedelta(hours=k)):
            meetings.invite_hosted_buyer(
                floor.show, registration, "采购团团长 / Leads a buying delegation"
            )
            company_id = companies[(k * 7) % len(companies)]
            starts_at = _free_slot(floor, company_id, registration.visitor_id, tomorrow, at)
            if starts_at is not None:
                meetings.schedule_for_hosted_buyer(
                    floor.show, company_id, registration.visitor_id, starts_at
                )


def _came(floor: Floor, until: datetime | None = None) -> list[int]:
    return [
        r.visitor_id
        for r in floor.registrations.values()
        if r.first_checked_in_at is not None and (until is None or r.first_checked_in_at < until)
    ]


def _scan_time(floor: Floor, rng: random.Random, visitor_id: int, days: int) -> datetime:
    arrived = floor.registrations[visitor_id].first_checked_in_at
    at = max(arrived, _local(floor.show, rng.randrange(days), time(9, 30)))
    return at + timedelta(minutes=rng.randint(5, 300))


def _past_leads(floor: Floor, rng: random.Random) -> None:
    """The past edition's booth scans, as history: one batch over the open days."""
    came = _came(floor)
    days = (floor.show.open_to - floor.show.open_from).days + 1
    taken = set(
        db.session.execute(
            sa.select(Lead.company_id, Lead.visitor_id).where(Lead.show_id == floor.show.id)
        ).all()
    )
    rows = []
    for n, company_id in enumerate(floor.contracts):
        wanted = LEADS_PER_EXHIBITOR[n % len(LEADS_PER_EXHIBITOR)]
        scanner = _scanner(company_id)
        for visitor_id in rng.sample(came, min(wanted, len(came))):
            if (company_id, visitor_id) in taken:
                continue
            rows.append(
                {
                    "company_id": company_id,
                    "show_id": floor.show.id,
                    "registration_id": floor.registrations[visitor_id].id,
                    "visitor_id": visitor_id,
                    "rating": rng.choice(RATINGS),
                    "note": rng.choice(NOTES),
                    "captured_at": _scan_time(floor, rng, visitor_id, days),
                    "captured_by_id": scanner,
                }
            )
    if rows:
        db.session.execute(sa.insert(Lead), rows)
    floor.counts["leads"] = floor.counts.get("leads", 0) + len(rows)


def _leads_so_far(floor: Floor, rng: random.Random) -> None:
    """Yesterday's and this morning's scans at the show open today, recorded one by one."""
    now = clock.now()
    came = _came(floor, until=now)
    days = (floor.show.local_date(now) - floor.show.open_from).days + 1
    for n, company_id in enumerate(floor.contracts):
        wanted = LEADS_SO_FAR[n % len(LEADS_SO_FAR)]
        for visitor_id in rng.sample(came, min(wanted, len(came))):
            at = _scan_time(floor, rng, visitor_id, days)
            if at < now:
                _scan(floor, company_id, visitor_id, at, rng.choice(RATINGS), rng.choice(NOTES))
