"""The relationship pages through HTTP: timelines, the stage explanation, alerts, complaints, settings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.relationships.models import Alert, Complaint, Interaction, LifecycleSetting
from expo_crm.relationships.services import evaluate_all
from expo_crm.tasks.models import Task
from tests.factories import (
    create_complaint,
    create_interaction,
    create_lc_company,
    create_lc_visitor,
    create_participation,
    create_show,
    create_staff,
    create_survey_answer,
)
from tests.helpers import csrf_from, login, post_form, text_of

NOW = datetime(2025, 4, 1, 2, 0, tzinfo=UTC)


def test_timeline_opens_with_where_we_left_off_and_logs_a_contact(app, client):
    clock.freeze(NOW)
    staff = create_staff("sales")
    company = create_lc_company("Hangzhou Hinge Co")
    create_interaction(
        "exhibitor",
        company.id,
        subject="Sent the floor plan",
        occurred_at=NOW - timedelta(days=3),
        next_step="Call about corner booth",
        next_step_due=date(2025, 3, 30),
    )
    create_interaction(
        "exhibitor",
        company.id,
        subject="Met at the association dinner",
        channel="event",
        occurred_at=NOW - timedelta(days=1),
        tone="positive",
    )
    login(client, staff.email)
    page = text_of(client.get(f"/relationships/exhibitor/{company.id}"))
    left_off = page[page.index('id="where-we-left-off"') : page.index('id="timeline"')]
    assert "Met at the association dinner" in left_off and "Call about corner booth" in left_off

    response = post_form(
        client,
        f"/relationships/exhibitor/{company.id}",
        {
            "channel": "face_to_face",
            "direction": "outbound",
            "subject": "Visited their factory",
            "notes": "Keen",
            "tone": "positive",
            "show_id": "0",
            "next_step": "Send offer",
            "next_step_due": "2025-04-05",
            "occurred_at": "2025-04-01T09:30",
        },
    )
    assert response.status_code == 302
    logged = db.session.scalar(
        sa.select(Interaction).where(Interaction.subject == "Visited their factory")
    )
    assert logged.staff_id == staff.id and logged.tone.value == "positive"
    assert logged.occurred_at == datetime(2025, 4, 1, 1, 30, tzinfo=UTC)

    first_step = db.session.scalar(
        sa.select(Interaction).where(Interaction.next_step == "Call about corner booth")
    )
    page = client.get(f"/relationships/exhibitor/{company.id}")
    client.post(
        f"/relationships/interactions/{first_step.id}/done",
        data={"csrf_token": csrf_from(text_of(page))},
    )
    db.session.refresh(first_step)
    assert first_step.next_step_done
    assert "Send offer" in text_of(client.get(f"/relationships/exhibitor/{company.id}"))


def test_bad_input_and_unknown_customers(app, client):
    staff = create_staff("sales")
    login(client, staff.email)
    company = create_lc_company()
    response = post_form(
        client,
        f"/relationships/exhibitor/{company.id}",
        {
            "channel": "phone",
            "direction": "outbound",
            "subject": "",
            "tone": "neutral",
            "show_id": "0",
        },
    )
    assert (
        response.status_code == 200
        and db.session.scalar(sa.select(sa.func.count(Interaction.id))) == 0
    )
    assert client.get("/relationships/exhibitor/999999").status_code == 404
    assert client.get("/relationships/martians/1").status_code == 404
    assert client.get("/relationships/supplier/1/stage").status_code == 404


def test_stage_page_explains_the_stage_and_shows_health_parts(app, client):
    first = create_show(open_from=date(2024, 3, 1), series="ST")
    company = create_lc_company("Explained Ltd")
    create_participation(company, first, area="36")
    create_survey_answer(
        company, first, satisfaction="2.20", nps=4, at=datetime(2024, 3, 10, tzinfo=UTC)
    )
    evaluate_all(datetime(2024, 3, 20, tzinfo=UTC))
    login(client, create_staff("service").email)
    page = text_of(client.get(f"/relationships/exhibitor/{company.id}/stage"))
    assert "Weakening" in page
    assert (
        "Latest satisfaction 2.20 is below 3.5." in page
        and "Latest NPS answer 4 is below 7." in page
    )
    assert "Survey satisfaction" in page and "Tone of interactions" in page


def test_alert_inbox_filters_and_closes_with_outcome(app, client):
    owner = create_staff("sales")
    other = create_staff("sales")
    first = create_show(open_from=date(2024, 3, 1), series="AL")
    mine = create_lc_company("Mine Co", owner=owner)
    theirs = create_lc_company("Theirs Co", owner=other)
    for company in (mine, theirs):
        create_participation(company, first)
        create_survey_answer(
            company, first, satisfaction="1.80", at=datetime(2024, 3, 10, tzinfo=UTC)
        )
    evaluate_all(datetime(2024, 3, 20, tzinfo=UTC))
    login(client, owner.email)
    page = text_of(client.get("/relationships/alerts"))
    assert "Mine Co" in page and "Theirs Co" not in page
    assert "Theirs Co" in text_of(client.get("/relationships/alerts?mine=0"))
    alert = db.session.scalar(sa.select(Alert).where(Alert.company_id == mine.id))
    response = post_form(
        client,
        f"/relationships/alerts/{alert.id}/close",
        {"outcome": "Offered a better hall."},
        page="/relationships/alerts",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (
        alert.state.value == "closed"
        and db.session.get(Task, alert.task_id).outcome == "Offered a better hall."
    )
    assert "Offered a better hall." in text_of(client.get("/relationships/alerts?state=closed"))
    assert "Mine Co" not in text_of(client.get("/relationships/alerts?state=open"))


def test_staff_complaint_intake_resolution_and_verdict(app, client):
    clock.freeze(NOW)
    owner = create_staff("sales")
    service = create_staff("service")
    visitor = create_lc_visitor("Li Na", owner=owner)
    login(client, service.email)
    response = post_form(
        client,
        "/relationships/complaints/new",
        {
            "kind": "visitor",
            "subject_id": str(visitor.id),
            "category": "service",
            "severity": "high",
            "show_id": "0",
            "description": "Badge printer queue took an hour.",
        },
    )
    assert response.status_code == 302
    complaint = db.session.scalar(sa.select(Complaint))
    assert complaint.owner_id == owner.id and complaint.sla_due_at == NOW + timedelta(hours=24)
    task = db.session.get(Task, complaint.task_id)
    assert task.kind.value == "complaint" and task.owner_id == owner.id
    url = f"/relationships/complaints/{complaint.id}"
    post_form(client, url, {"action": "resolve", "resolve-resolution": "Added two printers."})
    post_form(
        client,
        url,
        {"action": "verdict", "verdict-verdict": "satisfied", "verdict-verdict_note": "Thanks"},
    )
    db.session.expire_all()
    assert complaint.state.value == "closed" and complaint.verdict.value == "satisfied"
    assert db.session.get(Task, complaint.task_id).state.value == "done"
    response = post_form(
        client,
        "/relationships/complaints/new",
        {
            "kind": "visitor",
            "subject_id": "424242",
            "category": "service",
            "severity": "high",
            "show_id": "0",
            "description": "x",
        },
    )
    assert response.status_code == 200 and "No such customer." in text_of(response)


def test_overdue_complaint_is_a_warning_signal_and_open_complaint_is_idempotent(app):
    first = create_show(open_from=date(2024, 3, 1), series="CP")
    company = create_lc_company()
    create_participation(company, first)
    clock.freeze(datetime(2024, 3, 5, tzinfo=UTC))
    one = create_complaint(
        "exhibitor",
        company.id,
        severity="critical",
        source="survey",
        source_key="survey_response:1",
    )
    again = create_complaint(
        "exhibitor",
        company.id,
        severity="critical",
        source="survey",
        source_key="survey_response:1",
    )
    assert one.id == again.id and db.session.scalar(sa.select(sa.func.count(Complaint.id))) == 1
    evaluate_all(datetime(2024, 3, 6, tzinfo=UTC))
    from expo_crm.relationships.stages import state_of

    state = state_of("exhibitor", company.id)
    assert state.stage.value == "weakening" and state.overdue_complaints == 1


def test_settings_are_for_admins_and_refuse_bad_values_whole(app, client):
    login(client, create_staff("sales").email)
    assert client.get("/relationships/settings").status_code == 403
    admin_client = app.test_client()
    login(admin_client, create_staff("admin").email)
    from expo_crm.relationships.settings import current

    data = {k: str(v or "") for k, v in current().items()}
    bad = data | {"no_contact_days": "90", "satisfaction_min": "seven"}
    response = post_form(admin_client, "/relationships/settings", bad)
    assert response.status_code == 200 and "is not a number" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LifecycleSetting)) == 0
    response = post_form(admin_client, "/relationships/settings", data | {"no_contact_days": "90"})
    assert response.status_code == 302 and current()["no_contact_days"] == 90
