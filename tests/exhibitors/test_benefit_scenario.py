"""A satisfied exhibitor whose last show brought little for what it cost enters weakening, with
"benefit small, cost large" as the reason, in the reader's language."""

from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import force_locale

from expo_crm import clock
from expo_crm.db import db
from expo_crm.exhibitors import leads
from expo_crm.relationships import stages
from expo_crm.relationships.models import Alert, LifecycleStage, RelationshipState
from expo_crm.relationships.services import evaluate_all
from tests.factories import (
    create_company,
    create_contract,
    create_interaction,
    create_participation,
    create_registration,
    create_show,
    create_survey_answer,
)


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def state_of(company) -> RelationshipState:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(RelationshipState).where(RelationshipState.company_id == company.id)
    )


def test_a_satisfied_exhibitor_with_a_poor_return_is_weakening_for_that_reason(app):
    clock.freeze(at("2025-01-10"))
    first = create_show(open_from=date(2025, 3, 4), series="BN", code="BN2025")
    second = create_show(open_from=date(2026, 3, 3), series="BN", code="BN2026")
    company = create_company(name_en="Quiet Corner Tools", name_zh="静角工具有限公司")
    create_participation(company, first, signed_at=at("2024-12-01"))
    clock.freeze(at("2026-01-10"))
    contract = create_contract(company, second, area="18", price="1000", signed=True)
    peers = [create_contract(None, second, area="18", price="1000", signed=True) for _ in range(3)]
    clock.freeze(at("2026-03-03", 3))
    buyers = [create_registration(second, purchasing_authority="decides")[1] for _ in range(4)]
    leads.record_lead(contract, buyers[0], 4)
    for peer in peers:
        for code in buyers[1:]:
            leads.record_lead(peer, code, 4)
    db.session.commit()
    create_survey_answer(company, second, satisfaction="4.80", nps=10, at=at("2026-03-04"))
    create_interaction("exhibitor", company.id, occurred_at=at("2026-03-04"), tone="positive")

    # During the show it is trusted: two editions, satisfied, no warning.
    evaluate_all(at("2026-03-05", 1))
    assert state_of(company).stage is LifecycleStage.trust

    # Once the show is over: 18,000 CNY for one qualified lead, where the hall paid 6,000.
    evaluate_all(at("2026-03-08"))
    state = state_of(company)
    assert (state.stage, state.rule) == (LifecycleStage.weakening, "warning")
    assert not state.low_satisfaction and state.satisfaction == Decimal("4.80")
    assert state.external_warnings[0]["event"] == "exhibitors.benefit_low"
    with force_locale("en"):
        english = [r.text for r in stages.reasons(state) if r.warning]
    assert english == [
        "Benefit small, cost large at Test Expo "
        + second.name_en.rsplit(" ", 1)[-1]
        + ": cost per qualified lead 3.0× the median of hall W1."
    ]
    with force_locale("zh"):
        chinese = [r.text for r in stages.reasons(state) if r.warning]
    assert (
        "所得很小而成本却很大" in chinese[0]
        and "3.0" in chinese[0]
        and second.name_zh in chinese[0]
    )
    alert = db.session.scalar(sa.select(Alert).where(Alert.company_id == company.id))
    assert alert is not None and alert.stage is LifecycleStage.weakening
    # The peers, whose leads cost the hall median, stay where they were.
    assert all(state_of(p.company).stage is LifecycleStage.confirmation for p in peers)
