"""Service plans and job runs: what is due, running it once, and recording what happened.

A plan step's run is written and committed (plan_step_runs, unique per step and slot) before
the step takes effect. Its effects are idempotent per recipient (dedupe_key / source_key), so
a run killed half way is simply run again: what it had already done adds nothing.
"""

from __future__ import annotations

import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from expo_crm import audit
from expo_crm.db import db, is_unique_violation, writing
from expo_crm.errors import UserError
from expo_crm.scheduler import registry
from expo_crm.scheduler.models import (
    JobRun,
    JobState,
    PlanStepRun,
    RunState,
    SchedulerInstance,
    ServicePlanStep,
)
from expo_crm.shows.models import ServiceStage, Show

ANCHORS = ("move_in_date", "open_from", "open_to", "move_out_date")
# How far from the show a step may be placed (days before move-in / after move-out).
WINDOW_BEFORE_DAYS = 365
WINDOW_AFTER_DAYS = 365
RUN_DUE_JOB = "plan.run_due"
HOST = socket.gethostname()


class PlanError(UserError):
    """A plan step refused; str(error) is a message for the user."""


# --- the plan --------------------------------------------------------------------------------


def stage_for(show: Show, anchor: str, offset_days: int) -> ServiceStage:
    day = step_date(show, anchor, offset_days)
    if day < show.move_in_date:
        return ServiceStage.pre_show
    if day > show.open_to:  # after the last open day the service is post-show (surveys at T+1)
        return ServiceStage.post_show
    return ServiceStage.in_show


def step_date(show: Show, anchor: str, offset_days: int):
    return getattr(show, anchor) + timedelta(days=offset_days)


def check_step(show: Show, anchor: str, offset_days: int, hour: int) -> None:
    if anchor not in ANCHORS:
        raise PlanError(_("Unknown anchor date."))
    if not 0 <= hour <= 23:
        raise PlanError(_("The hour must be between 0 and 23."))
    day = step_date(show, anchor, offset_days)
    earliest = show.move_in_date - timedelta(days=WINDOW_BEFORE_DAYS)
    latest = show.move_out_date + timedelta(days=WINDOW_AFTER_DAYS)
    if day < earliest or day > latest:
        raise PlanError(
            _(
                "This step would run on %(day)s, outside the show's window: at most %(before)d days "
                "before move-in (%(earliest)s) and %(after)d days after move-out (%(latest)s).",
                day=day.isoformat(),
                before=WINDOW_BEFORE_DAYS,
                earliest=earliest.isoformat(),
                after=WINDOW_AFTER_DAYS,
                latest=latest.isoformat(),
            )
        )


def ensure_plan(show: Show) -> list[ServicePlanStep]:
    """Add a step for every registered plan action the show has no step for yet."""
    have = set(
        db.session.scalars(
            sa.select(ServicePlanStep.action).where(ServicePlanStep.show_id == show.id)
        )
    )
    added = []
    for action in registry.actions().values():
        if action.name in have:
            continue
        step = ServicePlanStep(
            show_id=show.id,
            stage=stage_for(show, action.anchor, action.offset_days),
            anchor=action.anchor,
            offset_days=action.offset_days,
            hour=action.hour,
            audience=action.audience,
            action=action.name,
            repeat_hourly=action.repeat_hourly,
            repeat_daily=action.repeat_daily,
            target=action.target,
            enabled=True,
        )
        db.session.add(step)
        added.append(step)
    if added:
        db.session.flush()
    return added


def plan_steps(show: Show) -> list[ServicePlanStep]:
    """The show's plan as stored, in the order its steps come due. Reads only."""
    steps = list(
        db.session.scalars(sa.select(ServicePlanStep).where(ServicePlanStep.show_id == show.id))
    )
    return sorted(steps, key=lambda s: (due_at(s, show), s.id))


def missing_actions(show: Show, steps: list[ServicePlanStep]) -> list[registry.PlanAction]:
    """The registered plan actions the show has no step for yet (ensure_plan adds them)."""
    have = {s.action for s in steps}
    return [a for a in registry.actions().values() if a.name not in have]


def plan_of(show: Show) -> list[ServicePlanStep]:
    """The show's plan, with a default step added for every registered action it lacks."""
    ensure_plan(show)
    return plan_steps(show)


def check_target(step: ServicePlanStep, target: str) -> str:
    """A step's target: blank (the whole audience), or a registered class or tier, and only for
    an action that sorts its audience by target."""
    target = (target or "").strip()
    if not target:
        return ""
    action = registry.actions().get(step.action)
    if action is None or not action.targetable:
        raise PlanError(_("This step always reaches its whole audience."))
    if target not in dict(registry.target_options()):
        raise PlanError(_("Choose a value class or tier from the list."))
    return target


