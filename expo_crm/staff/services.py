"""Tasks: follow-ups for staff, created by hand or by the system."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from expo_crm import audit, clock
from expo_crm.db import db
from expo_crm.errors import UserError
from expo_crm.tasks.models import Task, TaskState

# --- staff and roles ----------------------------------------------------------------------


class StaffError(UserError):
    """A refused change; str(error) is a translated message for the user."""


def get_staff_or_404(user_id: int):
    from flask import abort

    from expo_crm.auth.models import StaffUser

    return db.session.get(StaffUser, user_id) or abort(404)


STAFF_SORTS = {"name": "name", "email": "email", "role": "role", "last_login": "last_login_at"}


def staff_query(*, q: str = "", role: str = "", active: str = "", sort: str = "name") -> sa.Select:
    from expo_crm.auth.models import StaffUser
    from expo_crm.auth.permissions import Role

    stmt = sa.select(StaffUser)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(sa.or_(StaffUser.name.ilike(like), StaffUser.email.ilike(like)))
    if role in Role.__members__:
        stmt = stmt.where(StaffUser.role == Role(role))
    if active in ("1", "0"):
        stmt = stmt.where(StaffUser.active.is_(active == "1"))
    column = getattr(StaffUser, STAFF_SORTS.get(sort.lstrip("-"), "name"))
    return stmt.order_by(column.desc() if sort.startswith("-") else column, StaffUser.id)


def add_staff(email: str, name: str, password: str, role, locale: str | None = None):
    from flask_babel import gettext as _

    from expo_crm.auth import services as auth

    if not name.strip():
        raise StaffError(_("Give the person's name."))
    if auth.find_staff(email) is not None:
        raise StaffError(_("A staff account with this email already exists."))
    problem = auth.password_problem(password, email=email.strip().lower(), name=name.strip())
    if problem:
        raise StaffError(problem)
    return auth.create_staff(email, name, password, role, locale=locale)


def update_staff(user, *, name: str, role, locale: str | None, acting_user_id: int | None = None):
    from flask_babel import gettext as _

    from expo_crm.auth.permissions import Role

    role = Role(role)
    if user.id == acting_user_id and role is not Role.admin and user.role is Role.admin:
        raise StaffError(_("You cannot take the administrator role from yourself."))
    before = audit.snapshot(user, "name", "role", "locale")
    user.name, user.role, user.locale = name.strip() or user.name, role, locale
    if before["role"] != role.value:
        user.session_version += 1  # a new role takes effect at once: older sessions end
    audit.record(
        "staff.update", user, before=before, after=audit.snapshot(user, "name", "role", "locale")
    )
    return user


def set_staff_active(user, active: bool, *, acting_user_id: int | None = None):
    """Deactivate rather than delete: history keeps the person; sign-in is refused from now on."""
    from flask_babel import gettext as _

    if user.id == acting_user_id and not active:
        raise StaffError(_("You cannot deactivate your own account."))
    if user.active != active:
        user.active = active
        user.session_version += 1
        audit.record("staff.activate" if active else "staff.deactivate", user)
    return user


def reset_password(user, new_password: str):
    from expo_crm.auth import services as auth
    from expo_crm.auth import throttle

    problem = auth.password_problem(new_password, email=user.email, name=user.name)
    if problem:
        raise StaffError(problem)
    user.password_hash = auth.hash_password(new_password)
    user.session_version += 1
    throttle.unlock("staff", user.id)  # a new password: earlier failures no longer matter
    audit.record("staff.password_reset", user)
    return user


# --- task lists, my work, team ------------------------------------------------------------


def my_accounts(user_id: int) -> dict[str, list]:
    """Companies, visitors, partners and suppliers this person owns."""
    from expo_crm.exhibitors.models import Company
    from expo_crm.partners.models import Partner
    from expo_crm.suppliers.models import Supplier
    from expo_crm.visitors.models import Visitor

    found = {}
    for key, model, order in (
        ("companies", Company, Company.name_en),
        ("visitors", Visitor, Visitor.name),
        ("partners", Partner, Partner.name_en),
        ("suppliers", Supplier, Supplier.name_en),
    ):
        found[key] = list(
            db.session.scalars(
                sa.select(model).where(model.owner_id == user_id).order_by(order).limit(200)
            )
        )
    return found


def team_stats(since: date, until: date) -> list[dict]:
    """Per active staff member: open and overdue tasks, interactions logged and tasks closed
    (on time or not) in [since, until], and the average satisfaction of the accounts they own."""
    from expo_crm.auth.models import StaffUser
    from expo_crm.relationships.models import Interaction

    today = clock.now().date()
    start = datetime.combine(since, time.min, tzinfo=UTC)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)
    users = list(
        db.session.scalars(
            sa.select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.name)
        )
    )

    open_rows = dict(
        db.session.execute(
            sa.select(Task.owner_id, sa.func.count(Task.id))
            .where(Task.state == TaskState.open)
            .group_by(Task.owner_id)
        ).all()
    )
    overdue_rows = dict(
        db.session.execute(
            sa.select(Task.owner_id, sa.func.count(Task.id))
            .where(Task.state == TaskState.open, Task.due_date < today)
            .group_by(Task.owner_id)
        ).all()
    )
    closed = db.session.execute(
        sa.select(
            Task.owner_id,
            sa.func.count(Task.id),
            sa.func.sum(
                sa.case(
                    (
                        sa.or_(
                            Task.due_date.is_(None),
                            sa.func.date(Task.completed_at) <= Task.due_date,
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .where(Task.state == TaskState.done, Task.completed_at >= start, Task.completed_at < end)
        .group_by(Task.owner_id)
    ).all()
    closed_rows = {owner: (n, on_time or 0) for owner, n, on_time in closed}
    interaction_rows = dict(
        db.session.execute(
            sa.select(Interaction.staff_id, sa.func.count(Interaction.id))
            .where(Interaction.occurred_at >= start, Interaction.occurred_at < end)
            .group_by(Interaction.staff_id)
        ).all()
    )
    satisfaction = _satisfaction_by_owner()
    return [
        {
            "user": u,
            "open": open_rows.get(u.id, 0),
            "overdue": overdue_rows.get(u.id, 0),
            "closed": closed_rows.get(u.id, (0, 0))[0],
            "on_time": closed_rows.get(u.id, (0, 0))[1],
            "interactions": interaction_rows.get(u.id, 0),
            "satisfaction": satisfaction.get(u.id),
        }
        for u in users
    ]


TEAM_SORTS = (
    "name",
    "role",
    "open",
    "overdue",
    "closed",
    "on_time",
    "interactions",
    "satisfaction",
)


def sort_team(rows: list[dict], *, q: str = "", role: str = "", sort: str = "name") -> list[dict]:
    """The team rows filtered by name or email and role, sorted by a column (a leading '-': descending)."""
    needle = q.strip().lower()
    if needle:
        rows = [
            r for r in rows if needle in r["user"].name.lower() or needle in r["user"].email.lower()
        ]
    if role:
        rows = [r for r in rows if r["user"].role.value == role]
    column = sort.lstrip("-") if sort.lstrip("-") in TEAM_SORTS else "name"
    if column == "name":

        def key(r):
            return r["user"].name.lower()
    elif column == "role":

        def key(r):
            return (r["user"].role.value, r["user"].name.lower())
    else:
        # Missing values (no satisfaction yet) sort as the lowest.
        def key(r):
            return (r[column] is not None, r[column] or 0, r["user"].name.lower())

    return sorted(rows, key=key, reverse=sort.startswith("-"))


def _satisfaction_by_owner() -> dict[int, Decimal]:
    """Mean survey satisfaction over the accounts (companies, visitors, partners, suppliers) each person owns."""
    from expo_crm.exhibitors.models import Company
    from expo_crm.partners.models import Partner
    from expo_crm.suppliers.models import Supplier
    from expo_crm.surveys.models import SurveyResponse
    from expo_crm.visitors.models import Visitor

    parts = [
        sa.select(
            model.owner_id.label("owner_id"), SurveyResponse.satisfaction.label("satisfaction")
        )
        .join(model, getattr(SurveyResponse, column) == model.id)
        .where(model.owner_id.is_not(None), SurveyResponse.satisfaction.is_not(None))
        for model, column in (
            (Company, "company_id"),
            (Visitor, "visitor_id"),
            (Partner, "partner_id"),
            (Supplier, "supplier_id"),
        )
    ]
    union = sa.union_all(*parts).subquery()
    rows = db.session.execute(
        sa.select(union.c.owner_id, sa.func.avg(union.c.satisfaction)).group_by(union.c.owner_id)
    )
    return {owner: Decimal(avg).quantize(Decimal("0.01")) for owner, avg in rows}
