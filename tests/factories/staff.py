"""Tasks for staff."""

from __future__ import annotations

from datetime import date

from expo_crm.db import db
from expo_crm.tasks import services as task_services

__all__ = ["create_task_for"]


def create_task_for(
    owner,
    title: str = "Call back about booth size",
    *,
    due_date: date | None = None,
    kind: str = "manual",
    commit: bool = True,
    **values,
):
    task = task_services.create_task(
        title, owner_id=owner.id if owner else None, kind=kind, due_date=due_date, **values
    )
    if commit:
        db.session.commit()
    return task
