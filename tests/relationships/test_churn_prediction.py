"""Churn prediction on generated history: the planted signal is found on a held-out edition and
vanishes when the labels are shuffled; features never see what happened after an edition's
cut-off; too little history is a stored "not enough data" state, never an exception; the
scheduler's retraining is idempotent; high risk is an early warning in the life cycle."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from expo_crm.db import db
from expo_crm.demo import churn_history
from expo_crm.exhibitors.models import Company, Contract
from expo_crm.relationships import churn_features, churn_model
from expo_crm.relationships.models import (
    ChurnModel,
    ChurnScore,
    Complaint,
    Interaction,
    LifecycleStage,
    RelationshipState,
)
from expo_crm.relationships.services import evaluate_all
from expo_crm.relationships.stages import reasons
from tests.factories import create_lc_company, create_participation, create_show

TRAINED_AT = datetime(2025, 1, 10, 3, 0, tzinfo=UTC)


def _history(companies: int = 500, signal: bool = True):
    shows = churn_history.create_editions(5, date(2020, 3, 1))
    ids = churn_history.create_companies(companies)
    history = churn_history.generate(shows, ids, seed=11, signal=signal)
    db.session.commit()
    return history


def test_the_planted_signal_is_found_on_the_held_out_edition(app):
    history = _history()
    model = churn_model.train("exhibitor", TRAINED_AT)
    db.session.commit()
    assert model.state.value == "ready", model.shortfall
    assert model.tested_show_id == history.show_ids[3]
    assert model.train_show_ids == history.show_ids[:4]
    assert float(model.auc) >= 0.75
    assert float(model.precision_top10) > float(model.base_rate)
    assert sum(b["n"] for b in model.calibration) == model.test_examples
    assert model.test_examples == len(history.participations[history.show_ids[3]])
    # The last edition's exhibitors are scored, each with the factors that raise it most.
    scores = list(db.session.scalars(sa.select(ChurnScore).where(ChurnScore.model_id == model.id)))
    assert {s.company_id for s in scores} == history.participations[history.show_ids[4]]
    riskiest = max(scores, key=lambda s: s.probability)
    assert riskiest.factors and all(
        f["event"].startswith("churn_factor.") for f in riskiest.factors
    )
    declining = history.declining[history.show_ids[4]]
    mean = lambda group: np.mean([float(s.probability) for s in group])  # noqa: E731
    assert mean([s for s in scores if s.company_id in declining]) > mean(
        [s for s in scores if s.company_id not in declining]
    )
    # The stored pipeline loads back and gives the same probabilities.
    fitted = churn_model.load(db.session.get(ChurnModel, model.id))
    assert fitted["features"] == model.features


def test_with_the_labels_shuffled_the_model_guesses(app):
    _history()
    data = churn_model.dataset("exhibitor", TRAINED_AT)
    rng = np.random.default_rng(5)
    data.y_train = rng.permutation(data.y_train)
    data.y_test = rng.permutation(data.y_test)
    result = churn_model.fit_evaluate(data)
    assert result.auc < 0.65


def test_without_a_signal_there_is_nothing_to_find(app):
    _history(signal=False)
    result = churn_model.fit_evaluate(churn_model.dataset("exhibitor", TRAINED_AT))
    assert result.auc < 0.65


def test_an_editions_features_ignore_what_happened_after_its_cutoff(app):
    history = _history(companies=80)
    editions = {e.show_id: e for e in churn_features.editions()}
    edition = editions[history.show_ids[2]]
    ids = sorted(history.participations[edition.show_id])
    before = churn_features.feature_matrix("exhibitor", edition, ids)
    later = edition.cutoff + timedelta(days=3)
    company = ids[0]
    # Later records: a complaint opened after the cut-off, every complaint resolved now, a
    # contact, the next edition's contract doubled, a value-class change.
    db.session.add(
        Complaint(
            company_id=company,
            category="booth",
            severity="high",
            state="open",
            source="staff",
            description="later",
            opened_at=later,
            sla_due_at=later + timedelta(days=1),
        )
    )
    for complaint in db.session.scalars(sa.select(Complaint).where(Complaint.resolved_at > later)):
        complaint.resolved_at = later
    db.session.add(
        Interaction(
            company_id=company,
            occurred_at=later,
            channel="phone",
            direction="outbound",
            subject="later call",
            tone="negative",
        )
    )
    db.session.execute(
        sa.update(Contract)
        .where(Contract.show_id == edition.next_show_id)
        .values(booth_area_m2=Contract.booth_area_m2 * 2, total_amount=Contract.total_amount * 2)
    )
    db.session.commit()
    after = churn_features.feature_matrix("exhibitor", edition, ids)
    assert np.array_equal(np.array(before), np.array(after), equal_nan=True)
    # The same edition read a year later does see them: the test would catch a leak.
    moved = replace(edition, cutoff=later + timedelta(days=1))
    assert not np.array_equal(
        np.array(before),
        np.array(churn_features.feature_matrix("exhibitor", moved, ids)),
        equal_nan=True,
    )


def _assert_not_enough(model, shortfall: str):
    assert model.state.value == "not_enough_data"
    assert model.shortfall.value == shortfall
    assert model.model is None and model.auc is None
    assert db.session.scalar(sa.select(sa.func.count(ChurnScore.id))) == 0
    assert churn_model.score_of("exhibitor", 1) is None


def test_no_history_one_class_and_an_empty_edition_are_not_enough_data(app):
    _assert_not_enough(churn_model.train("exhibitor", TRAINED_AT), "no_history")
    shows = [create_show(open_from=date(2021 + n, 3, 1), series="ONE") for n in range(3)]
    loyal = [create_lc_company(f"Loyal {n}") for n in range(8)]
    for show in shows:
        for company in loyal:
            create_participation(company, show)
    _assert_not_enough(churn_model.train("exhibitor", TRAINED_AT), "one_class")
    db.session.execute(sa.delete(Contract).where(Contract.show_id == shows[1].id))
    db.session.commit()
    _assert_not_enough(churn_model.train("exhibitor", TRAINED_AT), "empty_edition")
    versions = [m.version for m in churn_model.model_versions()]
    assert sorted(versions) == [1, 2, 3]


def test_missing_features_are_not_enough_data_not_an_error(app):
    data = churn_model.Dataset(
        churn_model.cf.SubjectKind.exhibitor,
        ["a", "b"],
        x_train=np.full((40, 2), np.nan),
        y_train=np.array([0, 1] * 20),
        x_test=np.full((10, 2), np.nan),
        y_test=np.array([0, 1] * 5),
    )
    assert churn_model.fit_evaluate(data).value == "no_features"


def test_retraining_after_a_show_closes_is_idempotent_and_warns_early(app):
    history = _history(companies=200)
    assert churn_model.retrain_after_close(TRAINED_AT) == 2  # exhibitors and visitors
    db.session.commit()
    first = db.session.scalar(sa.select(sa.func.count(ChurnScore.id)))
    assert churn_model.retrain_after_close(TRAINED_AT + timedelta(days=1)) == 0
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(ChurnModel.id))) == 2
    assert db.session.scalar(sa.select(sa.func.count(ChurnScore.id))) == first
    visitors = churn_model.latest_model("visitor")
    assert visitors.state.value == "not_enough_data"
    # The life cycle reads the scores: high risk is an early warning with its own reason.
    evaluate_all(TRAINED_AT + timedelta(days=1))
    db.session.commit()
    warned = list(
        db.session.scalars(sa.select(RelationshipState).where(RelationshipState.churn_risk))
    )
    assert warned and all(s.stage is LifecycleStage.weakening for s in warned)
    assert all(s.company_id in history.participations[history.show_ids[4]] for s in warned)
    early = [s for s in warned if s.rule == "predicted"]
    with force_locale("en"):
        for state in early or warned[:1]:
            texts = [r.text for r in reasons(state)]
            assert any("Predicted probability of not coming back" in t for t in texts)


@pytest.mark.parametrize("kind", ["exhibitor", "visitor"])
def test_every_kind_has_features_registered(app, kind):
    names = {f.name for f in churn_features.features(kind)}
    assert {"open_complaints", "days_since_contact", "satisfaction", "editions"} <= names


def test_staff_read_the_evaluation_the_risk_list_and_a_customers_risk(app, client):
    from tests.factories import create_staff
    from tests.helpers import login, text_of

    sales = create_staff("sales")
    _history(companies=300)
    db.session.execute(sa.update(churn_history._table("companies")).values(owner_id=sales.id))
    model = churn_model.train("exhibitor", TRAINED_AT)
    empty = churn_model.train("visitor", TRAINED_AT)
    evaluate_all(TRAINED_AT)
    db.session.commit()
    login(client, sales.email)
    page = text_of(client.get(f"/relationships/churn-models/{model.id}"))
    assert "AUC" in page and "History fair, edition 4" in page
    assert "Precision in the top 10 %" in page and "Calibration in numbers" in page
    page = text_of(client.get(f"/relationships/churn-models/{empty.id}"))
    assert "Not enough data" in page and "AUC" not in page
    assert "Version 1" in text_of(client.get("/relationships/churn-models"))
    risky = db.session.scalar(
        sa.select(ChurnScore)
        .where(ChurnScore.model_id == model.id)
        .order_by(ChurnScore.probability.desc())
        .limit(1)
    )
    listing = text_of(client.get("/relationships/at-risk?kind=exhibitor&owner=me"))
    assert db.session.get(Company, risky.company_id).name_en in listing
    assert f"{float(risky.probability) * 100:.0f}%" in listing
    stage = text_of(client.get(f"/relationships/exhibitor/{risky.company_id}/stage"))
    with force_locale("en"):
        first_reason = risky.reasons[0]
    assert "Risk of not coming back" in stage and first_reason in stage
    assert "Not enough data" in text_of(client.get("/relationships/at-risk?kind=visitor&owner=all"))
    assert client.get("/relationships/at-risk?kind=partner").status_code == 404
    assert client.get("/relationships/at-risk?owner=999999").status_code == 404
