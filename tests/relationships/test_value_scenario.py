"""Three editions: a customer moves from potential to value customer and then falls, and the work
changes with it: a named owner, a shorter complaint SLA, a personal call step of the service
plan, a timeline event for each change of class and an alert with a task when it falls."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.relationships import settings
from expo_crm.relationships.jobs import personal_calls
from expo_crm.relationships.models import (
    VALUE_CLASS_CHANGED,
    VALUE_FELL_TASK,
    Alert,
    CustomerValueState,
    Interaction,
)
from expo_crm.relationships.services import evaluate_values
from expo_crm.tasks.models import Task
from tests.factories import (
    create_complaint,
    create_lc_company,
    create_participation,
    create_show,
    create_staff,
    run_due_at,
)


def at(day: str, hour: int = 3) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def state(company) -> CustomerValueState:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(CustomerValueState).where(CustomerValueState.company_id == company.id)
    )


def sla_hours(company, moment: datetime) -> float:
    clock.freeze(moment)
    complaint = create_complaint("exhibitor", company.id)
    return (complaint.sla_due_at - complaint.opened_at).total_seconds() / 3600


def call_tasks(company) -> list[Task]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Task).where(
                Task.company_id == company.id, Task.source_key.like("value_call:%")
            )
        )
    )


def test_a_customer_rises_to_value_customer_then_falls_and_the_work_follows(app):
    values = {s.key: str(s.default) for s in settings.SETTINGS}
    values |= {"retention_rate": "", "class_current_exhibitor": "30000"}
    settings.save(values, None)
    db.session.commit()
    sales = create_staff("sales", name="Wang Fang")
    e1, e2, e3, e4 = (
        create_show(open_from=date(2024 + n, 3, 1), series="SC", code=f"SC{2024 + n}")
        for n in range(4)
    )
    rising = create_lc_company("Rising Co")

    # Edition 1, a small booth: 28,000 margin is low current value, but its CLV
    # 28,000 × 0.5 / 0.6 = 23,333 is high potential: a potential customer.
    create_participation(rising, e1, amount="80000")
    evaluate_values(at("2024-04-01"))
    assert state(rising).value_class.value == "potential"
    assert state(rising).estimated  # no edition yet to measure its retention
    assert sla_hours(rising, at("2024-04-02")) == 72 * 0.5  # the only customer: key tier

    # Edition 2, a larger booth and it came back: a value customer, with a named owner.
    create_participation(rising, e2, amount="120000")
    evaluate_values(at("2025-04-01"))
    row = state(rising)
    assert row.value_class.value == "value" and row.tier.value == "key"
    db.session.refresh(rising)
    assert rising.owner_id == sales.id
    changes = db.session.scalars(
        sa.select(Interaction).where(
            Interaction.company_id == rising.id, Interaction.event == VALUE_CLASS_CHANGED
        )
    ).all()
    assert [c.params for c in changes] == [{"before": "potential", "after": "value"}]

    # The plan of edition 3: a personal call before the invitation, for value customers only.
    run_due_at(at("2025-12-24", hour=2))
    assert [t.owner_id for t in call_tasks(rising)] == [sales.id]

    # Edition 3 is missed while a big newcomer signs: current value falls to 0, retention to
    # (5·0.5 + 1)/(5 + 2) = 0.5, potential 35,000 × 0.5 / 0.6 = 29,167: it falls to potential.
    create_participation(create_lc_company("Big Newcomer"), e3, amount="500000")
    evaluate_values(at("2026-04-15"))
    row = state(rising)
    assert row.value_class.value == "potential" and row.current == 0
    assert float(row.retention) == 0.5
    alert = db.session.scalar(
        sa.select(Alert).where(Alert.company_id == rising.id, Alert.event.is_not(None))
    )
    assert alert.stage is None and alert.owner_id == sales.id
    assert alert.params == {"before": "value", "after": "potential"}
    assert alert.task.event == VALUE_FELL_TASK and alert.task.owner_id == sales.id
    assert "Value customers" in alert.headline or "价值客户" in alert.headline
    # No longer in the key tier: the newcomer holds 175,000 of 245,000; SLA factor 0.75.
    assert row.tier.value == "major"
    assert sla_hours(rising, at("2026-04-16")) == 72 * 0.75
    # Edition 4's plan calls value customers only: no call for the fallen customer.
    personal_calls(e4, at("2026-12-24"))
    assert {t.show_id for t in call_tasks(rising)} == {e3.id}

    # Evaluated again with nothing new: no second event, no second alert.
    evaluate_values(at("2026-04-16"))
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Alert)
            .where(Alert.company_id == rising.id, Alert.event.is_not(None))
        )
        == 1
    )
