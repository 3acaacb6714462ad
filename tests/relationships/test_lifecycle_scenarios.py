"""One exhibitor and one visitor walk through all five stages across the editions of a series,
with a recovery from weakening and a return after loss."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from expo_crm.db import db
from expo_crm.relationships.models import Alert, LifecycleStage, RelationshipState, StageTransition
from expo_crm.relationships.services import evaluate_all
from expo_crm.tasks.models import Task
from tests.factories import (
    create_checkin,
    create_interaction,
    create_lc_company,
    create_lc_visitor,
    create_participation,
    create_show,
    create_staff,
    create_survey_answer,
)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


def editions(count: int = 5):
    return [
        create_show(
            open_from=date(2024 + n, 3, 1),
            series="LC",
            code=f"LC{2024 + n}",
            rebooking_deadline=date(2024 + n, 6, 29),
        )
        for n in range(count)
    ]


def state_of(column: str, subject_id: int) -> RelationshipState:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(RelationshipState).where(getattr(RelationshipState, column) == subject_id)
    )


def stage_after(moment: str, column: str, subject_id: int) -> tuple[LifecycleStage, str]:
    evaluate_all(at(moment))
    state = state_of(column, subject_id)
    return state.stage, state.rule


def test_an_exhibitor_walks_through_every_stage_and_comes_back(app):
    owner = create_staff("sales")
    e1, e2, _e3, e4, e5 = editions()
    company = create_lc_company("Ningbo Tools", owner=owner)
    create_interaction("exhibitor", company.id, subject="First call", occurred_at=at("2023-12-01"))
    assert stage_after("2023-12-02", "company_id", company.id) == (
        LifecycleStage.cultivation,
        "prospect",
    )

    create_participation(company, e1, area="36", signed_at=at("2024-01-05"))
    assert stage_after("2024-01-10", "company_id", company.id) == (
        LifecycleStage.confirmation,
        "first",
    )

    create_participation(company, e2, area="36", signed_at=at("2024-05-01"))
    create_interaction("exhibitor", company.id, occurred_at=at("2025-03-05"), tone="positive")
    assert stage_after("2025-03-10", "company_id", company.id) == (LifecycleStage.trust, "repeat")

    # Weakening: the survey after the second edition comes back poor.
    create_survey_answer(company, e2, satisfaction="2.50", nps=6, at=at("2025-03-15"))
    stage, rule = stage_after("2025-03-20", "company_id", company.id)
    assert (stage, rule) == (LifecycleStage.weakening, "warning")
    state = state_of("company_id", company.id)
    assert state.low_satisfaction and state.low_nps
    alert = db.session.scalar(sa.select(Alert).where(Alert.company_id == company.id))
    assert alert.stage is LifecycleStage.weakening and alert.owner_id == owner.id
    task = db.session.get(Task, alert.task_id)
    assert (
        task.kind.value == "retention"
        and task.owner_id == owner.id
        and "Ningbo Tools" in task.heading
    )

    # Recovery: a follow-up call and a better answer repair it.
    create_survey_answer(company, e2, satisfaction="4.60", nps=9, at=at("2025-04-20"))
    assert stage_after("2025-04-25", "company_id", company.id) == (LifecycleStage.trust, "repeat")

    # Not rebooked by the deadline of the second edition: weakening again.
    stage, _ = stage_after("2025-07-05", "company_id", company.id)
    assert stage is LifecycleStage.weakening
    assert state_of("company_id", company.id).not_rebooked

    # The third edition is held without them: weakening not repaired, so loss.
    assert stage_after("2026-03-10", "company_id", company.id) == (
        LifecycleStage.loss,
        "not_repaired",
    )
    win_back = db.session.scalar(
        sa.select(Task).where(Task.company_id == company.id, Task.kind == "win_back")
    )
    assert win_back is not None and win_back.state.value == "open"

    # They sign for the fourth edition: back to confirmation, not straight to trust.
    create_participation(company, e4, area="36", signed_at=at("2026-09-01"))
    create_interaction("exhibitor", company.id, occurred_at=at("2026-09-01"), tone="positive")
    assert stage_after("2026-09-05", "company_id", company.id) == (
        LifecycleStage.confirmation,
        "returned",
    )

    create_participation(company, e5, area="48", signed_at=at("2027-05-01"))
    assert stage_after("2027-05-05", "company_id", company.id) == (LifecycleStage.trust, "repeat")

    history = db.session.scalars(
        sa.select(StageTransition.to_stage)
        .where(StageTransition.company_id == company.id)
        .order_by(StageTransition.at)
    ).all()
    assert [s.value for s in history] == [
        "cultivation",
        "confirmation",
        "trust",
        "weakening",
        "trust",
        "weakening",
        "loss",
        "confirmation",
        "trust",
    ]


def test_a_visitor_walks_through_every_stage_and_comes_back(app):
    e1, e2, _e3, _e4, e5 = editions()
    visitor = create_lc_visitor("Zhao Lei")
    assert stage_after("2024-02-01", "visitor_id", visitor.id) == (
        LifecycleStage.cultivation,
        "prospect",
    )

    create_checkin(visitor, e1)
    assert stage_after("2024-03-05", "visitor_id", visitor.id) == (
        LifecycleStage.confirmation,
        "first",
    )

    create_checkin(visitor, e2)
    assert stage_after("2025-03-05", "visitor_id", visitor.id) == (LifecycleStage.trust, "repeat")

    create_survey_answer(visitor, e2, nps=3, at=at("2025-03-08"))
    assert stage_after("2025-03-10", "visitor_id", visitor.id) == (
        LifecycleStage.weakening,
        "warning",
    )

    create_survey_answer(visitor, e2, nps=9, satisfaction="4.50", at=at("2025-04-01"))
    assert stage_after("2025-04-02", "visitor_id", visitor.id) == (LifecycleStage.trust, "repeat")

    # Skips the third edition: weakening; skips the fourth too: loss.
    stage, _ = stage_after("2026-03-10", "visitor_id", visitor.id)
    assert (
        stage is LifecycleStage.weakening
        and state_of("visitor_id", visitor.id).missed_editions == 1
    )
    assert stage_after("2027-03-10", "visitor_id", visitor.id) == (
        LifecycleStage.loss,
        "missed_editions",
    )
    assert state_of("visitor_id", visitor.id).lost_at is not None

    create_checkin(visitor, e5)
    assert stage_after("2028-03-05", "visitor_id", visitor.id) == (
        LifecycleStage.confirmation,
        "returned",
    )

    alerts = db.session.scalars(
        sa.select(Alert.stage).where(Alert.visitor_id == visitor.id).order_by(Alert.id)
    ).all()
    assert [a.value for a in alerts] == ["weakening", "weakening", "loss"]


def test_the_nightly_evaluation_is_idempotent(app):
    e1, _e2, *_ = editions(3)
    company = create_lc_company()
    create_participation(company, e1, signed_at=at("2024-01-05"))
    create_survey_answer(company, e1, satisfaction="2.00", at=at("2024-03-10"))
    moment = at("2024-03-20")
    first = evaluate_all(moment)
    counts = [
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (StageTransition, Alert, Task)
    ]
    assert first >= 1 and counts[1] == 1 and counts[2] == 1
    assert evaluate_all(moment) == 0
    assert evaluate_all(moment + timedelta(hours=3)) == 0
    again = [
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (StageTransition, Alert, Task)
    ]
    assert again == counts


def test_an_alert_takes_the_outcome_of_its_completed_task(app):
    from expo_crm.tasks.services import complete_task

    e1, *_ = editions(2)
    company = create_lc_company()
    create_participation(company, e1, signed_at=at("2024-01-05"))
    create_survey_answer(company, e1, satisfaction="1.50", at=at("2024-03-10"))
    evaluate_all(at("2024-03-20"))
    alert = db.session.scalar(sa.select(Alert))
    complete_task(
        db.session.get(Task, alert.task_id), outcome="Met them; they rebook with a bigger booth."
    )
    db.session.commit()
    evaluate_all(at("2024-03-21"))
    db.session.expire_all()
    alert = db.session.scalar(sa.select(Alert))
    assert (
        alert.state.value == "closed"
        and alert.outcome == "Met them; they rebook with a bigger booth."
    )
