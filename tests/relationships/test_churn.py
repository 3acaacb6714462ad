"""Why customers leave and who comes back: reasons recorded on a refusal and on closing a loss
alert, the report per edition, the win-back rate and profitability on hand-made histories."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from expo_crm.db import db
from expo_crm.relationships import churn, stages
from expo_crm.relationships.models import Alert, ChurnReason, ChurnRecord
from expo_crm.relationships.services import evaluate_all, evaluate_values
from tests.factories import (
    churn_reason,
    create_lc_company,
    create_participation,
    create_show,
    create_staff,
)
from tests.helpers import login, post_form, text_of


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=3, tzinfo=UTC)


def reason(code: str) -> ChurnReason:
    return churn_reason(code)


def test_a_refusal_needs_a_reason_and_is_reported_for_the_edition_declined(app, client):
    e1, e2 = (create_show(open_from=date(2024 + n, 3, 1), series="CH") for n in range(2))
    company = create_lc_company("Budget Cut Co")
    create_participation(company, e1)
    evaluate_all(at("2024-06-01"))
    login(client, create_staff("sales").email)
    url = f"/relationships/exhibitor/{company.id}/declined"
    page = f"/relationships/exhibitor/{company.id}/stage"
    post_form(client, url, {"note": "No budget this year", "reason_id": "0"}, page=page)
    assert db.session.scalar(sa.select(sa.func.count(ChurnRecord.id))) == 0
    post_form(
        client,
        url,
        {"note": "No budget this year", "reason_id": str(reason("budget").id)},
        page=page,
    )
    record = db.session.scalar(sa.select(ChurnRecord))
    assert (record.company_id, record.show_id, record.outcome.value) == (
        company.id,
        e2.id,
        "declined",
    )
    assert record.reason.code == "budget" and record.note == "No budget this year"
    [(show, counts)] = churn.report_by_edition()
    assert show.id == e2.id and [(c.reason.code, c.declined, c.lost) for c in counts] == [
        ("budget", 1, 0)
    ]
    assert "Budget cut" in text_of(client.get("/relationships/churn"))


def test_closing_a_loss_alert_records_why_the_customer_was_lost(app, client):
    owner = create_staff("sales")
    shows = [create_show(open_from=date(2021 + n, 3, 1), series="LA") for n in range(3)]
    company = create_lc_company("Gone Co", owner=owner)
    create_participation(company, shows[0])
    evaluate_all(at("2023-06-01"))  # missed two editions in a row: lost
    alert = db.session.scalar(sa.select(Alert).where(Alert.company_id == company.id))
    assert alert.stage.value == "loss"
    with pytest.raises(churn.ChurnError):
        stages.close_alert(alert, "Called them", None, owner.id)
    db.session.rollback()
    login(client, owner.email)
    response = post_form(
        client,
        f"/relationships/alerts/{alert.id}/close",
        {"outcome": "They went to a rival fair", "reason_id": str(reason("competitor").id)},
        page="/relationships/alerts",
    )
    assert response.status_code == 302
    record = db.session.scalar(sa.select(ChurnRecord))
    assert record.outcome.value == "lost" and record.reason.code == "competitor"


def test_staff_edit_the_reason_list_in_both_languages(app, client):
    login(client, create_staff("admin").email)
    page = "/relationships/churn-reasons"
    post_form(
        client,
        page,
        {
            "new-code": "visa",
            "new-label_zh": "签证问题",
            "new-label_en": "Visa trouble",
            "new-position": "20",
            "new-active": "y",
        },
    )
    visa = db.session.scalar(sa.select(ChurnReason).where(ChurnReason.code == "visa"))
    assert (visa.label_zh, visa.label_en, visa.active) == ("签证问题", "Visa trouble", True)
    post_form(
        client,
        page,
        {
            "reason": str(visa.id),
            f"r{visa.id}-code": "visa",
            f"r{visa.id}-label_zh": "签证",
            f"r{visa.id}-label_en": "Visa",
            f"r{visa.id}-position": "20",
        },
    )
    db.session.expire_all()
    assert (visa.label_en, visa.active) == ("Visa", False)
    assert visa not in churn.reasons() and visa in churn.reasons(include_inactive=True)
    post_form(client, page, {"new-code": "price", "new-label_zh": "价", "new-label_en": "Price"})
    assert db.session.scalar(sa.select(sa.func.count()).where(ChurnReason.code == "price")) == 1
    login(client, create_staff("sales").email)
    assert client.get(page).status_code == 403


def test_win_back_rate_and_profitability_worked_example(app):
    # Four editions of a series. A and B take part in 2021, miss 2022 and 2023: lost after 2023.
    # A comes back in 2024, B does not: win-back rate at 2024 = 1 / 2.
    shows = [create_show(open_from=date(2021 + n, 3, 1), series="WB") for n in range(4)]
    a, b = create_lc_company("Back Co"), create_lc_company("Still Gone Co")
    create_participation(a, shows[0], amount="100000")
    create_participation(b, shows[0], amount="50000")
    create_participation(a, shows[3], amount="100000")
    evaluate_all(at("2023-06-01"))
    evaluate_all(at("2024-06-01"))
    evaluate_values(at("2024-06-01"))
    rows = [r for r in churn.win_back(date(2024, 6, 1)) if r["show"].id == shows[3].id]
    assert [(r["lost"], r["back"], r["rate"]) for r in rows] == [(2, 1, 0.5)]
    # Profit: 0.35 × booth fee per edition, no cost to serve: (70,000 + 17,500) / 250,000 = 35 %.
    [segment] = [r for r in churn.profitability() if r["kind"].value == "exhibitor"]
    assert segment["profit"] == 87500 and segment["revenue"] == 250000
    assert segment["rate"] == pytest.approx(0.35)
