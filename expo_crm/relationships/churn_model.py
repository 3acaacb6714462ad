"""Churn prediction: who will not come back to the next edition (exhibitors: not rebook; trade
visitors: not return), learned from past editions with scikit-learn.

Training splits by time: the latest edition whose outcome is known is the test edition; the
model learns from the editions before it (whose outcome was known by the test edition's
cut-off) and is judged on the test edition (AUC, precision among the top 10 %, calibration).
The model then used for scoring is refitted on every known edition, the test one included.
Each run is stored as a new version per kind, with its training window and evaluation; a run
with too little history is stored too, saying why, and scores no one.
"""

from __future__ import annotations

import math
import pickle
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

import numpy as np
import sklearn
import sqlalchemy as sa
from sklearn.calibration import CalibratedClassifierCV
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from expo_crm import audit
from expo_crm.db import db
from expo_crm.relationships import churn_features as cf
from expo_crm.relationships import subjects
from expo_crm.relationships.models import (
    ChurnModel,
    ChurnModelState,
    ChurnScore,
    ChurnShortfall,
)
from expo_crm.shows.models import Show
from expo_crm.subjects import SUBJECT_COLUMNS, SubjectKind

FORMAT_VERSION = 1  # of the pickled {"pipeline", "features"}; a model of another is not used
CV_FOLDS = 3
TOP_SHARE = 0.10
FACTORS_SHOWN = 3
FACTOR_MIN = 0.2  # a contribution (log-odds) smaller than this does not count as raising risk


@dataclass
class Dataset:
    kind: SubjectKind
    features: list[str]
    train: list[cf.Edition] = field(default_factory=list)
    test: cf.Edition | None = None
    x_train: np.ndarray | None = None
    y_train: np.ndarray | None = None
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    shortfall: ChurnShortfall | None = None


@dataclass
class Evaluation:
    auc: float
    precision_top10: float
    base_rate: float
    calibration: list[dict]
    pipeline: Pipeline
    features: list[str]


def _pipeline() -> Pipeline:
    return Pipeline(
        [
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler()),
            (
                "model",
                CalibratedClassifierCV(
                    LogisticRegression(C=1.0, solver="newton-cholesky", max_iter=200),
                    method="sigmoid",
                    cv=CV_FOLDS,
                ),
            ),
        ]
    )


