"""In real Chromium, in English and in Chinese: a churn model's evaluation page draws its
calibration chart beside the table of its numbers, and a customer's stage page shows the
predicted risk with the factors that raise it most, in the reader's language."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from expo_crm.db import db
from expo_crm.demo import churn_history
from expo_crm.relationships import churn_model
from expo_crm.relationships.models import ChurnScore
from expo_crm.relationships.services import evaluate_all
from tests.factories import create_staff
from tests.helpers import sign_in_page

TRAINED_AT = datetime(2025, 1, 10, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "heading", "panel", "factor", "not_enough"),
    [
        (
            "en",
            "Churn model: Exhibitor, version 1",
            "Risk of not coming back",
            "complaint",
            "Not enough data",
        ),
        ("zh", "流失预测模型：参展商，第 1 版", "不再回来的风险", "投诉", "数据不足"),
    ],
)
def test_evaluation_page_and_risk_panel(page, app, locale, heading, panel, factor, not_enough):
    staff = create_staff("sales", locale=locale)
    shows = churn_history.create_editions(5, date(2020, 3, 1))
    companies = churn_history.create_companies(300, owner_ids=[staff.id])
    churn_history.generate(shows, companies, seed=11)
    model = churn_model.train("exhibitor", TRAINED_AT)
    visitors = churn_model.train("visitor", TRAINED_AT)
    evaluate_all(TRAINED_AT)
    db.session.commit()
    # The riskiest customer whose factors include an open complaint.
    scores = db.session.scalars(
        sa.select(ChurnScore)
        .where(ChurnScore.model_id == model.id)
        .order_by(ChurnScore.probability.desc())
    ).all()
    risky = next(s for s in scores if any("open_complaints" in f["event"] for f in s.factors))

    sign_in_page(page, staff.email)
    page.goto(f"/relationships/churn-models/{model.id}")
    expect(page.locator("h1")).to_have_text(heading)
    chart = page.locator("#calibration-chart")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(chart).to_have_attribute("data-points", str(len(model.calibration)))
    expect(page.locator("#calibration-table tbody tr")).to_have_count(len(model.calibration))
    expect(page.locator("#model-auc")).to_have_text(f"{float(model.auc):.2f}")
    expect(page.locator("#tested-on")).not_to_be_empty()

    page.goto(f"/relationships/churn-models/{visitors.id}")
    expect(page.locator("#not-enough-data h2")).to_have_text(not_enough)
    expect(page.locator("#calibration-chart")).to_have_count(0)

    page.goto(f"/relationships/exhibitor/{risky.company_id}/stage")
    expect(page.locator("#churn-risk h2")).to_have_text(panel)
    expect(page.locator("#risk-probability")).to_have_text(f"{float(risky.probability) * 100:.0f}%")
    expect(page.locator("#risk-factors")).to_contain_text(factor)
