"""Migration 0002 turns the sentences the system stored until now, in either language, into event
kinds with parameters; what it does not recognise, such as what staff typed, stays as typed.
Its downgrade gives the rows a sentence back."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_babel import force_locale
from flask_migrate import downgrade, upgrade

from expo_crm.database import MIGRATIONS
from expo_crm.db import db
from expo_crm.relationships.models import Complaint, Interaction
from expo_crm.tasks.models import Task
from tests.factories import create_company, create_staff

AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)

LEGACY_INTERACTIONS = [
    # (subject, source_key, staff typed?) -> expected event
    ("Registered for CIHF2026B", "registration:1", False, "visitors.registered"),
    ("Checked in at gate W1", "checkin:1", False, "visitors.checked_in"),
    ("已填写问卷：NPS 9, 满意度 4.5", "survey-response:1", False, "surveys.answered_both"),
    ("Survey answered: NPS 3", "survey-response:2", False, "surveys.answered_nps"),
    ("申请 18 m²（标摊）", "exhibitors.application.1", False, "exhibitors.applied"),
    (
        "Contract C-2026-0001 signed",
        "exhibitors.contract_signed.1",
        False,
        "exhibitors.contract_signed",
    ),
    (
        "合同 C-2026-0002 已签订",
        "exhibitors.contract_signed.2",
        False,
        "exhibitors.contract_signed",
    ),
    ("投诉：物流", "complaint:1", False, "relationships.complaint"),
    ("您的电子胸卡", "mail:77", False, "mail.sent"),
    ("Registered for CIHF2026B", None, True, None),  # typed by staff: stays
    ("Lunch with the buyer", None, False, None),  # not a known sentence: stays
]
LEGACY_TASKS = [
    ("客户挽留: 黄洋", "客户关系已进入弱化阶段：请在阶段页面查看原因并采取行动。", "retention"),
    ("Win-back: Ningbo Lock Works", "The customer is lost: find out why and try to win them back.", "win_back"),
    ("投诉：现场服务（高）", "Booth lights broken", "complaint"),
    ("合作方甲:买家团 自 2026-10-01 起逾期 / Partner A: Buyer delegation overdue since 2026-10-01", "", "deliverable"),
    ("供应商乙:缺少 CIHF2026B 所需的保险 / Supplier B: Insurance missing for CIHF2026B", "CIHF2026B: 2026-11-20 – 2026-11-26", "document_expiry"),
    ("Call the buyer back", "", "manual"),
]  # fmt: skip


def _rows(connection, company_id: int, staff_id: int) -> None:
    meta = sa.MetaData()
    interactions = sa.Table("interactions", meta, autoload_with=connection)
    tasks = sa.Table("tasks", meta, autoload_with=connection)
    complaints = sa.Table("complaints", meta, autoload_with=connection)
    for n, (subject, key, typed, _event) in enumerate(LEGACY_INTERACTIONS):
        connection.execute(
            interactions.insert().values(
                occurred_at=AT, channel="system", direction="inbound", subject=subject, notes="",
                tone="neutral", next_step="", next_step_done=False, company_id=company_id,
                staff_id=staff_id if typed else None, source_key=key or f"legacy:{n}",
                created_at=AT, updated_at=AT,
            )
        )  # fmt: skip
    for title, description, kind in LEGACY_TASKS:
        connection.execute(
            tasks.insert().values(
                title=title, description=description, kind=kind, state="open", outcome="",
                company_id=company_id, created_by_id=staff_id if kind == "manual" else None,
                created_at=AT, updated_at=AT,
            )
        )  # fmt: skip
    connection.execute(
        complaints.insert().values(
            category="service", severity="high", state="open", source="survey",
            description="问卷评分偏低（NPS 2, 满意度 1.5）。\nThe aisles were too crowded",
            opened_at=AT, sla_due_at=AT, resolution="", verdict_note="", company_id=company_id,
            created_at=AT, updated_at=AT,
        )
    )  # fmt: skip


def test_the_migration_turns_known_sentences_into_events_and_back(app):
    company = create_company(name_en="Legacy Co")
    staff = create_staff("sales")
    company_id, staff_id = company.id, staff.id
    db.session.commit()
    db.session.remove()
    downgrade(directory=str(MIGRATIONS), revision="0001")
    with db.engine.begin() as connection:
        _rows(connection, company_id, staff_id)
    upgrade(directory=str(MIGRATIONS), revision="heads")

    interactions = list(db.session.scalars(sa.select(Interaction).order_by(Interaction.id)))
    found = [(i.event, i.params, i.subject) for i in interactions]
    for (subject, _key, _typed, expected), (event, _params, stored) in zip(
        LEGACY_INTERACTIONS, found, strict=True
    ):
        if expected is None:
            assert (event, stored) == (None, subject), subject
        else:
            assert event == expected and stored == "", subject
    by_subject = {i.source_key: i for i in interactions}
    assert by_subject["exhibitors.contract_signed.2"].params == {"number": "C-2026-0002"}
    assert by_subject["survey-response:1"].params == {"nps": 9, "satisfaction": "4.5"}
    assert by_subject["exhibitors.application.1"].params == {
        "area": "18",
        "booth_type": "shell_scheme",
    }
    with force_locale("en"):
        assert by_subject["exhibitors.application.1"].headline == "Applied for 18 m² (Shell scheme)"
        assert by_subject["complaint:1"].headline == "Complaint: Logistics"
    with force_locale("zh"):
        assert by_subject["registration:1"].headline == "已报名 CIHF2026B"

    tasks = {t.kind.value: t for t in db.session.scalars(sa.select(Task))}
    assert tasks["retention"].event == "relationships.retention"
    assert tasks["retention"].params == {"name": "黄洋"} and tasks["retention"].description == ""
    assert tasks["win_back"].event == "relationships.win_back"
    assert tasks["complaint"].params == {"category": "service", "severity": "high"}
    assert tasks["complaint"].description == "Booth lights broken"
    assert tasks["deliverable"].params == {
        "partner": "Partner A",
        "deliverable": "buyer_delegation",
        "day": "2026-10-01",
    }
    assert tasks["document_expiry"].event == "suppliers.document_missing"
    assert (tasks["manual"].event, tasks["manual"].title) == (None, "Call the buyer back")
    with force_locale("en"):
        assert tasks["retention"].heading == "Retention: 黄洋"
        assert tasks["document_expiry"].heading == "Supplier B: Insurance missing for CIHF2026B"
    complaint = db.session.scalar(sa.select(Complaint))
    assert complaint.event == "surveys.low_score"
    assert complaint.description == "The aisles were too crowded"

    db.session.remove()
    downgrade(directory=str(MIGRATIONS), revision="0001")
    with db.engine.connect() as connection:
        subjects = set(connection.scalars(sa.text("SELECT subject FROM interactions")))
        titles = set(connection.scalars(sa.text("SELECT title FROM tasks")))
    assert "Applied for 18 m² (Shell scheme)" in subjects and "" not in subjects
    assert "Retention: 黄洋" in titles and "Call the buyer back" in titles
    upgrade(directory=str(MIGRATIONS), revision="heads")


def test_application_receipts_lose_their_stored_sentence(app):
    from tests.factories import create_application, create_show

    application = create_application(create_company(), create_show(open_from=date(2027, 5, 1)))
    assert application.events[0].reason == ""
    with force_locale("zh"):
        assert application.events[0].reason_text == "已收到参展申请。"
    with force_locale("en"):
        assert application.events[0].reason_text == "Application received."