def _examples(
    kind: SubjectKind, edition: cf.Edition, taken: dict[int, set[int]], names: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    ids = sorted(taken.get(edition.show_id, set()))
    came_back = taken.get(edition.next_show_id, set())
    x = np.array(cf.feature_matrix(kind, edition, ids, names), dtype=float).reshape(
        len(ids), len(names)
    )
    y = np.array([0 if i in came_back else 1 for i in ids], dtype=int)
    return x, y


def dataset(kind: SubjectKind | str, at: datetime) -> Dataset:
    """The examples of a time split at `at`: every feature as it stood at its edition's cut-off."""
    kind = SubjectKind(kind)
    names = [f.name for f in cf.features(kind)]
    data = Dataset(kind, names)
    taken = cf.participants(kind)
    known = [
        replace(e, cutoff=min(e.cutoff, at))
        for e in cf.editions()
        if cf.outcome_known(kind, e, at) and e.open_from <= at.date()
    ]
    if not known:
        data.shortfall = ChurnShortfall.no_history
        return data
    data.test = test = known[-1]
    data.train = [
        e for e in known if e.open_from < test.open_from and e.next_open_from <= test.cutoff.date()
    ]
    if not data.train:
        data.shortfall = ChurnShortfall.no_history
        return data
    if not taken.get(test.show_id):
        data.shortfall = ChurnShortfall.empty_edition
        return data
    parts = [_examples(kind, e, taken, names) for e in data.train]
    data.x_train = np.vstack([x for x, _ in parts])
    data.y_train = np.concatenate([y for _, y in parts])
    data.x_test, data.y_test = _examples(kind, test, taken, names)
    return data


def _shortfall_of(data: Dataset) -> ChurnShortfall | None:
    if data.shortfall is not None:
        return data.shortfall
    if len(data.y_test) == 0 or len(data.y_train) == 0:
        return ChurnShortfall.empty_edition
    if len(set(data.y_train.tolist())) < 2 or len(set(data.y_test.tolist())) < 2:
        return ChurnShortfall.one_class
    if min(np.bincount(data.y_train)) < CV_FOLDS * 2:
        return ChurnShortfall.too_few
    if not _usable_columns(data.x_train):
        return ChurnShortfall.no_features
    return None


def _usable_columns(x: np.ndarray) -> list[int]:
    """Features known for at least one training example and not the same for all of them."""
    usable = []
    for j in range(x.shape[1]):
        column = x[:, j]
        known = column[~np.isnan(column)]
        if known.size and np.ptp(known) > 0:
            usable.append(j)
    return usable


def calibration_bins(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict]:
    found = []
    index = np.minimum((p * bins).astype(int), bins - 1)
    for b in range(bins):
        inside = index == b
        n = int(inside.sum())
        if n:
            found.append(
                {
                    "lo": round(b / bins, 2),
                    "hi": round((b + 1) / bins, 2),
                    "n": n,
                    "predicted": round(float(p[inside].mean()), 4),
                    "observed": round(float(y[inside].mean()), 4),
                }
            )
    return found


def precision_at_top(y: np.ndarray, p: np.ndarray, share: float = TOP_SHARE) -> float:
    k = max(1, math.ceil(len(p) * share))
    top = np.argsort(-p, kind="stable")[:k]
    return float(y[top].mean())


def fit_evaluate(data: Dataset) -> Evaluation | ChurnShortfall:
    """Fit on the training editions and judge on the test edition; or say why it cannot."""
    shortfall = _shortfall_of(data)
    if shortfall is not None:
        return shortfall
    columns = _usable_columns(data.x_train)
    names = [data.features[j] for j in columns]
    pipeline = _pipeline().fit(data.x_train[:, columns], data.y_train)
    p = pipeline.predict_proba(data.x_test[:, columns])[:, 1]
    return Evaluation(
        auc=float(roc_auc_score(data.y_test, p)),
        precision_top10=precision_at_top(data.y_test, p),
        base_rate=float(data.y_test.mean()),
        calibration=calibration_bins(data.y_test, p),
        pipeline=pipeline,
        features=names,
    )


def _rate(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.4f}")


def train(kind: SubjectKind | str, at: datetime, source_key: str | None = None) -> ChurnModel:
    """Train, test and store a new version of the kind's model, then score its customers."""
    kind = SubjectKind(kind)
    data = dataset(kind, at)
    result = fit_evaluate(data)
    version = (
        db.session.scalar(sa.select(sa.func.max(ChurnModel.version)).where(ChurnModel.kind == kind))
        or 0
    ) + 1
    model = ChurnModel(
        kind=kind,
        version=version,
        trained_at=at,
        source_key=source_key or f"{kind.value}:v{version}",
        library=f"scikit-learn {sklearn.__version__}",
        tested_show_id=data.test.show_id if data.test else None,
        train_show_ids=[e.show_id for e in data.train],
        features=list(data.features),
        format_version=FORMAT_VERSION,
    )
    if data.y_test is not None:
        model.test_examples = len(data.y_test)
        model.test_churned = int(data.y_test.sum())
    if isinstance(result, ChurnShortfall):
        model.state, model.shortfall = ChurnModelState.not_enough_data, result
        model.train_examples = 0 if data.y_train is None else len(data.y_train)
        editions = data.train
    else:
        # The model in use learns from every known edition, the tested one included.
        columns = [data.features.index(n) for n in result.features]
        x = np.vstack([data.x_train, data.x_test])[:, columns]
        y = np.concatenate([data.y_train, data.y_test])
        pipeline = _pipeline().fit(x, y)
        editions = [*data.train, data.test]
        model.state = ChurnModelState.ready
        model.model = pickle.dumps(
            {"pipeline": pipeline, "features": result.features}, protocol=pickle.HIGHEST_PROTOCOL
        )
        model.features = result.features
        model.train_examples = len(y)
        model.auc = _rate(result.auc)
        model.precision_top10 = _rate(result.precision_top10)
        model.base_rate = _rate(result.base_rate)
        model.calibration = result.calibration
    model.train_show_ids = [e.show_id for e in editions]
    model.train_from = editions[0].open_from if editions else None
    model.train_to = editions[-1].open_from if editions else None
    db.session.add(model)
    db.session.flush()
    audit.record(
        "churn.train",
        model,
        after={
            "kind": kind.value,
            "version": version,
            "state": model.state.value,
            "auc": None if model.auc is None else float(model.auc),
        },
    )
    if model.state is ChurnModelState.ready:
        score(model, at)
    return model


def load(model: ChurnModel) -> dict | None:
    """The fitted pipeline and its feature names; None for a model this code cannot read."""
    if model.model is None or model.format_version != FORMAT_VERSION:
        return None
    # Our own rows, written by train(): the database is trusted like the code.
    return pickle.loads(model.model)


def contributions(pipeline: Pipeline, x: np.ndarray) -> np.ndarray:
    """Each feature's push on the log-odds of leaving, per customer: the standardised value
    times the logistic coefficient (averaged over the calibration folds)."""
    z = pipeline.named_steps["scale"].transform(pipeline.named_steps["impute"].transform(x))
    folds = pipeline.named_steps["model"].calibrated_classifiers_
    coef = np.mean([fold.estimator.coef_[0] for fold in folds], axis=0)
    return z * coef


def _targets(kind: SubjectKind, at: datetime) -> list[tuple[cf.Edition, list[int]]]:
    """Who is to be scored: the participants of editions whose outcome is still open, each
    customer once (for their latest edition), less those already booked for the next one."""
    taken = cf.participants(kind)
    scored: set[int] = set()
    found = []
    for edition in reversed(cf.editions()):
        if edition.open_from > at.date() or cf.outcome_known(kind, edition, at):
            continue
        back = taken.get(edition.next_show_id, set()) if edition.next_show_id else set()
        ids = sorted(taken.get(edition.show_id, set()) - back - scored)
        scored.update(taken.get(edition.show_id, set()))
        if ids:
            found.append((replace(edition, cutoff=min(edition.cutoff, at)), ids))
    return found


def score(model: ChurnModel, at: datetime) -> int:
    """Replace the model's scores with fresh ones, each with the factors that raise it most."""
    fitted = load(model)
    db.session.execute(sa.delete(ChurnScore).where(ChurnScore.model_id == model.id))
    if fitted is None:
        return 0
    pipeline, names = fitted["pipeline"], fitted["features"]
    known = {f.name: f for f in cf.features(model.kind)}
    column = SUBJECT_COLUMNS[model.kind]
    rows = []
    for edition, ids in _targets(model.kind, at):
        x = np.array(cf.feature_matrix(model.kind, edition, ids, names), dtype=float).reshape(
            len(ids), len(names)
        )
        p = pipeline.predict_proba(x)[:, 1]
        push = contributions(pipeline, x)
        for row, sid in enumerate(ids):
            factors = []
            for j in np.argsort(-push[row], kind="stable")[:FACTORS_SHOWN]:
                if push[row, j] < FACTOR_MIN or math.isnan(x[row, j]) or names[j] not in known:
                    continue
                feature = known[names[j]]
                factors.append(
                    {"event": feature.event, "params": {"value": feature.display(x[row, j])}}
                )
            rows.append(
                {
                    "model_id": model.id,
                    column: sid,
                    "show_id": edition.show_id,
                    "probability": Decimal(f"{min(max(p[row], 0.0), 1.0):.4f}"),
                    "factors": factors,
                    "scored_at": at,
                }
            )
    for start in range(0, len(rows), 5000):
        db.session.execute(sa.insert(ChurnScore), rows[start : start + 5000])
    return len(rows)


# --- reading ----------------------------------------------------------------------------------


def latest_model(kind: SubjectKind | str, ready: bool = False) -> ChurnModel | None:
    query = sa.select(ChurnModel).where(ChurnModel.kind == SubjectKind(kind))
    if ready:
        query = query.where(ChurnModel.state == ChurnModelState.ready)
    return db.session.scalar(query.order_by(ChurnModel.version.desc()).limit(1))


def model_versions() -> list[ChurnModel]:
    return list(
        db.session.scalars(
            sa.select(ChurnModel).order_by(ChurnModel.kind, ChurnModel.version.desc())
        )
    )


def score_of(kind: SubjectKind | str, subject_id: int) -> ChurnScore | None:
    """The customer's score by the kind's latest model, when that model could be trained."""
    latest = latest_model(kind)
    if latest is None or latest.state is not ChurnModelState.ready:
        return None
    column = getattr(ChurnScore, SUBJECT_COLUMNS[SubjectKind(kind)])
    return db.session.scalar(
        sa.select(ChurnScore).where(ChurnScore.model_id == latest.id, column == subject_id)
    )


def at_risk(kind: SubjectKind | str, owner_id: int | None = None, limit: int = 200) -> list:
    """(score, customer) by the kind's latest model, riskiest first; one owner's, or all."""
    kind = SubjectKind(kind)
    latest = latest_model(kind)
    if latest is None or latest.state is not ChurnModelState.ready:
        return []
    subject = subjects.model_of(kind)
    column = getattr(ChurnScore, SUBJECT_COLUMNS[kind])
    query = (
        sa.select(ChurnScore, subject)
        .join(subject, subject.id == column)
        .where(ChurnScore.model_id == latest.id)
        .order_by(ChurnScore.probability.desc(), ChurnScore.id)
        .limit(limit)
    )
    if owner_id is not None:
        query = query.where(subject.owner_id == owner_id)
    return list(db.session.execute(query).tuples())


# --- the scheduler's work ---------------------------------------------------------------------


def latest_closed_show_id(at: datetime) -> int | None:
    return db.session.scalar(
        sa.select(Show.id)
        .where(Show.open_to < at.date())
        .order_by(Show.open_to.desc(), Show.id.desc())
        .limit(1)
    )


def retrain_after_close(at: datetime) -> int:
    """Once per show closing, a new model version per kind; every night, fresh scores from the
    latest usable model. Run twice, it trains nothing twice and leaves the same scores."""
    closed = latest_closed_show_id(at)
    made = 0
    for kind in cf.PREDICTED_KINDS:
        if closed is not None:
            key = f"{kind.value}:{closed}"
            exists = db.session.scalar(sa.select(ChurnModel.id).where(ChurnModel.source_key == key))
            if exists is None:
                train(kind, at, source_key=key)
                made += 1
                continue
        latest = latest_model(kind)
        if latest is not None and latest.state is ChurnModelState.ready:
            score(latest, at)
    return made
