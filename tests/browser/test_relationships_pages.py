"""In real Chromium: a salesperson opens a customer's timeline at "where we left off", reads why the
customer is in its life-cycle stage, and closes the alert it raised with the outcome of the follow-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from expo_crm import clock
from expo_crm.db import db
from expo_crm.relationships.models import Alert, AlertState
from expo_crm.relationships.services import evaluate_all
from tests.factories import (
    create_interaction,
    create_lc_company,
    create_participation,
    create_show,
    create_staff,
    create_survey_answer,
)
from tests.helpers import sign_in_page

EVALUATED = datetime(2024, 3, 20, 2, 0, tzinfo=UTC)


def _sign_in(page, user) -> None:
    sign_in_page(page, user.email)


def test_timeline_stage_explanation_and_alert_inbox(page, app):
    owner = create_staff("sales", locale="en")
    show = create_show(open_from=date(2024, 3, 1), series="BR")
    company = create_lc_company("Ningbo Lock Works", owner=owner)
    create_participation(company, show, area="36")
    create_survey_answer(
        company, show, satisfaction="2.20", nps=4, at=datetime(2024, 3, 10, tzinfo=UTC)
    )
    create_interaction(
        "exhibitor",
        company.id,
        subject="Sent the rebooking offer",
        occurred_at=EVALUATED - timedelta(days=6),
        next_step="Call about a quieter hall",
        next_step_due=date(2024, 3, 22),
    )
    create_interaction(
        "exhibitor",
        company.id,
        subject="They said the aisles were too crowded",
        channel="face_to_face",
        tone="negative",
        occurred_at=EVALUATED - timedelta(days=2),
    )
    evaluate_all(EVALUATED)
    db.session.commit()
    clock.freeze(EVALUATED + timedelta(hours=1))

    _sign_in(page, owner)
    page.goto(f"/relationships/exhibitor/{company.id}")
    left_off = page.locator("#where-we-left-off").inner_text()
    assert "They said the aisles were too crowded" in left_off
    assert "Call about a quieter hall" in left_off
    expect(page.locator("#timeline")).to_contain_text(
        "Sent the rebooking offer", use_inner_text=True
    )

    page.locator("#stage-link").click()
    page.wait_for_url(f"**/relationships/exhibitor/{company.id}/stage")
    expect(page.locator("#current-stage")).to_have_text("Weakening", use_inner_text=True)
    explanation = page.locator("#stage-explanation").inner_text()
    assert "Latest satisfaction 2.20 is below 3.5." in explanation
    assert "Latest NPS answer 4 is below 7." in explanation

    page.goto("/relationships/alerts")
    row = page.locator("#alerts tbody tr", has_text="Ningbo Lock Works")
    assert "Weakening" in row.inner_text()
    row.locator("textarea[name=outcome]").fill("Moved them to hall 3 for next year; they rebooked.")
    row.get_by_role("button", name="Close alert").click()
    expect(page.locator("body")).to_contain_text(
        "Alert closed with its outcome.", use_inner_text=True
    )
    closed = page.locator("#alerts tbody tr", has_text="Ningbo Lock Works").inner_text()
    assert "Moved them to hall 3 for next year; they rebooked." in closed

    db.session.rollback()  # a fresh snapshot: the server committed the close
    alert = db.session.scalars(sa.select(Alert).where(Alert.company_id == company.id)).one()
    assert alert.state is AlertState.closed
