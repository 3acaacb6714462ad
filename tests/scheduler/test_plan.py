"""Service plans: seeded from the registry, run once per slot, resumed after a kill."""

from __future__ import annotations

import os
import subprocess
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.mail.models import OutboxMessage
from expo_crm.scheduler import registry, services
from expo_crm.scheduler.models import (
    JobRun,
    JobState,
    PlanStepRun,
    RunState,
    ServicePlanStep,
)
from expo_crm.visitors.models import TrafficSnapshot
from tests.factories import create_checked_in_visitors, create_show, create_staff, run_due_at
from tests.helpers import login, post_form, row_counts, text_of


def _local(show, day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=show.tz)


def test_every_show_gets_the_default_plan_from_the_registered_actions(app):
    show = create_show()
    steps = services.plan_of(show)
    db.session.commit()
    names = {s.action for s in steps}
    assert {
        "surveys.send",
        "surveys.remind",
        "surveys.close",
        "staff.attendance_digest",
        "show.traffic_snapshot",
    } <= names
    assert names == set(registry.actions())
    survey = next(s for s in steps if s.action == "surveys.send")
    assert (survey.anchor, survey.offset_days, survey.stage.value) == ("open_to", 1, "post_show")


def test_the_plan_page_writes_nothing_and_a_button_adds_the_default_steps(app, client):
    show = create_show()
    login(client, create_staff("admin").email)
    page = f"/jobs/plans/{show.id}"
    before = row_counts()
    offered = client.get(page)
    assert row_counts() == before  # a GET never writes, not even the default plan
    assert offered.status_code == 200 and "Add them now" in text_of(offered)
    response = post_form(client, f"{page}/default-steps", {}, page=page)
    assert response.status_code == 302
    db.session.rollback()
    assert {s.action for s in services.plan_steps(show)} == set(registry.actions())
    after = client.get(page)
    assert "Add them now" not in text_of(after) and "default steps added" in text_of(after)
    assert client.post(f"{page}/default-steps").status_code == 400  # no CSRF token


def test_a_step_outside_the_show_window_is_refused(app, client):
    show = create_show()
    step = next(s for s in services.plan_of(show) if s.action == "surveys.remind")
    db.session.commit()
    admin = create_staff("admin")
    login(client, admin.email)
    url = f"/jobs/plans/{show.id}/steps/{step.id}"
    refused = post_form(
        client, url, {"anchor": "move_in_date", "offset_days": "-400", "hour": "9", "enabled": "y"}
    )
    assert "outside the show" in text_of(refused) and "365 days before move-in" in text_of(refused)
    db.session.expire_all()
    assert db.session.get(ServicePlanStep, step.id).offset_days == 4
    saved = post_form(
        client, url, {"anchor": "open_to", "offset_days": "5", "hour": "11", "enabled": "y"}
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert (
        db.session.get(ServicePlanStep, step.id).offset_days,
        db.session.get(ServicePlanStep, step.id).hour,
    ) == (5, 11)


def test_running_due_steps_twice_sends_nothing_twice(app):
    show = create_show()
    create_checked_in_visitors(show, 5, prefix="twice")
    at = _local(show, show.open_to + timedelta(days=1), 10).astimezone(clock.now().tzinfo)
    first = run_due_at(at)
    second = run_due_at(at + timedelta(minutes=1))
    assert any("surveys.send" in line and "succeeded" in line for line in first)
    assert not any("surveys.send" in line for line in second)
    invitations = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.template == "surveys/invitation")
    ).all()
    assert len(invitations) == 5 and len({m.to_address for m in invitations}) == 5
    step = db.session.scalar(
        sa.select(ServicePlanStep).where(
            ServicePlanStep.show_id == show.id, ServicePlanStep.action == "surveys.send"
        )
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count(PlanStepRun.id)).where(PlanStepRun.step_id == step.id)
        )
        == 1
    )


