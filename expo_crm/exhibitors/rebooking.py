"""Rebooking for the next edition: past exhibitors get priority windows, ordered by customer
value and loyalty (the nightly customer_values and loyalty measures) or, for those not yet
valued, by their participation history; in its window a company picks a free booth on the plan,
which holds it for a while; booked, the hold becomes an approved application with that booth,
else it lapses and the booth is free again. A booth is never held twice: a partial unique index
on active holds, the booth row locked while it is picked, and its status checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from expo_crm import audit, clock
from expo_crm.db import db, is_unique_violation
from expo_crm.exhibitors.applications import _record_event, create_application
from expo_crm.exhibitors.booking_models import (
    RANK_BY_HISTORY,
    RANK_BY_VALUE,
    BoothHold,
    HoldState,
    RebookingPlan,
    RebookingWindow,
)
from expo_crm.exhibitors.booths import assign_booth
from expo_crm.exhibitors.models import (
    Application,
    ApplicationChannel,
    ApplicationState,
    Booth,
    BoothAssignment,
    BoothStatus,
    Company,
    Contract,
    ContractState,
)
from expo_crm.exhibitors.services import ExhibitorError
from expo_crm.i18n import localtime
from expo_crm.relationships.models import CustomerValueState
from expo_crm.shows.models import Show
from expo_crm.subjects import SubjectKind

LOYALTY_ORDER = {"advocate": 2, "follower": 1, "none": 0}


class RebookingError(ExhibitorError):
    """A rebooking setting, pick or booking refused; str(error) is a message for the user."""


# --- settings and windows ----------------------------------------------------------------------


def plan_for(show_id: int) -> RebookingPlan | None:
    return db.session.scalar(sa.select(RebookingPlan).where(RebookingPlan.show_id == show_id))


def next_planned_show(at: datetime) -> Show | None:
    """The first show not yet open whose rebooking is planned: the one the rebooking page is
    about unless staff name another."""
    return db.session.scalar(
        sa.select(Show)
        .join(RebookingPlan, RebookingPlan.show_id == Show.id)
        .where(Show.open_from > at.date())
        .order_by(Show.open_from)
        .limit(1)
    )


def save_plan(
    show: Show,
    *,
    starts_at: datetime,
    window_hours: int,
    companies_per_window: int,
    hold_minutes: int,
) -> RebookingPlan:
    if window_hours <= 0 or companies_per_window <= 0 or hold_minutes <= 0:
        raise RebookingError(
            _("Window length, companies per window and hold time must be above 0.")
        )
    plan = plan_for(show.id)
    if plan is None:
        plan = RebookingPlan(show_id=show.id, starts_at=starts_at)
        db.session.add(plan)
    plan.starts_at = starts_at
    plan.window_hours = window_hours
    plan.companies_per_window = companies_per_window
    plan.hold_minutes = hold_minutes
    db.session.flush()
    audit.record(
        "rebooking.plan",
        plan,
        after={
            "starts_at": starts_at.isoformat(),
            "window_hours": window_hours,
            "companies_per_window": companies_per_window,
            "hold_minutes": hold_minutes,
        },
    )
    return plan


@dataclass
class Candidate:
    company_id: int
    editions: int
    last_area: Decimal
    value: Decimal | None
    loyalty: str

    @property
    def sort_key(self) -> tuple:
        return (
            self.value is None,
            -(self.value or 0),
            -LOYALTY_ORDER[self.loyalty],
            -self.editions,
            -self.last_area,
            self.company_id,
        )


def past_exhibitors(show: Show) -> list[Candidate]:
    """Companies with a live contract at an earlier edition of the show's series, in order."""
    rows = db.session.execute(
        sa.select(Contract.company_id, Contract.booth_area_m2, Show.open_from)
        .join(Show, Show.id == Contract.show_id)
        .where(
            Show.series == show.series,
            Show.open_from < show.open_from,
            Contract.state != ContractState.cancelled,
        )
        .order_by(Show.open_from)
    ).all()
    history: dict[int, list] = {}
    for company_id, area, _opened in rows:
        history.setdefault(company_id, []).append(Decimal(str(area or 0)))
    if not history:
        return []
    values: dict[int, Decimal] = {}
    loyalties: dict[int, str] = {}
    for company_id, historical, current, loyal in db.session.execute(
        sa.select(
            CustomerValueState.company_id,
            CustomerValueState.historical,
            CustomerValueState.current,
            CustomerValueState.loyalty,
        ).where(
            CustomerValueState.kind == SubjectKind.exhibitor,
            CustomerValueState.company_id.in_(list(history)),
        )
    ):
        values[company_id] = historical + current
        loyalties[company_id] = loyal.value if loyal is not None else "none"
    candidates = []
    for company_id, areas in history.items():
        candidates.append(
            Candidate(
                company_id=company_id,
                editions=len(areas),
                last_area=areas[-1],
                value=values.get(company_id),
                loyalty=loyalties.get(company_id, "none"),
            )
        )
    return sorted(candidates, key=lambda c: c.sort_key)