STEP_FIELDS = ("anchor", "offset_days", "hour", "enabled", "target")


def update_step(
    step: ServicePlanStep,
    *,
    anchor: str,
    offset_days: int,
    hour: int,
    enabled: bool,
    target: str | None = None,
) -> ServicePlanStep:
    """Change a step; `target` None keeps the step's target as it is."""
    check_step(step.show, anchor, offset_days, hour)
    target = step.target if target is None else check_target(step, target)
    before = audit.snapshot(step, *STEP_FIELDS)
    step.anchor, step.offset_days, step.hour, step.enabled = anchor, offset_days, hour, enabled
    step.target = target
    step.stage = stage_for(step.show, anchor, offset_days)
    audit.record("plan_step.update", step, before=before, after=audit.snapshot(step, *STEP_FIELDS))
    return step


def due_at(step: ServicePlanStep, show: Show) -> datetime:
    """The step's first moment: its local day and hour in the show's time zone, as UTC."""
    day = step_date(show, step.anchor, step.offset_days)
    return datetime.combine(day, time(step.hour), tzinfo=show.tz).astimezone(current_tz_utc())


def expires_at(action: registry.PlanAction, show: Show) -> datetime:
    """The moment from which the action would say something no longer true (a day-before
    reminder once the show is open): a run not made by then is skipped."""
    anchor, offset_days = action.until
    return show.local_start(getattr(show, anchor) + timedelta(days=offset_days)).astimezone(UTC)


def current_tz_utc():

    return UTC


def due_slot(step: ServicePlanStep, show: Show, at: datetime) -> datetime | None:
    """The slot this step should run for at `at`, or None when nothing is due."""
    first = due_at(step, show)
    if at < first:
        return None
    if step.repeat_daily:
        # Daily steps: today's local hour, from the first day to the last open day.
        day = show.local_date(at)
        slot = datetime.combine(day, time(step.hour), tzinfo=show.tz).astimezone(current_tz_utc())
        if day > show.open_to or slot > at:
            return None
        return slot
    if not step.repeat_hourly:
        return first
    # Hourly steps: the current hour, while the show is open (a missed hour cannot be taken later).
    slot = at.replace(minute=0, second=0, microsecond=0)
    if not show.is_open_at(slot):
        return None
    return max(slot, first)


# --- running plan steps -------------------------------------------------------------------------


def _process_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _abandoned(run: PlanStepRun, at: datetime) -> bool:
    """A run left unfinished by a process that is gone (killed, crashed)."""
    if run.pid == os.getpid() and run.host == HOST:
        return True
    if run.host == HOST:
        return not _process_alive(run.pid)
    return at - run.started_at > timedelta(minutes=30)


@dataclass
class StepOutcome:
    show: Show
    step: ServicePlanStep
    slot: datetime
    state: RunState
    result: int | None = None
    error: str = ""