def test_a_run_left_unfinished_by_a_killed_process_is_resumed(app):
    show = create_show()
    create_checked_in_visitors(show, 4, prefix="killed")
    step = next(s for s in services.plan_of(show) if s.action == "surveys.send")
    at = services.due_at(step, show)
    gone = subprocess.Popen(["true"])
    gone.wait()
    db.session.add(
        PlanStepRun(
            step_id=step.id,
            slot=at,
            started_at=at,
            state=RunState.running,
            host=services.HOST,
            pid=gone.pid,
        )
    )
    db.session.commit()
    assert not services._process_alive(gone.pid) or gone.pid == os.getpid()
    run_due_at(at + timedelta(minutes=1))
    run = db.session.scalar(sa.select(PlanStepRun).where(PlanStepRun.step_id == step.id))
    db.session.refresh(run)
    assert (run.state, run.attempts, run.result) == (RunState.succeeded, 2, 4)


def test_a_run_by_a_live_process_is_left_alone(app):
    show = create_show()
    step = next(s for s in services.plan_of(show) if s.action == "surveys.send")
    at = services.due_at(step, show)
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        db.session.add(
            PlanStepRun(
                step_id=step.id,
                slot=at,
                started_at=at,
                state=RunState.running,
                host=services.HOST,
                pid=sleeper.pid,
            )
        )
        db.session.commit()
        run_due_at(at + timedelta(minutes=1))
        run = db.session.scalar(sa.select(PlanStepRun).where(PlanStepRun.step_id == step.id))
        db.session.refresh(run)
        assert (run.state, run.attempts) == (RunState.running, 1)
    finally:
        sleeper.kill()
        sleeper.wait()


def test_hourly_snapshots_and_the_morning_digest_while_the_show_is_open(app):
    show = create_show()
    create_staff("gate", email="gate-digest@example.com")
    create_checked_in_visitors(show, 7, prefix="traffic")
    day = show.open_from
    for hour in (8, 9, 10):
        run_due_at(_local(show, day, hour).astimezone(clock.now().tzinfo) + timedelta(minutes=2))
    run_due_at(_local(show, day, 10).astimezone(clock.now().tzinfo) + timedelta(minutes=30))
    counts = db.session.scalars(
        sa.select(TrafficSnapshot.checked_in).where(TrafficSnapshot.show_id == show.id)
    ).all()
    assert counts == [7, 7, 7]
    digests = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.template == "staff_digest/attendance")
    ).all()
    assert [m.to_address for m in digests] == ["gate-digest@example.com"]
    assert "7" in digests[0].body_text


def test_a_failing_job_is_recorded_with_its_error(app, monkeypatch):
    def broken(at):
        raise RuntimeError("disk full")

    monkeypatch.setattr(
        registry._periodic["mail.send_outbox"], "fn", broken, raising=False
    ) if False else None
    monkeypatch.setitem(
        registry._periodic,
        "test.broken",
        registry.PeriodicJob("test.broken", "Broken", {"minutes": 1}, broken),
    )
    run = services.run_job("test.broken", clock.now(), trigger="manual")
    stored = db.session.get(JobRun, run.id)
    assert (
        stored.state is RunState.failed
        and "disk full" in stored.error
        and stored.finished_at is not None
    )


def test_the_jobs_console_pauses_resumes_and_requests_runs(app, client):
    admin = create_staff("admin")
    login(client, admin.email)
    page = client.get("/jobs/")
    assert (
        page.status_code == 200
        and "mail.send_outbox" in text_of(page)
        and "No scheduler is running" in text_of(page)
    )
    post_form(client, "/jobs/mail.send_outbox/pause", {}, page="/jobs/")
    assert db.session.get(JobState, "mail.send_outbox").paused
    post_form(client, "/jobs/mail.send_outbox/resume", {}, page="/jobs/")
    post_form(client, "/jobs/plan.run_due/run", {}, page="/jobs/")
    db.session.expire_all()
    assert not db.session.get(JobState, "mail.send_outbox").paused
    assert db.session.get(JobState, "plan.run_due").run_requested_at is not None
    assert client.post("/jobs/nope/run").status_code in (400, 404)


def test_only_job_managers_reach_the_console(app, client):
    service = create_staff("service")
    login(client, service.email)
    assert client.get("/jobs/").status_code == 403
