from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expo_crm import events
from expo_crm.db import LabeledEnum, TimestampMixin, UTCDateTime, db, enum_type
from expo_crm.subjects import SubjectRefMixin, subject_indexes


class TaskState(LabeledEnum):
    open = "open"
    done = "done"
    cancelled = "cancelled"

    @classmethod
    def labels(cls) -> dict:
        return {"open": _l("Open"), "done": _l("Done"), "cancelled": _l("Cancelled")}


class TaskKind(LabeledEnum):
    manual = "manual"
    retention = "retention"
    win_back = "win_back"
    complaint = "complaint"
    deliverable = "deliverable"
    document_expiry = "document_expiry"
    follow_up = "follow_up"
    survey = "survey"

    @classmethod
    def labels(cls) -> dict:
        return {
            "manual": _l("Task"),
            "retention": _l("Retention"),
            "win_back": _l("Win-back"),
            "complaint": _l("Complaint"),
            "deliverable": _l("Partner deliverable"),
            "document_expiry": _l("Document expiry"),
            "follow_up": _l("Follow-up"),
            "survey": _l("Survey follow-up"),
        }


class Task(SubjectRefMixin, TimestampMixin, db.Model):
    """A follow-up for a staff member, made by hand or by the system. The subject is optional."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[TaskKind] = mapped_column(
        enum_type(TaskKind, "task_kind"), default=TaskKind.manual
    )
    state: Mapped[TaskState] = mapped_column(
        enum_type(TaskState, "task_state"), default=TaskState.open, index=True
    )
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    due_date: Mapped[date | None] = mapped_column(index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(sa.Text, default="")
    show_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shows.id", ondelete="SET NULL"))
    # What made a system task ("lifecycle:weakening:company:5:2026-11-23"): made once only.
    source_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    # A system task stores its kind and parameters (see expo_crm.events), not a sentence.
    event: Mapped[str | None] = mapped_column(sa.String(64))
    params: Mapped[dict | None] = mapped_column(sa.JSON)

    owner = relationship("StaffUser", foreign_keys=[owner_id])
    created_by = relationship("StaffUser", foreign_keys=[created_by_id])

    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN company_id IS NULL THEN 0 ELSE 1 END + CASE WHEN visitor_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN supplier_id IS NULL THEN 0 ELSE 1 END + CASE WHEN partner_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="at_most_one_subject",
        ),
        sa.CheckConstraint(
            "(state = 'open') = (completed_at IS NULL)", name="completed_when_closed"
        ),
        *subject_indexes("tasks"),
    )

    @property
    def heading(self) -> str:
        """The title in the reader's language when the system wrote it; as typed otherwise."""
        return events.render(self.event, self.params, self.title)

    @property
    def details(self) -> str:
        return events.render_detail(self.event, self.params, self.description)
