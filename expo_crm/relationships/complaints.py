"""Complaints: intake (staff, portal, surveys), SLA by severity, resolution, the customer's verdict."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm import audit, clock
from expo_crm.db import db
from expo_crm.errors import UserError
from expo_crm.relationships import settings
from expo_crm.relationships.matrix import tier_of
from expo_crm.relationships.models import (
    COMPLAINT_RECEIVED,
    COMPLAINT_TASK,
    Channel,
    Complaint,
    ComplaintCategory,
    ComplaintSource,
    ComplaintState,
    Direction,
    Severity,
    Tone,
    Verdict,
)
from expo_crm.subjects import SUBJECT_COLUMNS, SubjectKind


class ComplaintError(UserError):
    pass


CHANNEL_OF_SOURCE = {
    ComplaintSource.staff: Channel.phone,
    ComplaintSource.portal: Channel.portal,
    ComplaintSource.survey: Channel.survey,
}


def customer_owner_id(kind: SubjectKind | str, subject_id: int) -> int | None:
    """The owner of the customer record, else the least-loaded member of the complaint team."""
    from expo_crm.relationships.subjects import owner_of
    from expo_crm.tasks.models import TaskKind
    from expo_crm.tasks.services import least_loaded_owner

    return owner_of(kind, subject_id) or least_loaded_owner(TaskKind.complaint)


def sla_due(
    severity: Severity,
    opened_at: datetime,
    kind: SubjectKind | str | None = None,
    subject_id: int | None = None,
) -> datetime:
    """The severity's hours, times the factor of the customer's tier in the value pyramid."""
    values = settings.current()
    hours = values[f"sla_hours_{severity.value}"]
    tier = tier_of(kind, subject_id) if kind is not None and subject_id is not None else None
    if tier is not None:
        hours *= values[f"sla_factor_{tier.value}"]
    return opened_at + timedelta(hours=float(hours))


def open_complaint(
    kind: SubjectKind | str,
    subject_id: int,
    *,
    description: str,
    category: ComplaintCategory | str = "other",
    severity: Severity | str = "medium",
    show_id: int | None = None,
    source: ComplaintSource | str = "staff",
    source_key: str | None = None,
    owner_id: int | None = None,
    event: str | None = None,
    params: dict | None = None,
) -> Complaint:
    """Add a complaint to the current transaction, with a task for its owner and an interaction.

    With a source_key a repeat returns the first complaint and adds nothing. The system says why
    it opened one with an event kind (a low survey score); the description is what was typed."""
    from expo_crm.relationships.services import log_interaction
    from expo_crm.tasks.models import TaskKind
    from expo_crm.tasks.services import create_task

    if source_key is not None:
        existing = db.session.scalar(sa.select(Complaint).where(Complaint.source_key == source_key))
        if existing is not None:
            return existing
    description = (description or "").strip()
    if not description and event is None:
        raise ComplaintError(str(_l("Describe the complaint.")))
    try:
        kind, category, severity, source = (
            SubjectKind(kind),
            ComplaintCategory(category),
            Severity(severity),
            ComplaintSource(source),
        )
    except ValueError as bad:
        raise ComplaintError(str(bad)) from None
    opened_at = clock.now()
    complaint = Complaint(
        show_id=show_id,
        category=category,
        severity=severity,
        state=ComplaintState.open,
        source=source,
        description=description,
        opened_at=opened_at,
        sla_due_at=sla_due(severity, opened_at, kind, subject_id),
        owner_id=owner_id or customer_owner_id(kind, subject_id),
        source_key=source_key,
        event=event,
        params=params,
    )
    setattr(complaint, SUBJECT_COLUMNS[kind], subject_id)
    db.session.add(complaint)
    db.session.flush()
    task = create_task(
        event=COMPLAINT_TASK,
        params={"category": category.value, "severity": severity.value},
        owner_id=complaint.owner_id,
        kind=TaskKind.complaint,
        description=description,
        due_date=complaint.sla_due_at.date(),
        subject=(kind, subject_id),
        show_id=show_id,
        source_key=f"complaint:{complaint.id}",
    )
    complaint.task_id = task.id
    log_interaction(
        kind,
        subject_id,
        channel=CHANNEL_OF_SOURCE[source],
        direction=Direction.inbound,
        event=COMPLAINT_RECEIVED,
        params={"category": category.value},
        notes=description,
        tone=Tone.negative,
        show_id=show_id,
        occurred_at=opened_at,
        source_key=f"complaint:{complaint.id}",
    )
    audit.record(
        "complaint.open",
        complaint,
        after={
            "category": category.value,
            "severity": severity.value,
            "source": source.value,
            "owner_id": complaint.owner_id,
        },
    )
    return complaint


def resolve_complaint(complaint: Complaint, resolution: str) -> Complaint:
    from expo_crm.tasks.models import Task
    from expo_crm.tasks.services import complete_task

    resolution = (resolution or "").strip()
    if complaint.state is not ComplaintState.open:
        raise ComplaintError(str(_l("This complaint is already resolved.")))
    if not resolution:
        raise ComplaintError(str(_l("Say how the complaint was resolved.")))
    complaint.state = ComplaintState.resolved
    complaint.resolved_at = clock.now()
    complaint.resolution = resolution
    if complaint.task_id is not None:
        task = db.session.get(Task, complaint.task_id)
        if task is not None:
            complete_task(task, outcome=resolution)
    audit.record("complaint.resolve", complaint, after={"resolution": resolution})
    return complaint


def record_verdict(complaint: Complaint, verdict: Verdict | str, note: str = "") -> Complaint:
    """The customer judges the resolution; that closes the complaint."""
    if complaint.state is ComplaintState.open:
        raise ComplaintError(
            str(_l("The complaint must be resolved before the customer's verdict."))
        )
    if complaint.state is ComplaintState.closed:
        raise ComplaintError(str(_l("The customer's verdict is already recorded.")))
    try:
        complaint.verdict = Verdict(verdict)
    except ValueError:
        raise ComplaintError(str(_l("Choose a verdict."))) from None
    complaint.verdict_note = (note or "").strip()
    complaint.state = ComplaintState.closed
    complaint.closed_at = clock.now()
    audit.record("complaint.verdict", complaint, after={"verdict": complaint.verdict.value})
    return complaint


def list_complaints(
    *,
    state: str | None = None,
    owner_id: int | None = None,
    company_id: int | None = None,
    overdue_at: datetime | None = None,
    limit: int = 300,
) -> list[Complaint]:
    query = (
        sa.select(Complaint).order_by(Complaint.opened_at.desc(), Complaint.id.desc()).limit(limit)
    )
    if state:
        query = query.where(Complaint.state == ComplaintState(state))
    if owner_id is not None:
        query = query.where(Complaint.owner_id == owner_id)
    if company_id is not None:
        query = query.where(Complaint.company_id == company_id)
    if overdue_at is not None:
        query = query.where(
            Complaint.state == ComplaintState.open, Complaint.sla_due_at < overdue_at
        )
    return list(db.session.scalars(query))


def complaint_of_company(company_id: int, complaint_id: int) -> Complaint | None:
    """One of the company's own complaints, else None: another company's id reveals nothing."""
    return db.session.scalar(
        sa.select(Complaint).where(Complaint.id == complaint_id, Complaint.company_id == company_id)
    )
