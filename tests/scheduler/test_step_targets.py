"""A plan step's own target (issue 15 item 4), chosen per show on the plan page: the seeds'
example — a personal call before the invitation for value customers, the invitation mail only
for low-value customers — run by travelling in time through the plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from expo_crm import clock
from expo_crm.db import db
from expo_crm.mail.models import OutboxMessage
from expo_crm.relationships import settings
from expo_crm.relationships.models import CustomerValueState
from expo_crm.relationships.services import evaluate_values
from expo_crm.scheduler import services
from expo_crm.scheduler.models import ServicePlanStep
from expo_crm.scheduler.services import PlanError
from expo_crm.tasks.models import Task
from tests.factories import (
    create_checkin,
    create_complaint,
    create_interaction,
    create_lc_visitor,
    create_show,
    create_staff,
    run_due_at,
)
from tests.helpers import login, post_form, text_of


def _local(show, day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=show.tz).astimezone(UTC)


def _step(show, action: str) -> ServicePlanStep:
    return next(s for s in services.plan_of(show) if s.action == action)


def test_value_customers_get_a_call_and_only_low_value_customers_get_the_invitation_mail(app):
    past = create_show(open_from=date(2025, 3, 1), series="TG", code="TG2025")
    show = create_show(open_from=date(2026, 5, 1), series="TG", code="TG2026")
    star, plain, middling = (create_lc_visitor(n) for n in ("Star", "Plain", "Middling"))
    for visitor in (star, plain, middling):
        create_checkin(visitor, past, commit=False).marketing_consent = True
    db.session.commit()
    # Every visitor's profit per edition is 300 and r = 0.8: CLV = 300 × 0.8 / 0.3 = 800 ≥ 600.
    settings.save(
        {s.key: str(s.default) for s in settings.SETTINGS} | {"retention_rate": "0.8"}, None
    )
    clock.freeze(datetime(2026, 1, 5, 3, tzinfo=UTC))
    create_complaint("visitor", plain.id)  # 500 to handle: current −200, CLV < 0: low value
    create_interaction("visitor", middling.id, subject="Call")  # 60: current 240 < 300: potential
    db.session.commit()
    evaluate_values(clock.now())
    classes = dict(
        db.session.execute(
            sa.select(CustomerValueState.visitor_id, CustomerValueState.value_class)
        ).all()
    )
    assert [classes[v.id].value for v in (star, plain, middling)] == ["value", "low", "potential"]
    # Staff aim the show's invitation mail at low-value customers; the personal calls keep their
    # default, value customers.
    services.update_step(
        invite := _step(show, "visitors.invite"),
        anchor=invite.anchor,
        offset_days=invite.offset_days,
        hour=invite.hour,
        enabled=True,
        target="class:low",
    )
    db.session.commit()
    assert _step(show, "value.personal_calls").target == "class:value"

    # T−67, 10:00 at the show: the call tasks are made; the invitation is not due yet.
    run_due_at(_local(show, show.open_from - timedelta(days=67), 10))
    calls = db.session.scalars(sa.select(Task).where(Task.source_key.like("value_call:%"))).all()
    assert [task.visitor_id for task in calls] == [star.id]
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0

    # T−60, 11:00: the invitation mail goes to the low-value customer only.
    run_due_at(_local(show, show.open_from - timedelta(days=60), 11))
    invited = db.session.scalars(
        sa.select(OutboxMessage.to_address).where(OutboxMessage.template == "visitors/invitation")
    ).all()
    assert invited == [plain.email]

    # The next edition, the target cleared: the invitation reaches the whole audience again.
    following = create_show(open_from=date(2027, 5, 1), series="TG", code="TG2027")
    step = _step(following, "visitors.invite")
    assert step.target == ""
    run_due_at(_local(following, following.open_from - timedelta(days=60), 11))
    invited = db.session.scalars(
        sa.select(OutboxMessage.to_address).where(
            OutboxMessage.template == "visitors/invitation",
            OutboxMessage.show_id == following.id,
        )
    ).all()
    assert sorted(invited) == sorted([star.email, plain.email, middling.email])


@pytest.mark.parametrize(
    ("action", "target", "message"),
    [
        ("visitors.invite", "class:bogus", "Choose a value class or tier"),
        ("visitors.reminder", "class:value", "always reaches its whole audience"),
    ],
)
def test_an_unknown_target_or_one_for_a_step_that_cannot_sort_its_audience_is_refused(
    app, action, target, message
):
    show = create_show()
    step = _step(show, action)
    with force_locale("en"), pytest.raises(PlanError, match=message):
        services.update_step(
            step,
            anchor=step.anchor,
            offset_days=step.offset_days,
            hour=step.hour,
            enabled=True,
            target=target,
        )


def test_staff_choose_a_steps_target_on_the_plan_page(app, client):
    show = create_show()
    step = _step(show, "visitors.invite")
    db.session.commit()
    login(client, create_staff("admin", locale="en").email)
    url = f"/jobs/plans/{show.id}/steps/{step.id}"
    form = client.get(url)
    assert "Value class: Low-value customers" in text_of(form)
    fields = {"anchor": step.anchor, "offset_days": str(step.offset_days), "hour": "10"}
    refused = post_form(client, url, fields | {"enabled": "y", "target": "tier:nonsense"})
    assert "Choose a value class or tier" in text_of(refused)
    saved = post_form(client, url, fields | {"enabled": "y", "target": "tier:key"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(ServicePlanStep, step.id).target == "tier:key"
    assert "Tier: Key customers" in text_of(client.get(f"/jobs/plans/{show.id}"))
    reminder = _step(show, "visitors.reminder")
    db.session.commit()
    assert "Who of the audience" not in text_of(
        client.get(f"/jobs/plans/{show.id}/steps/{reminder.id}")
    )
