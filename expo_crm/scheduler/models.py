from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expo_crm.db import LabeledEnum, TimestampMixin, UTCDateTime, db, enum_type
from expo_crm.shows.models import ServiceStage


class RunState(LabeledEnum):
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    skipped = "skipped"

    @classmethod
    def labels(cls) -> dict:
        return {
            "running": _l("Running"),
            "succeeded": _l("Done"),
            "failed": _l("Failed"),
            "skipped": _l("Skipped (too late)"),
        }


# Who a plan step writes to and what started a job run: codes, shown by these labels.
AUDIENCES = {
    "exhibitors": _l("Exhibitors"),
    "visitors": _l("Visitors"),
    "exhibitors+visitors": _l("Exhibitors and visitors"),
    "staff": _l("Staff"),
    "partners": _l("Partners"),
    "suppliers": _l("Suppliers"),
}
TRIGGERS = {
    "schedule": _l("On schedule"),
    "manual": _l("Run from the console"),
    "cli": _l("Command line"),
}


class SchedulerInstance(db.Model):
    """A scheduler process; the active one (holding the lock) beats every few seconds."""

    __tablename__ = "scheduler_instances"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance: Mapped[str] = mapped_column(sa.String(64), unique=True)
    pid: Mapped[int]
    host: Mapped[str] = mapped_column(sa.String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    active: Mapped[bool] = mapped_column(default=False)


class JobState(db.Model):
    """Console controls for one job, honoured by the scheduler process."""

    __tablename__ = "job_states"

    name: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    paused: Mapped[bool] = mapped_column(default=False)
    run_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class JobRun(db.Model):
    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(sa.String(80))
    trigger: Mapped[str] = mapped_column(
        sa.String(20), default="schedule"
    )  # schedule | manual | cli
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[RunState] = mapped_column(
        enum_type(RunState, "job_run_state"), default=RunState.running
    )
    result: Mapped[int | None]
    error: Mapped[str] = mapped_column(sa.Text, default="")
    host: Mapped[str] = mapped_column(sa.String(200), default="")
    pid: Mapped[int | None]

    __table_args__ = (sa.Index("ix_job_runs_job_time", "job_name", "started_at"),)

    @property
    def trigger_label(self) -> str:
        return str(TRIGGERS.get(self.trigger, self.trigger))


class ServicePlanStep(TimestampMixin, db.Model):
    """One row of a show's service plan: when (anchor date + offset, local hour), to whom, what."""

    __tablename__ = "service_plan_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    stage: Mapped[ServiceStage] = mapped_column(enum_type(ServiceStage, "plan_step_stage"))
    anchor: Mapped[str] = mapped_column(sa.String(20))
    offset_days: Mapped[int]
    hour: Mapped[int]
    audience: Mapped[str] = mapped_column(sa.String(20))
    action: Mapped[str] = mapped_column(sa.String(80))
    repeat_hourly: Mapped[bool] = mapped_column(default=False)
    repeat_daily: Mapped[bool] = mapped_column(default=False)
    enabled: Mapped[bool] = mapped_column(default=True)
    # Only part of the audience, e.g. "class:value" or "tier:key"; "" = the whole audience.
    target: Mapped[str] = mapped_column(sa.String(30), default="", server_default="")

    show = relationship("Show")

    @property
    def audience_label(self) -> str:
        return str(AUDIENCES.get(self.audience, self.audience))

    __table_args__ = (
        sa.UniqueConstraint("show_id", "action"),
        sa.CheckConstraint("hour >= 0 AND hour <= 23", name="hour_of_day"),
        sa.CheckConstraint(
            "anchor IN ('move_in_date', 'open_from', 'open_to', 'move_out_date')",
            name="known_anchor",
        ),
    )


class PlanStepRun(db.Model):
    """Written (and committed) before a step takes effect: a step runs once per slot."""

    __tablename__ = "plan_step_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(sa.ForeignKey("service_plan_steps.id", ondelete="CASCADE"))
    # The due time; for hourly steps the hour it is for.
    slot: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[RunState] = mapped_column(
        enum_type(RunState, "plan_step_run_state"), default=RunState.running
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=1)
    result: Mapped[int | None]
    error: Mapped[str] = mapped_column(sa.Text, default="")
    # Who runs it: a run whose process is gone is resumed.
    host: Mapped[str] = mapped_column(sa.String(200), default="")
    pid: Mapped[int | None]

    step = relationship("ServicePlanStep")

    __table_args__ = (sa.UniqueConstraint("step_id", "slot"),)
