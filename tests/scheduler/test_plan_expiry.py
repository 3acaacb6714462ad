"""Every plan step says until when it still makes sense: a day-before reminder found late (a
show first seen, or a scheduler started, after the show opened) is skipped, and the reminder
re-checks its audience when it sends."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.demo import seed_demo
from expo_crm.mail.models import OutboxMessage
from expo_crm.scheduler import registry, services
from expo_crm.scheduler.models import PlanStepRun, RunState, ServicePlanStep
from expo_crm.shows.models import Show
from expo_crm.visitors.models import Registration
from tests.factories import create_checked_in_visitors, create_registration, create_show, run_due_at


def _reminders(show_id: int) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage).where(
                OutboxMessage.template == "visitors/reminder", OutboxMessage.show_id == show_id
            )
        )
    )


def test_every_plan_action_declares_until_when_it_makes_sense(app):
    for action in registry.actions().values():
        anchor, offset_days = action.until
        assert anchor in ("move_in_date", "open_from", "open_to", "move_out_date"), action.name
        assert isinstance(offset_days, int)


def test_a_demo_started_during_an_open_show_says_no_see_you_tomorrow(app):
    seed_demo(exhibitors=6, visitors=80)
    current = db.session.scalar(sa.select(Show).where(Show.code == "CIHF2026B"))
    now = clock.now()
    assert current.is_open_at(now) or current.open_from <= current.local_date(now)

    run_due_at(now + timedelta(minutes=1))

    assert _reminders(current.id) == []
    reminder_step = db.session.scalar(
        sa.select(ServicePlanStep).where(
            ServicePlanStep.show_id == current.id, ServicePlanStep.action == "visitors.reminder"
        )
    )
    run = db.session.scalar(sa.select(PlanStepRun).where(PlanStepRun.step_id == reminder_step.id))
    assert run.state is RunState.skipped
    inside = set(
        db.session.scalars(
            sa.select(Registration.visitor_id).where(
                Registration.show_id == current.id, Registration.first_checked_in_at.is_not(None)
            )
        )
    )
    queued_to_visitors = db.session.scalars(
        sa.select(OutboxMessage.visitor_id).where(
            OutboxMessage.show_id == current.id,
            OutboxMessage.template.in_(("visitors/reminder", "visitors/invitation")),
        )
    ).all()
    assert inside and not inside & set(queued_to_visitors)


def test_the_day_before_reminder_runs_on_time_but_never_after_the_show_opens(app):
    show = create_show(open_from=clock.now().date() + timedelta(days=10))
    create_registration(show, email="early@example.com")
    opening = show.local_start(show.open_from).astimezone(UTC)
    step = next(s for s in services.plan_of(show) if s.action == "visitors.reminder")

    # Found only after the show opened: too late, whatever the catch-up of other steps.
    outcome = services.run_step(step, show, services.due_at(step, show), opening)
    assert outcome.state is RunState.skipped and _reminders(show.id) == []

    other = create_show(open_from=clock.now().date() + timedelta(days=12))
    create_registration(other, email="on-time@example.com")
    step = next(s for s in services.plan_of(other) if s.action == "visitors.reminder")
    eve = datetime.combine(other.open_from - timedelta(days=1), time(10, 1), tzinfo=other.tz)
    outcome = services.run_step(step, other, services.due_at(step, other), eve.astimezone(UTC))
    assert outcome.state is RunState.succeeded
    assert [m.to_address for m in _reminders(other.id)] == ["on-time@example.com"]


def test_the_reminder_skips_visitors_already_checked_in(app):
    show = create_show(open_from=clock.now().date() + timedelta(days=10))
    create_registration(show, email="coming@example.com")
    # Exhibitor staff and early guests may be admitted at move-in, before the reminder runs.
    create_checked_in_visitors(show, 2, at=show.local_start(show.move_in_date).astimezone(UTC))
    step = next(s for s in services.plan_of(show) if s.action == "visitors.reminder")
    eve = datetime.combine(show.open_from - timedelta(days=1), time(10, 1), tzinfo=show.tz)
    services.run_step(step, show, services.due_at(step, show), eve.astimezone(UTC))
    assert [m.to_address for m in _reminders(show.id)] == ["coming@example.com"]