def _claim_step(
    step: ServicePlanStep, slot: datetime, at: datetime
) -> tuple[PlanStepRun | None, bool]:
    """(run, resumed). The run row is committed before the step acts; None when not ours."""
    run = PlanStepRun(
        step_id=step.id,
        slot=slot,
        started_at=at,
        host=HOST,
        pid=os.getpid(),
        state=RunState.running,
    )
    db.session.add(run)
    try:
        db.session.commit()
        return run, False
    except sa.exc.IntegrityError as clash:
        db.session.rollback()
        if not is_unique_violation(clash):
            raise
    existing = db.session.scalar(
        sa.select(PlanStepRun).where(PlanStepRun.step_id == step.id, PlanStepRun.slot == slot)
    )
    if existing is None:
        db.session.rollback()
        return None, False
    retry = existing.state is RunState.failed or (
        existing.state is RunState.running and _abandoned(existing, at)
    )
    if not retry:
        db.session.rollback()
        return None, False
    # Take over the unfinished run, atomically against another process doing the same.
    taken = db.session.execute(
        sa.update(PlanStepRun)
        .where(
            PlanStepRun.id == existing.id,
            PlanStepRun.attempts == existing.attempts,
            PlanStepRun.state == existing.state,
        )
        .values(
            attempts=existing.attempts + 1,
            host=HOST,
            pid=os.getpid(),
            started_at=at,
            state=RunState.running,
            error="",
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if taken != 1:
        return None, False
    return db.session.get(PlanStepRun, existing.id, populate_existing=True), True


def run_step(step: ServicePlanStep, show: Show, slot: datetime, at: datetime) -> StepOutcome | None:
    action = registry.actions().get(step.action)
    if action is None:
        return None
    if at >= expires_at(action, show):
        run, _resumed = _claim_step(step, slot, at)
        if run is None:
            return None
        run.state, run.finished_at = RunState.skipped, at
        db.session.commit()
        return StepOutcome(show, step, slot, RunState.skipped)
    run, _resumed = _claim_step(step, slot, at)
    if run is None:
        return None
    run_id = run.id
    try:
        with registry.running_step_target(step.target):
            result = action.fn(show, at)
    except Exception as error:  # a failing step is recorded and retried next minute
        db.session.rollback()
        current_app.logger.exception("plan step %s for show %s failed", step.action, show.id)
        # Kept as failed: the next run-due tries it again.
        text = f"{type(error).__name__}: {error}"
        run = db.session.get(PlanStepRun, run_id)
        run.state, run.finished_at, run.error = (
            RunState.failed,
            at,
            traceback.format_exc(limit=8)[-4000:],
        )
        db.session.commit()
        return StepOutcome(show, step, slot, RunState.failed, error=text)
    run = db.session.get(PlanStepRun, run_id)
    run.state, run.finished_at, run.result = RunState.succeeded, at, int(result or 0)
    db.session.commit()
    return StepOutcome(show, step, slot, RunState.succeeded, result=int(result or 0))


def run_due_steps(at: datetime, report: Callable[[str], None] | None = None) -> int:
    """Run every due plan step of every show; returns the total of their effects."""
    total = 0
    with writing():
        shows = list(db.session.scalars(sa.select(Show).order_by(Show.id)))
        for show in shows:
            ensure_plan(show)
        db.session.commit()
        for show in shows:
            steps = db.session.scalars(
                sa.select(ServicePlanStep).where(
                    ServicePlanStep.show_id == show.id, ServicePlanStep.enabled
                )
            ).all()
            for step in sorted(steps, key=lambda s: (due_at(s, show), s.id)):
                slot = due_slot(step, show, at)
                if slot is None:
                    continue
                outcome = run_step(step, show, slot, at)
                if outcome is None:
                    continue
                if outcome.state is RunState.succeeded:
                    total += outcome.result or 0
                if report is not None:
                    report(_describe(outcome))
    return total


def _describe(outcome: StepOutcome) -> str:
    text = f"{outcome.show.code}\t{outcome.step.action}\t{outcome.slot.isoformat()}\t{outcome.state.value}"
    if outcome.result is not None:
        text += f"\t{outcome.result}"
    if outcome.error:
        text += f"\t{outcome.error}"
    return text


# --- periodic jobs and their runs ------------------------------------------------------------


def job_names() -> list[str]:
    return [RUN_DUE_JOB] + sorted(registry.periodic_jobs())


def job_function(name: str) -> Callable[[datetime], int]:
    if name == RUN_DUE_JOB:
        return run_due_steps
    return registry.periodic_jobs()[name].fn


def job_state(name: str) -> JobState:
    state = db.session.get(JobState, name)
    if state is None:
        state = JobState(name=name, paused=False)
        db.session.add(state)
        db.session.flush()
    return state


def is_paused(name: str) -> bool:
    state = db.session.get(JobState, name)
    return bool(state and state.paused)


def run_job(
    name: str, at: datetime, trigger: str = "schedule", report: Callable[[str], None] | None = None
) -> JobRun:
    """Run one job now, recording its start, end, result or error in job_runs."""
    # Templates (mail, PDF) rendered by jobs expect a request; give them one at the public base URL.
    with writing(), current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        run = JobRun(
            job_name=name,
            trigger=trigger,
            started_at=at,
            state=RunState.running,
            host=HOST,
            pid=os.getpid(),
        )
        db.session.add(run)
        db.session.commit()
        run_id = run.id
        try:
            result = run_due_steps(at, report) if name == RUN_DUE_JOB else job_function(name)(at)
        except registry.JobProblem as problem:
            db.session.rollback()
            current_app.logger.warning("job %s could not do its work: %s", name, problem)
            run = db.session.get(JobRun, run_id)
            run.state, run.error = RunState.failed, f"{type(problem).__name__}: {problem}"[:4000]
        except Exception:
            db.session.rollback()
            error = traceback.format_exc(limit=8)
            current_app.logger.error("job %s failed:\n%s", name, error)
            run = db.session.get(JobRun, run_id)
            run.state, run.error = RunState.failed, error[-4000:]
        else:
            db.session.commit()
            run = db.session.get(JobRun, run_id)
            run.state, run.result = RunState.succeeded, int(result or 0)
        from expo_crm import clock

        run.finished_at = max(clock.now(), at)
        db.session.commit()
        return run


def run_everything_due(at: datetime, echo: Callable[[str], None]) -> list[JobRun]:
    """`jobs run-due`: every due plan step, then every periodic job (the outbox last)."""
    runs = [run_job(RUN_DUE_JOB, at, trigger="cli", report=lambda line: echo("step\t" + line))]
    others = [n for n in job_names() if n != RUN_DUE_JOB]
    others.sort(key=lambda n: n == "mail.send_outbox")
    for name in others:
        runs.append(run_job(name, at, trigger="cli"))
    for run in runs:
        echo(
            f"job\t{run.job_name}\t{run.state.value}\t{run.result if run.result is not None else ''}"
            + (f"\t{run.error.strip().splitlines()[-1]}" if run.error else "")
        )
    return runs


# --- the console -------------------------------------------------------------------------------


@dataclass
class JobOverview:
    name: str
    label: str
    paused: bool
    next_run_at: datetime | None
    run_requested_at: datetime | None
    last_run: JobRun | None


def jobs_overview() -> list[JobOverview]:
    labels = {n: str(j.label) for n, j in registry.periodic_jobs().items()}
    labels[RUN_DUE_JOB] = _("Run the due steps of every show's service plan")
    states = {s.name: s for s in db.session.scalars(sa.select(JobState))}
    latest = (
        sa.select(JobRun.job_name, sa.func.max(JobRun.id).label("last_id"))
        .group_by(JobRun.job_name)
        .subquery()
    )
    last_runs = {
        r.job_name: r
        for r in db.session.scalars(sa.select(JobRun).join(latest, JobRun.id == latest.c.last_id))
    }
    rows = []
    for name in job_names():
        state = states.get(name)
        rows.append(
            JobOverview(
                name=name,
                label=labels.get(name, name),
                paused=bool(state and state.paused),
                next_run_at=state.next_run_at if state else None,
                run_requested_at=state.run_requested_at if state else None,
                last_run=last_runs.get(name),
            )
        )
    return rows


def last_run_started(name: str) -> datetime | None:
    """When the job last started successfully (by any trigger)."""
    return db.session.scalar(
        sa.select(sa.func.max(JobRun.started_at)).where(
            JobRun.job_name == name, JobRun.state == RunState.succeeded
        )
    )


def recent_runs(name: str | None = None, limit: int = 50) -> list[JobRun]:
    query = sa.select(JobRun).order_by(JobRun.id.desc()).limit(limit)
    if name:
        query = query.where(JobRun.job_name == name)
    return list(db.session.scalars(query))


def set_paused(name: str, paused: bool) -> JobState:
    if name not in job_names():
        raise KeyError(name)
    state = job_state(name)
    state.paused = paused
    audit.record("job.pause" if paused else "job.resume", entity_type="job_states", entity_id=name)
    return state


def ask_to_run(name: str, at: datetime) -> None:
    """Ask the scheduler process to run a job at its next poll, for work a user has just queued
    (the caller audits that work; the console's request_run audits the request itself). Safe
    when requests ask at the same moment: the job's row is made once."""
    if name not in job_names():
        raise KeyError(name)
    asked = sa.update(JobState).where(JobState.name == name).values(run_requested_at=at)
    if db.session.execute(asked).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.add(JobState(name=name, paused=False, run_requested_at=at))
    except sa.exc.IntegrityError as clash:
        if not is_unique_violation(clash):
            raise
        db.session.execute(asked)


def request_run(name: str, at: datetime) -> JobState:
    """Ask the scheduler process to run a job at its next poll (web workers never run jobs)."""
    if name not in job_names():
        raise KeyError(name)
    state = job_state(name)
    state.run_requested_at = at
    audit.record("job.run_now", entity_type="job_states", entity_id=name)
    return state


def instances(limit: int = 10) -> list[SchedulerInstance]:
    return list(
        db.session.scalars(
            sa.select(SchedulerInstance)
            .order_by(SchedulerInstance.heartbeat_at.desc())
            .limit(limit)
        )
    )


def active_instance(
    at: datetime, stale: timedelta = timedelta(seconds=90)
) -> SchedulerInstance | None:
    return db.session.scalar(
        sa.select(SchedulerInstance)
        .where(SchedulerInstance.active, SchedulerInstance.heartbeat_at >= at - stale)
        .order_by(SchedulerInstance.heartbeat_at.desc())
        .limit(1)
    )
