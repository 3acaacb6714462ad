"""Visitor steps of the service plan: e-badges, day-before reminder, invitations, daily thanks;
the staff's morning attendance digest and the hourly traffic snapshots.

Each is idempotent per recipient through the outbox dedupe_key, so a step that runs twice or
is restarted half way sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from expo_crm.auth.services import staff_with
from expo_crm.db import db
from expo_crm.mail.models import MailCategory
from expo_crm.mail.services import enqueue_email
from expo_crm.scheduler.registry import in_step_target, periodic_job, plan_action
from expo_crm.shows.models import Show
from expo_crm.visitors import badges, services
from expo_crm.visitors.models import (
    Registration,
    RegistrationCategory,
    RegistrationState,
    TrafficSnapshot,
    Visitor,
)


def _active(show: Show):
    return (
        sa.select(Registration)
        .where(Registration.show_id == show.id, Registration.state == RegistrationState.active)
        .order_by(Registration.id)
    )


def _language(visitor: Visitor) -> str:
    return visitor.locale if visitor.locale in ("zh", "en") else "zh"


@plan_action(
    "visitors.ebadges",
    label=_l("E-badges to registered visitors who have none yet"),
    audience="visitors",
    anchor="open_from",
    offset_days=-7,
    until=("open_to", 1),
    hour=10,
)
def send_missing_badges(show: Show, at: datetime) -> int:
    sent = 0
    for registration in db.session.scalars(
        _active(show).where(Registration.badge_sent_at.is_(None))
    ):
        if registration.active_badge is None:
            services.issue_badge(registration)
        if (
            services.send_badge(registration, dedupe_key=f"visitors.ebadge:{registration.id}")
            is not None
        ):
            sent += 1
    return sent


@plan_action(
    "visitors.reminder",
    label=_l("Day-before reminder to registered visitors"),
    audience="visitors",
    anchor="open_from",
    offset_days=-1,
    until=("open_from", 0),
    hour=10,
)
def remind_registered(show: Show, at: datetime) -> int:
    """ "See you tomorrow", checked again at send time: never to someone who already came."""
    sent = 0
    not_yet_in = _active(show).where(Registration.first_checked_in_at.is_(None))
    for registration in db.session.scalars(not_yet_in):
        visitor = registration.visitor
        message = enqueue_email(
            visitor.email,
            "visitors/reminder",
            language=_language(visitor),
            to_name=visitor.name,
            context={
                "visitor": visitor,
                "show": show,
                "manage_url": services.manage_url(registration),
            },
            dedupe_key=f"visitors.reminder:{registration.id}",
            subject_ref=("visitor", visitor.id),
            show_id=show.id,
        )
        sent += message is not None
    return sent


def qualified_past_visitors(show: Show) -> list[Visitor]:
    """Trade visitors who came to an earlier edition of the series, agreed to marketing there
    (on their latest registration), and have not registered for this show yet."""
    earlier = aliased(Show)
    past = (
        sa.select(Registration.visitor_id, sa.func.max(Registration.id).label("latest"))
        .join(earlier, earlier.id == Registration.show_id)
        .where(earlier.series == show.series, earlier.open_from < show.open_from)
        .group_by(Registration.visitor_id)
        .subquery()
    )
    came = (
        sa.select(Registration.visitor_id)
        .join(earlier, earlier.id == Registration.show_id)
        .where(
            earlier.series == show.series,
            earlier.open_from < show.open_from,
            Registration.first_checked_in_at.is_not(None),
            Registration.category.in_(
                [RegistrationCategory.professional, RegistrationCategory.vip]
            ),
        )
    )
    already = sa.select(Registration.visitor_id).where(
        Registration.show_id == show.id, Registration.state == RegistrationState.active
    )
    return list(
        db.session.scalars(
            sa.select(Visitor)
            .join(past, past.c.visitor_id == Visitor.id)
            .join(Registration, Registration.id == past.c.latest)
            .where(
                Registration.marketing_consent.is_(True),
                Visitor.id.in_(came),
                Visitor.id.not_in(already),
            )
            .order_by(Visitor.id)
        )
    )


@plan_action(
    "visitors.invite",
    label=_l("Invite qualified visitors of past editions"),
    audience="visitors",
    anchor="open_from",
    offset_days=-60,
    until=("open_from", 0),
    hour=10,
    targetable=True,
)
def invite_past_visitors(show: Show, at: datetime) -> int:
    """The invitation mail to the qualified visitors of past editions that the step's target
    reaches (e.g. only low-value customers, when value customers get a personal call)."""
    from flask import current_app

    if not show.registration_open:
        return 0
    invitees = qualified_past_visitors(show)
    reached = in_step_target("visitor", {visitor.id for visitor in invitees})
    sent = 0
    for visitor in (v for v in invitees if v.id in reached):
        language = _language(visitor)
        message = enqueue_email(
            visitor.email,
            "visitors/invitation",
            language=language,
            to_name=visitor.name,
            context={
                "visitor": visitor,
                "show": show,
                "register_url": f"{current_app.config['BASE_URL']}/visit/{show.id}/register?lang={language}",
            },
            category=MailCategory.marketing,
            dedupe_key=f"visitors.invite:{show.id}:{visitor.id}",
            subject_ref=("visitor", visitor.id),
            show_id=show.id,
        )
        sent += message is not None
    return sent


@plan_action(
    "visitors.thanks",
    label=_l("End-of-day thanks to the day's visitors"),
    audience="visitors",
    anchor="open_from",
    offset_days=0,
    until=("open_to", 1),
    hour=18,
    repeat_daily=True,
)
def thank_todays_visitors(show: Show, at: datetime) -> int:
    day = show.local_date(at)
    start, end = show.local_start(day), show.local_end(day)
    sent = 0
    query = _active(show).where(
        Registration.first_checked_in_at >= start,
        Registration.first_checked_in_at < end,
        Registration.category != RegistrationCategory.exhibitor_staff,
    )
    for registration in db.session.scalars(query):
        visitor = registration.visitor
        message = enqueue_email(
            visitor.email,
            "visitors/thanks",
            language=_language(visitor),
            to_name=visitor.name,
            context={"visitor": visitor, "show": show},
            dedupe_key=f"visitors.thanks:{registration.id}",
            subject_ref=("visitor", visitor.id),
            show_id=show.id,
        )
        sent += message is not None
    return sent


def attendance_counts(show: Show, at: datetime) -> dict:
    """Registrations and check-ins of a show, from the visitors' registrations table."""
    active = sa.and_(
        Registration.show_id == show.id, Registration.state == RegistrationState.active
    )
    day_start = show.local_start(show.local_date(at))
    yesterday_start = day_start - timedelta(days=1)
    row = db.session.execute(
        sa.select(
            sa.func.count(Registration.id),
            sa.func.count(Registration.first_checked_in_at),
            sa.func.coalesce(sa.func.sum(sa.case((Registration.inside, 1), else_=0)), 0),
            sa.func.coalesce(
                sa.func.sum(
                    sa.case(
                        (
                            sa.and_(
                                Registration.first_checked_in_at >= yesterday_start,
                                Registration.first_checked_in_at < day_start,
                            ),
                            1,
                        ),
                        else_=0,
                    )
                ),
                0,
            ),
            sa.func.coalesce(
                sa.func.sum(sa.case((Registration.first_checked_in_at >= day_start, 1), else_=0)), 0
            ),
        ).where(active)
    ).one()
    by_category = dict(
        db.session.execute(
            sa.select(Registration.category, sa.func.count(Registration.first_checked_in_at))
            .where(active)
            .group_by(Registration.category)
        ).all()
    )
    return {
        "registrations": row[0],
        "checked_in": row[1],
        "inside": int(row[2]),
        "checked_in_yesterday": int(row[3]),
        "checked_in_today": int(row[4]),
        "by_category": {getattr(k, "value", k): v for k, v in by_category.items()},
    }


