"""Life-cycle evaluation at scale: 100,000 relationships, 1,000,000 interactions, SQLite.

    .venv/bin/python benchmarks/lifecycle.py [--relationships N] [--interactions N]
    .venv/bin/python benchmarks/lifecycle.py --canton [--quick]

Builds a temporary database from the migrations, fills it in batches, then times
`evaluate_all` (first run: every relationship is new; second run: the nightly steady state)
against the bare SQL aggregate of the same signals (the SELECTs alone, nothing written).
Prints the figures and writes benchmarks/results/lifecycle.json. With --canton, the same timings
on a copy of the Canton-Fair database (benchmarks/canton.py; 330,000 relationships, 3,000,000
interactions), into benchmarks/results/lifecycle-canton.json.
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

BATCH = 20_000


def build(n_relationships: int, n_interactions: int, rng: random.Random) -> dict:

    from expo_crm.db import db

    # The models' own tables, so every column default of every area applies to these inserts.
    t = {table.name: table for table in db.metadata.sorted_tables}
    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    stamp = now
    n_companies, n_visitors = int(n_relationships * 0.4), int(n_relationships * 0.55)
    n_partners = n_relationships - n_companies - n_visitors
    counts: dict[str, int] = {}

    def put(name: str, rows) -> None:
        rows = list(rows)
        with db.engine.begin() as connection:
            for start in range(0, len(rows), BATCH):
                connection.execute(t[name].insert(), rows[start : start + BATCH])
        counts[name] = counts.get(name, 0) + len(rows)

    shows = []
    for n in range(4):
        opened = date(2023 + n, 3, 1)
        shows.append(
            {
                "id": n + 1,
                "code": f"B{n}",
                "series": "BENCH",
                "name_zh": f"展{n}",
                "name_en": f"Show {n}",
                "venue": "",
                "timezone": "Asia/Shanghai",
                "move_in_date": opened - timedelta(days=2),
                "open_from": opened,
                "open_to": opened + timedelta(days=2),
                "move_out_date": opened + timedelta(days=3),
                "rebooking_deadline": opened + timedelta(days=120),
                "reentry_allowed": True,
                "registration_open": True,
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
    put("shows", shows)
    common = {"created_at": stamp, "updated_at": stamp}
    put(
        "companies",
        (
            {
                "id": i,
                "name_zh": f"公司{i}",
                "name_en": f"Company {i}",
                "normalized_name": f"company{i}",
                "normalized_name_en": f"company{i}",
                "country": "CN",
                "province": "",
                "city": "",
                "industry": "",
                "product_categories": "",
                "website": "",
                "notes": "",
                **common,
            }
            for i in range(1, n_companies + 1)
        ),
    )
    put(
        "visitors",
        (
            {
                "id": i,
                "name": f"Visitor {i}",
                "email": f"v{i}@bench.example",
                "company": "",
                "locale": "zh",
                **{k: v for k, v in common.items()},
            }
            for i in range(1, n_visitors + 1)
        ),
    )
    put(
        "partners",
        (
            {"id": i, "name_zh": f"伙伴{i}", "name_en": f"Partner {i}", **common}
            for i in range(1, n_partners + 1)
        ),
    )
    applications, contracts = [], []
    for company in range(1, n_companies + 1):
        for show in shows:
            if rng.random() < 0.55:
                aid = len(applications) + 1
                area = rng.choice((9, 18, 36, 54, 72))
                applications.append(
                    {
                        "id": aid,
                        "company_id": company,
                        "show_id": show["id"],
                        "state": "approved",
                        "requested_area_m2": area,
                        "booth_type": "shell_scheme",
                        "preferred_hall": "",
                        "notes": "",
                        **common,
                    }
                )
                signed = datetime.combine(show["open_from"], datetime.min.time(), UTC) - timedelta(
                    days=rng.randint(20, 200)
                )
                contracts.append(
                    {
                        "number": f"C{aid}",
                        "company_id": company,
                        "show_id": show["id"],
                        "application_id": aid,
                        "state": "signed",
                        "signed_at": signed,
                        "booth_fee": area * 1500,
                        "services_total": 0,
                        "discount": 0,
                        "total_amount": area * 1500,
                        "booth_area_m2": area,
                        "deposit_amount": 0,
                        **common,
                    }
                )
    put("exhibitor_applications", applications)
    put("contracts", contracts)
    put(
        "registrations",
        (
            {
                "visitor_id": v,
                "show_id": s["id"],
                "category": "professional",
                "state": "active",
                "source": "online",
                "first_checked_in_at": datetime.combine(s["open_from"], datetime.min.time(), UTC)
                + timedelta(hours=3),
                "inside": False,
                "entry_count": 1,
                "share_contact": False,
                "marketing_consent": False,
                "created_at": stamp,
            }
            for v in range(1, n_visitors + 1)
            for s in shows
            if rng.random() < 0.45
        ),
    )
    put(
        "partner_agreements",
        (
            {
                "partner_id": p,
                "show_id": s["id"],
                "title": "Media",
                "state": "active",
                "notes": "",
                **common,
            }
            for p in range(1, n_partners + 1)
            for s in shows
            if rng.random() < 0.5
        ),
    )
    tones = ("positive", "neutral", "neutral", "negative")
    subjects = [("company_id", n_companies), ("visitor_id", n_visitors), ("partner_id", n_partners)]
    start = now - timedelta(days=1300)
    interactions = []
    for _ in range(n_interactions):
        column, top = (
            subjects[0]
            if rng.random() < 0.6
            else subjects[1]
            if rng.random() < 0.85
            else subjects[2]
        )
        interactions.append(
            {
                "company_id": None,
                "visitor_id": None,
                "partner_id": None,
                column: rng.randint(1, top),
                "occurred_at": start + timedelta(minutes=rng.randint(0, 1300 * 1440)),
                "channel": "phone",
                "direction": "outbound",
                "subject": "Call",
                "notes": "",
                "tone": rng.choice(tones),
                "next_step": "",
                "next_step_done": False,
                **common,
            }
        )
        if len(interactions) >= BATCH * 5:
            put("interactions", interactions)
            interactions = []
    put("interactions", interactions)
    put(
        "complaints",
        (
            {
                "company_id": rng.randint(1, n_companies),
                "category": "service",
                "severity": "medium",
                "state": "open",
                "source": "staff",
                "description": "Bench",
                "opened_at": stamp - timedelta(days=10),
                "sla_due_at": stamp - timedelta(days=7),
                "resolution": "",
                "verdict_note": "",
                **common,
            }
            for _ in range(n_relationships // 50)
        ),
    )
    put(
        "surveys",
        [
            {
                "id": 1,
                "title_zh": "问卷",
                "title_en": "Survey",
                "intro_zh": "",
                "intro_en": "",
                "is_default": True,
                **common,
            }
        ],
    )
    put(
        "survey_campaigns",
        [
            {
                "id": s["id"],
                "survey_id": 1,
                "show_id": s["id"],
                "audience": "both",
                "state": "closed",
                "closes_at": stamp,
                "automatic": True,
                **common,
            }
            for s in shows
        ],
    )
    responders = rng.sample(range(1, n_companies + 1), n_companies // 3)
    put(
        "survey_invitations",
        (
            {
                "id": i + 1,
                "campaign_id": 4,
                "email": f"r{c}@bench.example",
                "name": "",
                "language": "zh",
                "segment": "exhibitor",
                "category": "",
                "nonce": f"n{i}",
                "company_id": c,
            }
            for i, c in enumerate(responders)
        ),
    )
    put(
        "survey_responses",
        (
            {
                "campaign_id": 4,
                "invitation_id": i + 1,
                "show_id": 4,
                "company_id": c,
                "submitted_at": datetime(2026, 3, 10, tzinfo=UTC),
                "nps": rng.randint(0, 10),
                "satisfaction": rng.choice((1.5, 2.5, 3.5, 4.0, 4.5, 5.0)),
                "segment": "exhibitor",
                "category": "",
            }
            for i, c in enumerate(responders)
        ),
    )
    return counts


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def measure(at: datetime, *, first_run: bool = True) -> dict:
    """Time the raw aggregate and evaluate_all on the app's database (inside an app context):
    the first run (skipped when the database was evaluated before) and the nightly re-run."""
    import sqlalchemy as sa

    from expo_crm.db import db
    from expo_crm.relationships import lifecycle
    from expo_crm.relationships.models import Alert, RelationshipState
    from expo_crm.relationships.services import evaluate_all

    def raw_aggregate() -> None:
        connection = db.session.connection()
        lifecycle.compute(connection, lifecycle._params(at))
        lifecycle.EVAL.drop(connection)
        db.session.rollback()

    raw = min(timed(raw_aggregate) for _ in range(2))
    first = timed(lambda: evaluate_all(at)) if first_run else None
    nightly = min(timed(lambda: evaluate_all(at + timedelta(days=1))) for _ in range(2))
    stages = dict(
        db.session.execute(
            sa.select(RelationshipState.stage, sa.func.count()).group_by(RelationshipState.stage)
        ).all()
    )
    alerts = db.session.scalar(sa.select(sa.func.count()).select_from(Alert))
    return {
        "raw_aggregate_seconds": round(raw, 3),
        "evaluate_all_first_run_seconds": round(first, 3) if first else None,
        "evaluate_all_nightly_seconds": round(nightly, 3),
        "ratio_first_run_to_raw": round(first / raw, 2) if first else None,
        "ratio_nightly_to_raw": round(nightly / raw, 2),
        "stages": {str(k.value): v for k, v in stages.items()},
        "alerts": alerts,
    }


def canton(quick: bool) -> dict:
    """The same timings on the Canton-Fair database (benchmarks/canton.py), on a copy of it.
    Its build already ran the first evaluation, so that figure comes from the build."""
    from benchmarks import canton as canton_db
    from benchmarks import common

    size = canton_db.size_for(quick)
    canton_db.ensure(size)
    built = canton_db.facts(size)
    with canton_db.copy_of(size) as (url, instance):
        app = common.make_app(url, instance)
        with app.app_context():
            figures = measure(canton_db.AT, first_run=False)
            from expo_crm.db import db

            db.session.remove()
            db.engine.dispose()
    rows = built["rows"]
    first = built["lifecycle_first_run_seconds"]
    figures.update(
        {
            "relationships": rows["lifecycle_states"],
            "interactions": rows["interactions"],
            "rows": rows,
            "evaluate_all_first_run_seconds": first,
            "ratio_first_run_to_raw": round(first / figures["raw_aggregate_seconds"], 2),
            "database": "sqlite",
            "canton": True,
        }
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relationships", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument(
        "--canton", action="store_true", help="on the Canton-Fair database (benchmarks/canton.py)"
    )
    parser.add_argument("--quick", action="store_true", help="with --canton: its quick size")
    args = parser.parse_args()
    out = ROOT / "benchmarks" / "results" / "lifecycle.json"
    if args.canton:
        result = canton(args.quick)
        out = out.with_name("lifecycle-canton.json")
    else:
        result = own_database(args.relationships, args.interactions)
    result["python"] = sys.version.split()[0]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    raw, nightly = result["raw_aggregate_seconds"], result["evaluate_all_nightly_seconds"]
    first = result["evaluate_all_first_run_seconds"]
    print(f"raw SQL aggregate of the signals: {raw:.2f} s")
    print(f"evaluate_all, first run (all new): {first:.2f} s  ratio {first / raw:.2f}")
    print(f"evaluate_all, nightly re-run:      {nightly:.2f} s  ratio {nightly / raw:.2f}")
    print(f"stages: {result['stages']}  alerts: {result['alerts']}")
    print(f"written to {out.relative_to(ROOT)}")


def own_database(n_relationships: int, n_interactions: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["EXPO_CRM_INSTANCE_PATH"] = folder
        from expo_crm import create_app
        from expo_crm.database import init_database

        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3", "SECRET_KEY": "bench"}
        )
        with app.app_context():
            init_database()
            started = time.perf_counter()
            counts = build(n_relationships, n_interactions, random.Random(7))
            build_seconds = time.perf_counter() - started
            figures = measure(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    return {
        "relationships": n_relationships,
        "interactions": n_interactions,
        "rows": counts,
        "build_seconds": round(build_seconds, 2),
        **figures,
        "database": "sqlite",
    }


if __name__ == "__main__":
    main()
