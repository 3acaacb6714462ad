"""The twelve loyalty measures on a hand-made history, per customer and per segment, followers
and advocates told apart, and the loyalty page and value panel in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from expo_crm import clock
from expo_crm.db import db
from expo_crm.exhibitors.models import Application
from expo_crm.relationships import loyalty
from expo_crm.relationships.services import evaluate_all, evaluate_values
from expo_crm.surveys.models import SurveyAnswer, SurveyCampaign, SurveyQuestion
from expo_crm.surveys.services import DEFAULT_QUESTIONS
from tests.factories import (
    create_catalogue_item,
    create_checkin,
    create_lc_company,
    create_lc_visitor,
    create_participation,
    create_service_order,
    create_show,
    create_staff,
    create_survey_answer,
)
from tests.helpers import login, text_of

EVALUATED = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
COMPETITORS, QUALITY = (q for q in DEFAULT_QUESTIONS if q[3] and "loyalty" in q[3][0])


def answer_loyalty(response, question, option: int) -> None:
    kind, zh, en, options = question
    asked = SurveyQuestion(
        survey_id=db.session.get(SurveyCampaign, response.campaign_id).survey_id,
        kind=kind,
        text_zh=zh,
        text_en=en,
        options=options,
    )
    db.session.add(asked)
    db.session.flush()
    db.session.add(SurveyAnswer(response_id=response.id, question_id=asked.id, number=option))
    db.session.commit()


def signed(company, show, *, area: str, amount: str, decided_in_days: int):
    """A participation whose application came `decided_in_days` before the signature."""
    signed_at = datetime.combine(show.open_from, datetime.min.time(), UTC) - timedelta(days=60)
    contract = create_participation(company, show, area=area, amount=amount, signed_at=signed_at)
    application = db.session.get(Application, contract.application_id)
    application.created_at = signed_at - timedelta(days=decided_in_days)
    db.session.commit()
    return contract


@pytest.fixture
def history(app):
    e1, e2, e3 = (create_show(open_from=date(2023 + n, 3, 1), series="LY") for n in range(3))
    advocate, follower = create_lc_company("Advocate Co"), create_lc_company("Follower Co")
    # 2,000 per m² at 18 m², then 36 m² at the same price (up-selling), then the price rises
    # 20 % to 2,400 per m² and the booth is cut 25 % to 27 m²: sensitivity 0.25 / 0.20 = 1.25.
    signed(advocate, e1, area="18", amount="36000", decided_in_days=10)
    signed(advocate, e2, area="36", amount="72000", decided_in_days=20)
    signed(advocate, e3, area="27", amount="64800", decided_in_days=30)
    # The follower keeps 18 m² while the price per m² rises 20 %: sensitivity 0.
    signed(follower, e1, area="18", amount="36000", decided_in_days=5)
    signed(follower, e2, area="18", amount="43200", decided_in_days=5)
    clock.freeze(datetime(2024, 1, 10, tzinfo=UTC))
    item = create_catalogue_item(e2)
    create_service_order(advocate, item, 2)
    create_service_order(advocate, create_catalogue_item(e2))
    clock.freeze(datetime(2025, 3, 10, tzinfo=UTC))
    liked = create_survey_answer(advocate, e3, satisfaction="4.60", nps=10)
    answer_loyalty(liked, COMPETITORS, 0)  # stays with us: 1
    answer_loyalty(liked, QUALITY, 1)  # depends on how it is handled: 0.5
    meh = create_survey_answer(follower, e2, satisfaction="3.80", nps=7)
    answer_loyalty(meh, COMPETITORS, 2)  # considering a rival: 0
    visitor = create_lc_visitor("Once Visitor")
    create_checkin(visitor, e3)
    clock.unfreeze()
    evaluate_all(EVALUATED)
    evaluate_values(EVALUATED)
    return advocate, follower, visitor


def test_each_loyalty_measure_on_a_hand_made_history(history):
    advocate, follower, visitor = history
    a = loyalty.measures_of("exhibitor", advocate.id)
    assert (a.editions, a.repeat) == (3, 2)  # 1 repeat participation: editions beyond the first
    assert a.cross_selling == 2  # 2 service orders beside the booth
    assert a.up_selling == 1  # 3 the 36 m² edition after 18 m²
    assert a.decision_days == 20.0  # 4 (10 + 20 + 30) / 3 days from application to signature
    assert a.competitors == 1.0  # 5 "we stay with this show"
    assert a.price_sensitivity == pytest.approx(1.25)  # 6 −(−25 %) / 20 %
    assert a.quality == 0.5  # 7 "depends how it is handled"
    assert a.stage.value == "weakening"  # 8 the booth cut from 36 to 27 m² is a warning
    assert a.satisfaction == 4.6 and a.nps == 10  # 9, 10
    # 11, 12: opportunities 2023→2024 and 2024→2025, both kept: own retention 1, churn 0.
    assert (a.retention, a.churn) == (1.0, 0.0)
    assert a.loyalty == "advocate"

    f = loyalty.measures_of("exhibitor", follower.id)
    assert (f.repeat, f.up_selling, f.cross_selling, f.decision_days) == (1, 0, 0, 5.0)
    assert f.price_sensitivity == 0.0 and f.competitors == 0.0 and f.quality is None
    assert (f.retention, f.churn) == (0.5, 0.5)  # kept 2023→2024, missed 2025
    assert f.loyalty == "follower"  # repeat participant, NPS 7: does not recommend

    v = loyalty.measures_of("visitor", visitor.id)
    assert (v.editions, v.loyalty) == (1, "none")


def test_measures_per_segment(history):
    rows = {r["kind"].value: r for r in loyalty.by_segment()}
    exhibitors = rows["exhibitor"]
    assert exhibitors["customers"] == 2
    assert (exhibitors["followers"], exhibitors["advocates"]) == (1, 1)
    assert exhibitors["repeat"] == 1.5 and exhibitors["decision_days"] == 12.5
    assert exhibitors["price_sensitivity"] == pytest.approx(0.625)
    assert exhibitors["retention"] == 0.75 and exhibitors["churn"] == 0.25


@pytest.mark.parametrize(
    ("locale", "heading", "advocate"),
    [("en", "Loyalty measures", "Advocate"), ("zh", "忠诚度指标", "拥护者")],
)
def test_loyalty_page_and_panel_in_both_languages(history, client, locale, heading, advocate):
    company = history[0]
    login(client, create_staff("marketing", locale=locale).email)
    headers = {"Accept-Language": locale}
    page = text_of(client.get("/relationships/loyalty", headers=headers))
    assert heading in page and 'id="definitions"' in page
    panel = text_of(client.get(f"/relationships/exhibitor/{company.id}/stage", headers=headers))
    assert advocate in panel and 'id="loyalty"' in panel


def test_the_loyalty_page_reads_the_stored_measures_and_says_when_they_were_computed(
    history, client
):
    import sqlalchemy as sa

    from expo_crm.db import db
    from expo_crm.relationships.models import CustomerValueState

    advocate = history[0]
    login(client, create_staff("marketing", locale="en").email)
    page = text_of(client.get("/relationships/loyalty"))
    assert "Computed by the nightly run" in page
    # What the page shows is what the nightly run stored, not a computation of the request.
    db.session.execute(
        sa.update(CustomerValueState)
        .where(CustomerValueState.company_id == advocate.id)
        .values(up_selling=7)
    )
    db.session.commit()
    assert loyalty.measures_of("exhibitor", advocate.id).up_selling == 7
    exhibitors = next(r for r in loyalty.by_segment() if r["kind"].value == "exhibitor")
    assert exhibitors["up_selling"] == 3.5  # (7 + 0) / 2
