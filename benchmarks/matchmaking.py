"""Matchmaking recommendations at show scale: 10,000 trade visitors × 2,000 exhibitors.

    .venv/bin/python -m benchmarks.run matchmaking [--quick]

Seeds a show with trade visitors who agreed to meeting requests, exhibitors with signed
contracts, a category tree of 40 branches × 10 leaves, 1–5 categories sought per visitor and
2–12 offered per exhibitor; then times `compute_recommendations` end to end (read the
profiles, score both ways, store the best pairs with their reasons) against the bare
arithmetic floor: the same product as one dense NumPy multiplication, nothing ranked or
stored. Target: within a minute."""

from __future__ import annotations

import random
import time
from datetime import timedelta
from decimal import Decimal

import numpy as np
import sqlalchemy as sa

from benchmarks import common

FULL = (10_000, 2_000)
QUICK = (2_000, 400)
BRANCHES, LEAVES = 40, 10
TARGET_SECONDS = 60.0


def _seed_categories() -> list[int]:
    from expo_crm import clock

    stamp = clock.now()
    table = common.tables()["product_categories"]
    rows, leaves = [], []
    next_id = 1
    for b in range(BRANCHES):
        parent = next_id
        rows.append(_category(parent, f"B{b}", None, stamp))
        next_id += 1
        for leaf in range(LEAVES):
            rows.append(_category(next_id, f"B{b}.{leaf}", parent, stamp))
            leaves.append(next_id)
            next_id += 1
    common.insert_batches(table, rows)
    common.fix_sequences("product_categories")
    return leaves


def _category(cid: int, code: str, parent: int | None, stamp) -> dict:
    return {
        "id": cid,
        "code": code,
        "name_zh": f"类别{code}",
        "name_en": f"category {code}",
        "parent_id": parent,
        "created_at": stamp,
        "updated_at": stamp,
    }


def _seed_exhibitors(show_id: int, count: int, leaves: list[int], rng: random.Random) -> None:
    from expo_crm import clock

    stamp = clock.now()
    t = common.tables()
    companies, applications, contracts, offers = [], [], [], []
    for n in range(1, count + 1):
        companies.append(
            {
                "id": n,
                "name_zh": f"基准五金{n}有限公司",
                "name_en": f"Bench Hardware {n}",
                "normalized_name": f"bench hardware {n}",
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
        applications.append(
            {
                "id": n,
                "company_id": n,
                "show_id": show_id,
                "state": "approved",
                "requested_area_m2": Decimal(18),
                "booth_type": "shell_scheme",
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
        contracts.append(
            {
                "id": n,
                "number": f"BENCH-{n:05d}",
                "company_id": n,
                "show_id": show_id,
                "application_id": n,
                "state": "signed",
                "signed_at": stamp - timedelta(days=30),
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
        for category_id in rng.sample(leaves, rng.randint(2, 12)):
            offers.append({"company_id": n, "category_id": category_id})
    common.insert_batches(t["companies"], companies)
    common.insert_batches(t["exhibitor_applications"], applications)
    common.insert_batches(t["contracts"], contracts)
    common.insert_batches(t["company_categories"], offers)
    common.fix_sequences("companies", "exhibitor_applications", "contracts")


def _seed_visitors(show_id: int, count: int, leaves: list[int], rng: random.Random) -> None:
    from expo_crm.db import db

    common.seed_registrations(show_id, count, progress=False)
    t = common.tables()
    with db.engine.begin() as connection:
        connection.execute(
            t["registrations"]
            .update()
            .where(t["registrations"].c.show_id == show_id)
            .values(category="professional", meeting_consent=True)
        )
        ids = connection.execute(sa.select(t["visitors"].c.id)).scalars().all()
        authorities = ["decides", "recommends", "none", None]
        intents = ["buying_now", "within_year", "researching", None]
        connection.execute(
            t["visitors"].update().where(t["visitors"].c.id == sa.bindparam("vid")),
            [
                {
                    "vid": vid,
                    "purchasing_authority": rng.choice(authorities),
                    "buying_intent": rng.choice(intents),
                }
                for vid in ids
            ],
        )
    sought = [
        {"visitor_id": vid, "category_id": category_id}
        for vid in ids
        for category_id in rng.sample(leaves, rng.randint(1, 5))
    ]
    common.insert_batches(t["visitor_categories"], sought)


def _bare_floor(show_id: int) -> float:
    """The same scores as one dense multiplication of the loaded matrices: no ranking, no
    reasons, nothing stored."""
    from expo_crm.matchmaking import recommend

    profiles = recommend.load_profiles(show_id)
    started = time.perf_counter()
    dense = profiles.sought.toarray() @ profiles.offered.toarray().T
    dense *= profiles.factor[:, np.newaxis]
    return time.perf_counter() - started


def run(kind: str, quick: bool) -> dict:
    n_visitors, n_exhibitors = QUICK if quick else FULL
    rng = random.Random(8)
    with common.database(kind) as bench:
        app = common.make_app(bench.url, bench.instance)
        with app.app_context():
            from expo_crm.db import db, writing
            from expo_crm.matchmaking import recommend

            show_id = common.open_show("MATCH")
            leaves = _seed_categories()
            _seed_exhibitors(show_id, n_exhibitors, leaves, rng)
            _seed_visitors(show_id, n_visitors, leaves, rng)
            common.analyse()
            timings = []
            for _ in range(2):
                with writing():
                    started = time.perf_counter()
                    stored = recommend.compute_recommendations(show_id)
                    db.session.commit()
                    timings.append(time.perf_counter() - started)
            baseline = _bare_floor(show_id)
            db.session.remove()
            db.engine.dispose()
    ours = min(timings)
    return {
        "name": f"matchmaking ({kind})",
        "ours": round(ours, 2),
        "baseline": round(baseline, 2),
        "unit": "s",
        "ratio": round(ours / baseline, 1) if baseline else 0.0,
        "visitors": n_visitors,
        "exhibitors": n_exhibitors,
        "recommendations": stored,
        "target": f"{n_visitors:,} × {n_exhibitors:,} within {TARGET_SECONDS:.0f} s",
        "met": ours <= TARGET_SECONDS,
    }