def compute_windows(show: Show) -> list[RebookingWindow]:
    """Store each past exhibitor's window, rank and reason; recomputed until the first opens."""
    plan = plan_for(show.id)
    if plan is None:
        raise RebookingError(
            _("Set when the rebooking windows start and how long they last first.")
        )
    now = clock.now()
    if plan.starts_at <= now and _windows_exist(show.id):
        raise RebookingError(_("The first window has opened: the order can no longer change."))
    db.session.execute(sa.delete(RebookingWindow).where(RebookingWindow.show_id == show.id))
    candidates = past_exhibitors(show)
    groups = max((len(candidates) - 1) // plan.companies_per_window + 1, 1)
    length = timedelta(hours=plan.window_hours)
    closes_at = plan.starts_at + groups * length
    windows = []
    for rank, candidate in enumerate(candidates, start=1):
        if candidate.value is not None:
            event, params = (
                RANK_BY_VALUE,
                {
                    "value": f"{candidate.value:,.2f}",
                    "loyalty": candidate.loyalty,
                    "editions": candidate.editions,
                },
            )
        else:
            event, params = (
                RANK_BY_HISTORY,
                {"editions": candidate.editions, "area": str(candidate.last_area)},
            )
        window = RebookingWindow(
            show_id=show.id,
            company_id=candidate.company_id,
            rank=rank,
            opens_at=plan.starts_at + ((rank - 1) // plan.companies_per_window) * length,
            closes_at=closes_at,
            score=candidate.value or Decimal(0),
            reason_event=event,
            reason_params=params,
        )
        db.session.add(window)
        windows.append(window)
    plan.computed_at = now
    db.session.flush()
    audit.record("rebooking.windows", plan, after={"windows": len(windows)})
    return windows


def _windows_exist(show_id: int) -> bool:
    return bool(
        db.session.scalar(sa.select(RebookingWindow.id).where(RebookingWindow.show_id == show_id))
    )


def windows_of(show_id: int) -> list[RebookingWindow]:
    return list(
        db.session.scalars(
            sa.select(RebookingWindow)
            .where(RebookingWindow.show_id == show_id)
            .order_by(RebookingWindow.rank)
        )
    )


def window_for(company_id: int, show_id: int) -> RebookingWindow | None:
    return db.session.scalar(
        sa.select(RebookingWindow).where(
            RebookingWindow.company_id == company_id, RebookingWindow.show_id == show_id
        )
    )


def open_offers(company_id: int) -> list[RebookingWindow]:
    """The company's windows for shows not yet over, soonest first (the portal's list)."""
    return list(
        db.session.scalars(
            sa.select(RebookingWindow)
            .where(
                RebookingWindow.company_id == company_id,
                RebookingWindow.closes_at > clock.now(),
            )
            .order_by(RebookingWindow.opens_at)
        )
    )


# --- picking, holding, booking -----------------------------------------------------------------


def active_hold(company_id: int, show_id: int) -> BoothHold | None:
    return db.session.scalar(
        sa.select(BoothHold).where(
            BoothHold.company_id == company_id,
            BoothHold.show_id == show_id,
            BoothHold.state == HoldState.active,
        )
    )


def _when(moment: datetime, show: Show) -> str:
    return localtime(moment, show.timezone)


def _check_window(company_id: int, show: Show, now: datetime) -> RebookingWindow:
    window = window_for(company_id, show.id)
    if window is None:
        raise RebookingError(_("Your company has no priority window for this show."))
    if now < window.opens_at:
        raise RebookingError(
            _(
                "Your window opens on %(when)s: you cannot pick a booth before.",
                when=_when(window.opens_at, show),
            )
        )
    if now >= window.closes_at:
        raise RebookingError(_("Your priority window has closed."))
    return window


def pick_booth(company_id: int, show: Show, booth_id: int, portal_user_id: int | None) -> BoothHold:
    """Hold a free booth for the company, in its window. Two picks of one booth at the same
    moment: the booth row is locked (PostgreSQL) or the write transaction is serial (SQLite),
    and the unique index on active holds is the last word; the second gets a refusal."""
    now = clock.now()
    _check_window(company_id, show, now)
    has_booth = db.session.scalar(
        sa.select(BoothAssignment.id).where(
            BoothAssignment.company_id == company_id, BoothAssignment.show_id == show.id
        )
    )
    if has_booth:
        raise RebookingError(_("Your company already has a booth at this show."))
    release_lapsed(now, booth_id=booth_id)
    booth = db.session.scalar(sa.select(Booth).where(Booth.id == booth_id).with_for_update())
    if booth is None or booth.show_id != show.id:
        raise RebookingError(_("This booth is not on this show's plan."))
    if booth.status is not BoothStatus.available:
        raise RebookingError(
            _("Booth %(number)s has just been taken. Choose another booth.", number=booth.number)
        )
    number = booth.number
    previous = active_hold(company_id, show.id)
    if previous is not None:
        _end_hold(previous, HoldState.released, now)
    plan = plan_for(show.id)
    hold = BoothHold(
        booth_id=booth.id,
        company_id=company_id,
        show_id=show.id,
        state=HoldState.active,
        held_at=now,
        expires_at=now + timedelta(minutes=plan.hold_minutes if plan else 30),
    )
    db.session.add(hold)
    try:
        db.session.flush()
    except IntegrityError as clash:
        if not is_unique_violation(clash):
            raise
        db.session.rollback()
        raise RebookingError(
            _("Booth %(number)s has just been taken. Choose another booth.", number=number)
        ) from None
    booth.status = BoothStatus.held
    audit.record(
        "booth.hold", booth, after={"company_id": company_id, "portal_user_id": portal_user_id}
    )
    return hold


def _end_hold(hold: BoothHold, state: HoldState, now: datetime) -> None:
    hold.state = state
    hold.ended_at = now
    if hold.booth.status is BoothStatus.held:
        hold.booth.status = BoothStatus.available
    db.session.flush()


def release_hold(hold: BoothHold) -> None:
    if hold.state is not HoldState.active:
        raise RebookingError(_("This booth is no longer held for you."))
    _end_hold(hold, HoldState.released, clock.now())
    audit.record("booth.hold_release", hold.booth, before={"company_id": hold.company_id})


def book_hold(hold: BoothHold, actor: tuple[str, int | None, str]) -> Application:
    """The held booth booked: an approved rebooking application with that booth assigned."""
    now = clock.now()
    if hold.state is not HoldState.active or hold.expires_at <= now:
        raise RebookingError(_("Your hold on this booth has lapsed. Pick a booth again."))
    booth = hold.booth
    application = db.session.scalar(
        sa.select(Application).where(
            Application.company_id == hold.company_id, Application.show_id == hold.show_id
        )
    )
    if application is None:
        application = create_application(
            db.session.get(Company, hold.company_id),
            hold.show_id,
            requested_area_m2=booth.area_m2,
            booth_type=booth.booth_type,
            preferred_hall=booth.hall,
            actor=actor,
        )
        application.channel = ApplicationChannel.rebooking
    elif application.state in (ApplicationState.rejected, ApplicationState.withdrawn):
        raise RebookingError(
            _("Your application for this show was closed; please contact the organiser.")
        )
    if application.state is not ApplicationState.approved:
        old = application.state
        application.state = ApplicationState.approved
        _record_event(application, old, ApplicationState.approved, "", actor)
        audit.record("application.state", application, {"state": old.value}, {"state": "approved"})
    hold.state = HoldState.booked
    hold.ended_at = now
    hold.application_id = application.id
    booth.status = BoothStatus.available
    db.session.flush()
    assign_booth(application, booth.id)
    return application


def release_lapsed(at: datetime, booth_id: int | None = None) -> int:
    """Holds past their time end as lapsed and their booths are free again."""
    query = sa.select(BoothHold).where(
        BoothHold.state == HoldState.active, BoothHold.expires_at <= at
    )
    if booth_id is not None:
        query = query.where(BoothHold.booth_id == booth_id)
    lapsed = list(db.session.scalars(query.with_for_update()))
    for hold in lapsed:
        _end_hold(hold, HoldState.lapsed, at)
        audit.record("booth.hold_lapsed", hold.booth, before={"company_id": hold.company_id})
    return len(lapsed)


def holds_by_booth(show_id: int) -> dict[int, BoothHold]:
    return {
        hold.booth_id: hold
        for hold in db.session.scalars(
            sa.select(BoothHold).where(
                BoothHold.show_id == show_id, BoothHold.state == HoldState.active
            )
        )
    }


# --- the offer email ---------------------------------------------------------------------------


def send_offers(show: Show, at: datetime) -> int:
    """Tell each past exhibitor with a window when it opens; once per window."""
    from expo_crm.mail.services import enqueue_email

    sent = 0
    for window in windows_of(show.id):
        if window.offer_sent_at is not None or window.closes_at <= at:
            continue
        contact = window.company.primary_contact
        if contact is None or not contact.email:
            continue
        queued = enqueue_email(
            contact.email,
            "exhibitors/rebooking_offer",
            language=contact.locale or "zh",
            to_name=contact.name,
            context={
                "name": contact.name,
                "company": window.company,
                "show": show,
                "opens_at": window.opens_at,
                "closes_at": window.closes_at,
                "rank": window.rank,
            },
            dedupe_key=f"exhibitors.rebooking_offer.{window.id}",
            subject_ref=("exhibitor", window.company_id),
            show_id=show.id,
        )
        window.offer_sent_at = at
        sent += queued is not None
    db.session.flush()
    return sent
