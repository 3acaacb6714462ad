"""The organiser's view of a show's meetings: per exhibitor, per day, the rates, the export."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from expo_crm.db import db
from expo_crm.exhibitors.models import Booth, BoothAssignment, Company
from expo_crm.matchmaking.models import Meeting, MeetingState
from expo_crm.shows.models import Show
from expo_crm.visitors.models import Visitor

CONFIRMED = (MeetingState.accepted, MeetingState.held, MeetingState.no_show)


@dataclass
class Tally:
    requested: int = 0
    confirmed: int = 0
    declined: int = 0
    cancelled: int = 0
    held: int = 0
    no_show: int = 0
    open: int = 0

    def add(self, state: MeetingState) -> None:
        self.requested += 1
        if state in CONFIRMED:
            self.confirmed += 1
        if state is MeetingState.declined:
            self.declined += 1
        if state is MeetingState.cancelled:
            self.cancelled += 1
        if state is MeetingState.held:
            self.held += 1
        if state is MeetingState.no_show:
            self.no_show += 1
        if state is MeetingState.requested:
            self.open += 1

    @property
    def acceptance_rate(self) -> float | None:
        """Confirmed among the requests answered (accepted or declined)."""
        answered = self.confirmed + self.declined
        return self.confirmed / answered if answered else None

    @property
    def no_show_rate(self) -> float | None:
        """No-shows among the meetings whose outcome is recorded."""
        settled = self.held + self.no_show
        return self.no_show / settled if settled else None


@dataclass
class ShowReport:
    total: Tally = field(default_factory=Tally)
    by_exhibitor: list[tuple[str, str, Tally]] = field(default_factory=list)
    by_day: list[tuple[date, Tally]] = field(default_factory=list)


def booths_of(show_id: int) -> dict[int, str]:
    """company_id -> its booth numbers at the show."""
    found: dict[int, list[str]] = defaultdict(list)
    for company_id, number in db.session.execute(
        sa.select(BoothAssignment.company_id, Booth.number)
        .join(Booth, Booth.id == BoothAssignment.booth_id)
        .where(BoothAssignment.show_id == show_id)
        .order_by(Booth.number)
    ):
        found[company_id].append(number)
    return {company_id: ", ".join(numbers) for company_id, numbers in found.items()}


def show_report(show: Show) -> ShowReport:
    report = ShowReport()
    exhibitors: dict[int, Tally] = defaultdict(Tally)
    days: dict[date, Tally] = defaultdict(Tally)
    names = {}
    rows = db.session.execute(
        sa.select(Meeting.company_id, Meeting.state, Meeting.starts_at, Company)
        .join(Company, Company.id == Meeting.company_id)
        .where(Meeting.show_id == show.id)
    )
    for company_id, state, starts_at, company in rows:
        report.total.add(state)
        exhibitors[company_id].add(state)
        days[show.local_date(starts_at)].add(state)
        names[company_id] = company.name
    booths = booths_of(show.id)
    report.by_exhibitor = sorted(
        ((names[c], booths.get(c, ""), tally) for c, tally in exhibitors.items()),
        key=lambda row: (-row[2].requested, row[0]),
    )
    report.by_day = sorted(days.items())
    return report


def meeting_table(show: Show) -> tuple[list[str], list[list]]:
    headers = [
        _("Day"),
        _("From"),
        _("Until"),
        _("Exhibitor"),
        _("Booth"),
        _("Visitor"),
        _("Visitor's company"),
        _("State"),
        _("Requested by"),
        _("Hosted buyer"),
    ]
    booths = booths_of(show.id)
    rows = []
    for meeting, company, visitor in db.session.execute(
        sa.select(Meeting, Company, Visitor)
        .join(Company, Company.id == Meeting.company_id)
        .join(Visitor, Visitor.id == Meeting.visitor_id)
        .where(Meeting.show_id == show.id)
        .order_by(Meeting.starts_at, Meeting.id)
    ):
        start = meeting.starts_at.astimezone(show.tz)
        end = meeting.ends_at.astimezone(show.tz)
        rows.append(
            [
                start.date(),
                start.strftime("%H:%M"),
                end.strftime("%H:%M"),
                company.name,
                booths.get(company.id, ""),
                visitor.name,
                visitor.company,
                meeting.state.label,
                meeting.requested_by.label,
                _("yes") if meeting.hosted else "",
            ]
        )
    return headers, rows
