"""Tasks: follow-ups for staff, created by hand or by the system."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from expo_crm import audit, clock
from expo_crm.auth.models import StaffUser
from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.errors import UserError
from expo_crm.subjects import SUBJECT_COLUMNS, SubjectKind
from expo_crm.tasks.models import Task, TaskKind, TaskState


class TaskError(UserError):
    """A refused change to a task."""


# Who handles a kind of task when the customer has no owner: the team, and within it whoever
# has the fewest open tasks. Administrators take a task only when its team has nobody active.
TEAMS: dict[TaskKind, frozenset[Role]] = {
    TaskKind.complaint: frozenset({Role.service}),
    TaskKind.survey: frozenset({Role.service}),
    TaskKind.document_expiry: frozenset({Role.service}),
    TaskKind.retention: frozenset({Role.sales}),
    TaskKind.win_back: frozenset({Role.sales}),
    TaskKind.follow_up: frozenset({Role.sales}),
    TaskKind.deliverable: frozenset({Role.marketing}),
    TaskKind.manual: frozenset(),
}


def least_loaded_owner(kind: TaskKind | str) -> int | None:
    """The active member of the team handling this kind with the fewest open tasks (ties: the
    lowest id); an administrator when the team has nobody; None for a kind no team handles."""
    kind = TaskKind(kind)
    if kind is TaskKind.manual:
        return None
    open_tasks = (
        sa.select(Task.owner_id, sa.func.count(Task.id).label("load"))
        .where(Task.state == TaskState.open)
        .group_by(Task.owner_id)
        .subquery()
    )
    for roles in (TEAMS[kind], frozenset({Role.admin})):
        if not roles:
            continue
        found = db.session.scalar(
            sa.select(StaffUser.id)
            .outerjoin(open_tasks, open_tasks.c.owner_id == StaffUser.id)
            .where(StaffUser.role.in_(roles), StaffUser.active.is_(True))
            .order_by(sa.func.coalesce(open_tasks.c.load, 0), StaffUser.id)
            .limit(1)
        )
        if found is not None:
            return found
    return None


def create_task(
    title: str = "",
    *,
    owner_id: int | None,
    kind: TaskKind | str = TaskKind.manual,
    description: str = "",
    due_date: date | None = None,
    subject: tuple[SubjectKind | str, int] | None = None,
    show_id: int | None = None,
    created_by_id: int | None = None,
    source_key: str | None = None,
    event: str | None = None,
    params: dict | None = None,
) -> Task:
    """Add a task to the current transaction. With a source_key a repeat returns the first one.

    A person's title goes in `title`; the system passes an event kind and its parameters. The
    caller passes the owner of the relationship; without one the task goes to the least-loaded
    member of the team that handles its kind (least_loaded_owner)."""
    if source_key is not None:
        existing = db.session.scalar(sa.select(Task).where(Task.source_key == source_key))
        if existing is not None:
            return existing
    if owner_id is None:
        owner_id = least_loaded_owner(kind)
    task = Task(
        title=title[:200],
        description=description,
        kind=TaskKind(kind),
        owner_id=owner_id,
        due_date=due_date,
        show_id=show_id,
        created_by_id=created_by_id,
        source_key=source_key,
        event=event,
        params=params,
    )
    if subject is not None:
        setattr(task, SUBJECT_COLUMNS[SubjectKind(subject[0])], subject[1])
    db.session.add(task)
    db.session.flush()
    audit.record(
        "task.create",
        task,
        after={
            "title": task.title,
            "event": event,
            "params": params,
            "owner_id": owner_id,
            "kind": task.kind.value,
        },
    )
    return task


def complete_task(task: Task, outcome: str = "") -> Task:
    if task.state is TaskState.open:
        task.state = TaskState.done
        task.completed_at = clock.now()
        task.outcome = outcome
        audit.record("task.complete", task, after={"outcome": outcome})
    return task


TASK_SORTS = {
    "due": (Task.due_date,),
    "created": (Task.created_at,),
    "title": (Task.title,),
    "state": (Task.state,),
}


# Who may see a task besides its owner and its author: whoever may see what it is about.
SUBJECT_CAPABILITIES = {
    "company_id": "exhibitors.view",
    "visitor_id": "visitors.view",
    "supplier_id": "suppliers.view",
    "partner_id": "partners.view",
}
KIND_CAPABILITIES = {
    TaskKind.complaint: "complaints.manage",
    TaskKind.survey: "surveys.view",
    TaskKind.retention: "relationships.view",
    TaskKind.win_back: "relationships.view",
}
# Whoever sees the team's work sees all of its tasks.
ALL_TASKS_CAPABILITY = "team.view"


def visible_to(user) -> sa.ColumnElement[bool]:
    """The tasks this staff member may list, read and close: their own, those they made, and
    those about a record (a company, a complaint…) whose every part their role may see. A
    task about nothing in particular stays between its owner and its author."""
    if user.can(ALL_TASKS_CAPABILITY):
        return sa.true()
    about_something = sa.or_(
        *[getattr(Task, column).is_not(None) for column in SUBJECT_CAPABILITIES],
        Task.kind.in_(list(KIND_CAPABILITIES)),
    )
    hidden_subjects = [
        getattr(Task, column).is_(None)
        for column, capability in SUBJECT_CAPABILITIES.items()
        if not user.can(capability)
    ]
    hidden_kinds = [
        kind for kind, capability in KIND_CAPABILITIES.items() if not user.can(capability)
    ]
    return sa.or_(
        Task.owner_id == user.id,
        Task.created_by_id == user.id,
        sa.and_(about_something, *hidden_subjects, Task.kind.not_in(hidden_kinds)),
    )


def visible_task(task_id: int, user) -> Task | None:
    """The task, if this staff member may see it (else None: to them it does not exist)."""
    return db.session.scalar(sa.select(Task).where(Task.id == task_id, visible_to(user)))


def task_query(
    *,
    visible_for=None,
    owner_id: int | None = None,
    state: str = "open",
    kind: str = "",
    due: str = "",
    q: str = "",
    sort: str = "due",
    today: date | None = None,
) -> sa.Select:
    today = today or clock.now().date()
    stmt = sa.select(Task)
    if visible_for is not None:
        stmt = stmt.where(visible_to(visible_for))
    if owner_id:
        stmt = stmt.where(Task.owner_id == owner_id)
    if state in TaskState.__members__:
        stmt = stmt.where(Task.state == TaskState(state))
    if kind in TaskKind.__members__:
        stmt = stmt.where(Task.kind == TaskKind(kind))
    if due == "overdue":
        stmt = stmt.where(Task.state == TaskState.open, Task.due_date < today)
    elif due == "today":
        stmt = stmt.where(Task.due_date == today)
    if q:
        like = f"%{q.strip()}%"
        # System tasks keep their names (customer, supplier) in params, not in the title.
        stmt = stmt.where(
            sa.or_(
                Task.title.ilike(like),
                Task.description.ilike(like),
                sa.cast(Task.params, sa.String).ilike(like),
            )
        )
    descending = sort.startswith("-")
    columns = TASK_SORTS.get(sort.lstrip("-")) or TASK_SORTS["due"]
    # Tasks without a due date go last either way.
    return stmt.order_by(
        Task.due_date.is_(None), *[c.desc() if descending else c for c in columns], Task.id
    )


def close_task(task: Task, outcome: str, *, cancel: bool = False) -> Task:
    """Complete (or cancel) an open task with its outcome; closing twice is refused."""
    from flask_babel import gettext as _

    if task.state is not TaskState.open:
        raise TaskError(_("This task is already closed."))
    if cancel:
        task.state = TaskState.cancelled
        task.completed_at = clock.now()
        task.outcome = outcome
        audit.record("task.cancel", task, after={"outcome": outcome})
        return task
    return complete_task(task, outcome)


def task_counts(user_id: int, today: date | None = None) -> dict[str, int]:
    today = today or clock.now().date()
    open_for_me = sa.and_(Task.owner_id == user_id, Task.state == TaskState.open)
    row = db.session.execute(
        sa.select(
            sa.func.count(Task.id),
            sa.func.sum(sa.case((Task.due_date == today, 1), else_=0)),
            sa.func.sum(sa.case((Task.due_date < today, 1), else_=0)),
        ).where(open_for_me)
    ).one()
    return {"open": row[0] or 0, "today": row[1] or 0, "overdue": row[2] or 0}
