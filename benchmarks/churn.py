"""Churn model training at scale: 20,000 exhibitors × 5 editions, SQLite.

    .venv/bin/python benchmarks/churn.py [--companies N] [--editions N] [--interactions N]

Builds a temporary database from the migrations and fills it with the generated history the
churn tests use (expo_crm/demo/churn_history.py: booth areas, spend, complaints, with the
planted signal) plus contacts, then times `churn_model.train("exhibitor", at)`: every feature
read from the database as it stood at each edition's cut-off, the time split, the calibrated
pipeline fitted, tested, refitted on every known edition, stored, and the open edition's
exhibitors scored. The baseline is the scikit-learn part alone: the same pipeline fitted on
the same matrix already in memory. Target: under 2 minutes. Writes
benchmarks/results/churn.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 120


def _contacts(company_ids: list[int], n: int, first: date, rng: random.Random) -> None:
    from expo_crm.demo.churn_history import _insert

    start = datetime.combine(first, datetime.min.time(), UTC)
    span = 5 * 365 * 1440
    tones = ("positive", "neutral", "neutral", "negative")
    _insert(
        "interactions",
        [
            {
                "company_id": rng.choice(company_ids),
                "occurred_at": start + timedelta(minutes=rng.randint(0, span)),
                "channel": "phone",
                "direction": "outbound",
                "subject": "Call",
                "tone": rng.choice(tones),
            }
            for _ in range(n)
        ],
    )


def measure(companies: int, editions: int, interactions: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["EXPO_CRM_INSTANCE_PATH"] = folder
        from expo_crm import create_app
        from expo_crm.database import init_database
        from expo_crm.db import db

        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/churn.sqlite3", "SECRET_KEY": "bench"}
        )
        with app.app_context():
            from expo_crm.demo import churn_history
            from expo_crm.relationships import churn_model

            init_database()
            began = time.perf_counter()
            first = date(2020, 3, 1)
            shows = churn_history.create_editions(editions, first)
            ids = churn_history.create_companies(companies)
            history = churn_history.generate(shows, ids, seed=7)
            _contacts(ids, interactions, first, random.Random(7))
            db.session.commit()
            build = time.perf_counter() - began
            at = datetime.combine(
                first + timedelta(days=365 * editions - 120), datetime.min.time(), UTC
            )

            started = time.perf_counter()
            model = churn_model.train("exhibitor", at)
            db.session.commit()
            ours = time.perf_counter() - started

            data = churn_model.dataset("exhibitor", at)
            started = time.perf_counter()
            churn_model.fit_evaluate(data)
            baseline = time.perf_counter() - started
            scored = churn_model.at_risk("exhibitor", limit=None)
            result = {
                "companies": companies,
                "editions": editions,
                "interactions": interactions,
                "examples": model.train_examples,
                "contracts": history.counts["contracts"],
                "complaints": history.counts["complaints"],
                "scored": len(scored),
                "state": model.state.value,
                "auc": None if model.auc is None else float(model.auc),
                "precision_top10": None
                if model.precision_top10 is None
                else float(model.precision_top10),
                "build_seconds": round(build, 1),
                "train_seconds": round(ours, 2),
                "fit_only_seconds": round(baseline, 2),
                "database": "sqlite",
                "python": sys.version.split()[0],
            }
    out = ROOT / "benchmarks" / "results" / "churn.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    return result


def run(quick: bool) -> dict:
    """The row of benchmarks/run.py."""
    size = (2_000, 5, 20_000) if quick else (20_000, 5, 200_000)
    figures = measure(*size)
    ours, baseline = figures["train_seconds"], figures["fit_only_seconds"]
    return {
        "name": "churn-train",
        "ours": ours,
        "baseline": baseline,
        "unit": "s",
        "ratio": round(ours / baseline, 2) if baseline else 0.0,
        "companies": figures["companies"],
        "editions": figures["editions"],
        "auc": figures["auc"],
        "target": f"train on {figures['companies']:,} exhibitors x {figures['editions']} editions"
        f" in under {TARGET_SECONDS} s",
        "met": ours < TARGET_SECONDS and figures["state"] == "ready",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--editions", type=int, default=5)
    parser.add_argument("--interactions", type=int, default=200_000)
    args = parser.parse_args()
    figures = measure(args.companies, args.editions, args.interactions)
    print(json.dumps(figures, indent=2))
    print(
        f"train: {figures['train_seconds']:.1f} s (scikit-learn alone {figures['fit_only_seconds']:.1f} s)"
        f" — target under {TARGET_SECONDS} s: {'met' if figures['train_seconds'] < TARGET_SECONDS else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