@plan_action(
    "staff.attendance_digest",
    label=_l("Morning attendance digest to staff"),
    audience="staff",
    anchor="move_in_date",
    offset_days=0,
    until=("move_out_date", 1),
    hour=8,
    repeat_daily=True,
)
def send_attendance_digest(show: Show, at: datetime) -> int:
    day = show.local_date(at)
    counts = attendance_counts(show, at)
    queued = 0
    for user in staff_with("attendance.view"):
        message = enqueue_email(
            user.email,
            "staff_digest/attendance",
            language=user.locale or "zh",
            to_name=user.name,
            context={"show": show, "day": day, "counts": counts, "user": user},
            category=MailCategory.service,
            dedupe_key=f"digest:{show.id}:{day.isoformat()}:{user.id}",
            show_id=show.id,
        )
        queued += message is not None
    return queued


@plan_action(
    "show.traffic_snapshot",
    label=_l("Hourly traffic snapshot"),
    audience="staff",
    anchor="open_from",
    offset_days=0,
    until=("open_to", 1),
    hour=0,
    repeat_hourly=True,
)
def take_traffic_snapshot(show: Show, at: datetime) -> int:
    taken_at = at.replace(minute=0, second=0, microsecond=0)
    exists = db.session.scalar(
        sa.select(TrafficSnapshot.id).where(
            TrafficSnapshot.show_id == show.id, TrafficSnapshot.taken_at == taken_at
        )
    )
    if exists is not None:
        return 0
    counts = attendance_counts(show, at)
    db.session.add(
        TrafficSnapshot(
            show_id=show.id,
            taken_at=taken_at,
            registrations=counts["registrations"],
            checked_in=counts["checked_in"],
            inside=counts["inside"],
        )
    )
    return 1


def snapshots(show: Show) -> list[TrafficSnapshot]:
    return list(
        db.session.scalars(
            sa.select(TrafficSnapshot)
            .where(TrafficSnapshot.show_id == show.id)
            .order_by(TrafficSnapshot.taken_at)
        )
    )


@periodic_job(badges.JOB_NAME, label=_l("Make the bulk badge PDFs staff asked for"), minutes=1)
def make_badge_pdfs(at: datetime) -> int:
    """Staff queue a build and ask for this job at once; the minute's run is the fallback."""
    return badges.run_builds(at)
