"""A small world in which every kind of system text has been written once, through the
services that write it: a visitor registered, checked in, answered a survey and was mailed; an
exhibitor applied, signed, complained; the life cycle raised an alert and a retention task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from expo_crm.db import db
from expo_crm.relationships.models import Channel, Direction
from expo_crm.relationships.services import evaluate_all, log_interaction, record_new_interaction
from expo_crm.scheduler.services import ensure_plan
from expo_crm.subjects import SubjectKind
from expo_crm.surveys.models import answered_event
from tests.factories.core import create_show, create_staff
from tests.factories.exhibitors import create_company, create_contract
from tests.factories.mail import create_outbox_message
from tests.factories.relationships import (
    create_lc_company,
    create_participation,
    create_survey_answer,
)
from tests.factories.suppliers import create_catalogue_item
from tests.factories.visitors import create_registration

__all__ = ["create_system_text_world", "SystemTextWorld", "EVALUATED"]

EVALUATED = datetime(2024, 3, 20, 2, 0, tzinfo=UTC)


@dataclass
class SystemTextWorld:
    staff_zh: object
    staff_en: object
    show: object
    visitor_id: int
    company_id: int
    at_risk_company_id: int


def create_system_text_world() -> SystemTextWorld:
    from expo_crm.relationships.complaints import open_complaint
    from expo_crm.surveys.models import LOW_SCORE

    staff_zh = create_staff("admin", name="Zhang Admin", locale="zh")
    staff_en = create_staff("admin", name="Ellen Admin", locale="en")
    show = create_show(open_from=date(2024, 3, 1), series="ST")

    # A visitor: registration (service), first entry and mail on the hot INSERT, survey answer.
    registration, _code = create_registration(show, name="Visitor Lee", company="Lee Tools")
    visitor_id = registration.visitor_id
    record_new_interaction(
        SubjectKind.visitor,
        visitor_id,
        channel=Channel.gate,
        direction=Direction.inbound,
        event="visitors.checked_in",
        params={"gate": "W1"},
        source_key=f"checkin:{registration.id}",
        occurred_at=EVALUATED - timedelta(days=18),
        show_id=show.id,
    )
    record_new_interaction(
        SubjectKind.visitor,
        visitor_id,
        channel=Channel.email,
        direction=Direction.outbound,
        event="mail.sent",
        params={"subject": "Your badge for ST"},
        source_key="mail:999001",
        occurred_at=EVALUATED - timedelta(days=20),
        show_id=show.id,
    )
    event, params = answered_event(9, Decimal("4.50"))
    log_interaction(
        "visitor",
        visitor_id,
        channel="survey",
        direction="inbound",
        event=event,
        params=params,
        show_id=show.id,
        source_key="survey-response:999001",
    )

    # An exhibitor: application and signed contract (services), a complaint from a low score.
    company = create_company(name_en="Harbour Valves", name_zh="", commit=False)
    create_contract(company, show, signed=True, commit=False)
    open_complaint(
        "exhibitor",
        company.id,
        description="",
        category="service",
        severity="high",
        show_id=show.id,
        source="survey",
        event=LOW_SCORE,
        params={"nps": 2, "satisfaction": "2.00"},
    )

    # A relationship that weakens: the evaluation raises an alert and a retention task.
    at_risk = create_lc_company("Ningbo Lock Works", owner=staff_en)
    create_participation(at_risk, show, area="36")
    create_survey_answer(
        at_risk, show, satisfaction="2.20", nps=4, at=datetime(2024, 3, 10, tzinfo=UTC)
    )
    create_catalogue_item(
        show, unit="night", name_en="Overnight guard", name_zh="夜间看护", commit=False
    )
    create_outbox_message(
        "lee@example.com",
        subject="Your badge for ST",
        subject_ref=("visitor", visitor_id),
        commit=False,
    )
    ensure_plan(show)  # the plan page shows a show's plan; it no longer seeds one on GET
    db.session.commit()
    evaluate_all(EVALUATED)
    db.session.commit()
    return SystemTextWorld(staff_zh, staff_en, show, visitor_id, company.id, at_risk.id)
