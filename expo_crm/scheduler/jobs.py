"""In-show plan steps that belong to no single domain: the staff digest and traffic snapshots."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm.auth.models import StaffUser
from expo_crm.auth.permissions import role_has
from expo_crm.db import db
from expo_crm.mail.models import MailCategory
from expo_crm.mail.services import enqueue_email
from expo_crm.scheduler.models import TrafficSnapshot
from expo_crm.scheduler.registry import plan_action
from expo_crm.shows.models import Show


def attendance_counts(show: Show, at: datetime) -> dict:
    """Registrations and check-ins of a show, from the visitors' registrations table."""
    from expo_crm.visitors.models import Registration, RegistrationState

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


def staff_with(capability: str) -> list[StaffUser]:
    users = db.session.scalars(sa.select(StaffUser).where(StaffUser.active).order_by(StaffUser.id))
    return [u for u in users if role_has(u.role, capability)]


@plan_action(
    "staff.attendance_digest",
    label=_l("Morning attendance digest to staff"),
    audience="staff",
    anchor="move_in_date",
    offset_days=0,
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
