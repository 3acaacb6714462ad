"""The nightly customer value computation at scale (issue 15): 100,000 customers and 1,000,000
interactions, against a hand-written SQL aggregate of the same inputs.

    bin/bench value [--quick]
    .venv/bin/python -m benchmarks.value [--customers N] [--interactions N] [--postgresql]

Builds a database of its own (a temporary SQLite file, or a PostgreSQL database the run creates
and drops; never an existing one) from the migrations and fills it with bulk inserts: four
editions of a series, exhibitors with signed contracts, visitors who came, partners with
agreements, complaints, staff contacts on the timeline, registrations and applications
brought by customers' referral links. Then times

- ours: `evaluate_values` (relationships/valuation.py: value parts, measured retention, CLV,
  class and tier, word of mouth, loyalty measures, stored in customer_values), first run (every
  row new) and the nightly re-run (the steady state);
- raw: one hand-written SQL statement that computes the same per-customer sums from the same
  tables (margin and revenue of historical and current editions, editions, complaints, staff
  contacts, cost to serve, referrals brought and bought) into a temporary table.

The ratio is nightly ours / raw; the target is within 3x.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta

from benchmarks import common

AT = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
BATCH = 20_000

# The hand-written aggregate: per customer of each kind, the sums the nightly run starts from.
KIND_RAW_SQL = """
SELECT '{kind}' AS kind, subj.id AS sid, COALESCE(e.editions, 0) AS editions,
       COALESCE(e.margin_historical, 0) AS margin_historical,
       COALESCE(e.margin_current, 0) AS margin_current, COALESCE(e.revenue, 0) AS revenue,
       COALESCE(k.complaints, 0) AS complaints, COALESCE(i.contacts, 0) AS contacts,
       COALESCE(k.complaints, 0) * :complaint_cost + COALESCE(i.contacts, 0) * :contact_cost
         AS cost,
       COALESCE(r.reach, 0) AS referrals, COALESCE(r.bought, 0) AS referrals_bought
FROM {table} subj
LEFT JOIN (
  SELECT p.sid, COUNT(*) AS editions, SUM(p.revenue) AS revenue,
         SUM(CASE WHEN s.open_to >= :since THEN p.margin ELSE 0 END) AS margin_current,
         SUM(CASE WHEN s.open_to >= :since THEN 0 ELSE p.margin END) AS margin_historical
  FROM ({editions}) p JOIN shows s ON s.id = p.show_id
  GROUP BY p.sid
) e ON e.sid = subj.id
LEFT JOIN (
  SELECT {column} AS sid, COUNT(*) AS complaints FROM complaints
  WHERE {column} IS NOT NULL AND opened_at <= :at GROUP BY {column}
) k ON k.sid = subj.id
LEFT JOIN (
  SELECT {column} AS sid, COUNT(*) AS contacts FROM interactions
  WHERE {column} IS NOT NULL AND occurred_at <= :at AND event IS NULL
    AND direction <> 'inbound' GROUP BY {column}
) i ON i.sid = subj.id
LEFT JOIN (
  SELECT sid, COUNT(*) AS reach, SUM(bought) AS bought FROM (
    SELECT {referrer} AS sid, CASE WHEN first_checked_in_at <= :at THEN 1 ELSE 0 END AS bought
    FROM registrations WHERE {referrer} IS NOT NULL
    UNION ALL
    SELECT {referrer}, 0 FROM exhibitor_applications WHERE {referrer} IS NOT NULL
  ) x GROUP BY sid
) r ON r.sid = subj.id
"""
KINDS = (
    (
        "exhibitor",
        "companies",
        "company_id",
        "referrer_company_id",
        "SELECT company_id AS sid, show_id, SUM(total_amount) AS revenue,"
        " SUM(:margin_rate * (booth_fee - discount)) AS margin FROM contracts"
        " WHERE state = 'signed' AND signed_at <= :at GROUP BY company_id, show_id",
    ),
    (
        "visitor",
        "visitors",
        "visitor_id",
        "referrer_visitor_id",
        "SELECT visitor_id AS sid, show_id, 0 AS revenue, :visitor_value AS margin"
        " FROM registrations WHERE first_checked_in_at <= :at GROUP BY visitor_id, show_id",
    ),
    (
        "partner",
        "partners",
        "partner_id",
        None,
        "SELECT partner_id AS sid, show_id, 0 AS revenue, :partner_value AS margin"
        " FROM partner_agreements WHERE state IN ('active', 'completed') AND created_at <= :at"
        " GROUP BY partner_id, show_id",
    ),
)


def _kind_sql(kind, table, column, referrer, editions) -> str:
    sql = KIND_RAW_SQL.format(
        kind=kind, table=table, column=column, referrer=referrer or "NULL", editions=editions
    )
    if referrer is None:  # partners hand out codes, not customer links: no referrals here
        sql = sql[: sql.index("LEFT JOIN (\n  SELECT sid, COUNT(*) AS reach")]
        sql = sql.replace("COALESCE(r.reach, 0)", "0").replace("COALESCE(r.bought, 0)", "0")
    return sql


# The hand-written aggregate: per customer of each kind, the sums the nightly run starts from
# (margin and revenue of historical and current editions, editions, complaints, staff contacts,
# cost to serve, referrals brought and bought), materialised as the nightly run does.
RAW_SQL = "CREATE TEMPORARY TABLE raw_values AS " + " UNION ALL ".join(
    _kind_sql(*kind) for kind in KINDS
)


def build(n_customers: int, n_interactions: int, rng: random.Random) -> dict[str, int]:
    """Bulk inserts through the models' own tables (so column defaults apply)."""
    from expo_crm.db import db

    t = common.tables()
    stamp = AT - timedelta(days=1)
    counts: dict[str, int] = {}

    def put(name: str, rows) -> None:
        batch: list[dict] = []
        with db.engine.begin() as connection:
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    connection.execute(t[name].insert(), batch)
                    counts[name] = counts.get(name, 0) + len(batch)
                    batch = []
            if batch:
                connection.execute(t[name].insert(), batch)
                counts[name] = counts.get(name, 0) + len(batch)

    shows = []
    for n in range(4):
        opened = date(2023 + n, 3, 1)
        shows.append(
            {
                "id": n + 1,
                "code": f"V{n}",
                "series": "VALUE",
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
    stamps = {"created_at": stamp, "updated_at": stamp}
    n_companies, n_visitors = int(n_customers * 0.4), int(n_customers * 0.55)
    n_partners = n_customers - n_companies - n_visitors
    sizes = ("micro", "small", "medium", "large", None)
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
                "province": rng.choice(("", "浙江", "广东")),
                "city": "",
                "industry": rng.choice(("", "五金", "工具")),
                "size": sizes[i % len(sizes)],
                "product_categories": "",
                "website": "",
                "notes": "",
                **stamps,
            }
            for i in range(1, n_companies + 1)
        ),
    )
    industries = ("hardware", "tools", "building", None)
    put(
        "visitors",
        (
            {
                "id": i,
                "name": f"Visitor {i}",
                "email": f"v{i}@bench.example",
                "company": "",
                "locale": "zh",
                "industry": industries[i % len(industries)],
                **stamps,
            }
            for i in range(1, n_visitors + 1)
        ),
    )
    put(
        "partners",
        (
            {"id": i, "name_zh": f"伙伴{i}", "name_en": f"Partner {i}", **stamps}
            for i in range(1, n_partners + 1)
        ),
    )
    applications, contracts = [], []
    for company in range(1, n_companies + 1):
        for show in shows:
            if rng.random() < 0.55:
                aid = len(applications) + 1
                area = rng.choice((9, 18, 36, 54, 72))
                signed = datetime.combine(show["open_from"], datetime.min.time(), UTC) - timedelta(
                    days=rng.randint(20, 200)
                )
                referrer = rng.randint(1, n_companies) if rng.random() < 0.05 else None
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
                        "referrer_company_id": referrer if referrer != company else None,
                        "created_at": signed - timedelta(days=rng.randint(1, 60)),
                        "updated_at": stamp,
                    }
                )
                price = rng.choice((1400, 1500, 1600))
                contracts.append(
                    {
                        "number": f"C{aid}",
                        "company_id": company,
                        "show_id": show["id"],
                        "application_id": aid,
                        "state": "signed",
                        "signed_at": signed,
                        "booth_fee": area * price,
                        "services_total": 0,
                        "discount": rng.choice((0, 0, 0, 1000)),
                        "total_amount": area * price,
                        "booth_area_m2": area,
                        "deposit_amount": 0,
                        **stamps,
                    }
                )
    put("exhibitor_applications", applications)
    put("contracts", contracts)

    def registrations():
        for visitor in range(1, n_visitors + 1):
            for show in shows:
                if rng.random() < 0.45:
                    came = rng.random() < 0.8
                    referrer = rng.random()
                    yield {
                        "visitor_id": visitor,
                        "show_id": show["id"],
                        "category": "professional",
                        "state": "active",
                        "source": "online",
                        "first_checked_in_at": datetime.combine(
                            show["open_from"], datetime.min.time(), UTC
                        )
                        + timedelta(hours=3)
                        if came
                        else None,
                        "inside": False,
                        "entry_count": 1 if came else 0,
                        "share_contact": False,
                        "marketing_consent": False,
                        "referrer_company_id": rng.randint(1, n_companies)
                        if referrer < 0.03
                        else None,
                        "referrer_visitor_id": rng.randint(1, n_visitors)
                        if 0.03 <= referrer < 0.05
                        else None,
                        "created_at": stamp,
                    }

    put("registrations", registrations())
    put(
        "partner_agreements",
        (
            {
                "partner_id": p,
                "show_id": s["id"],
                "title": "Media",
                "state": "active",
                "notes": "",
                **stamps,
            }
            for p in range(1, n_partners + 1)
            for s in shows
            if rng.random() < 0.5
        ),
    )
    channels = ("phone", "phone", "email", "face_to_face", "web")
    owners = (("company_id", n_companies), ("visitor_id", n_visitors), ("partner_id", n_partners))
    start = AT - timedelta(days=1300)

    def interactions():
        for _ in range(n_interactions):
            draw = rng.random()
            column, top = owners[0] if draw < 0.6 else owners[1] if draw < 0.93 else owners[2]
            yield {
                "company_id": None,
                "visitor_id": None,
                "partner_id": None,
                column: rng.randint(1, top),
                "occurred_at": start + timedelta(minutes=rng.randint(0, 1300 * 1440)),
                "channel": rng.choice(channels),
                "direction": "outbound" if rng.random() < 0.7 else "inbound",
                "subject": "Call",
                "notes": "",
                "tone": "neutral",
                "next_step": "",
                "next_step_done": False,
                **stamps,
            }

    put("interactions", interactions())
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
                "opened_at": start + timedelta(days=rng.randint(0, 1290)),
                "sla_due_at": stamp,
                "resolution": "",
                "verdict_note": "",
                **stamps,
            }
            for _ in range(n_customers // 20)
        ),
    )
    common.fix_sequences("exhibitor_applications", "registrations", "interactions", "complaints")
    common.analyse()
    return counts


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def measure(kind: str, n_customers: int, n_interactions: int) -> dict:
    """Build a database of that kind, time the raw aggregate and the nightly run on it."""
    import sqlalchemy as sa

    with common.database(kind) as bench:
        app = common.make_app(bench.url, bench.instance)
        with app.app_context():
            from expo_crm.db import db
            from expo_crm.relationships import settings
            from expo_crm.relationships.models import CustomerValueState
            from expo_crm.relationships.services import evaluate_values

            started = time.perf_counter()
            counts = build(n_customers, n_interactions, random.Random(15))
            build_seconds = time.perf_counter() - started
            values = settings.current()
            params = {
                "at": AT,
                "since": (AT - timedelta(days=int(values["current_window_days"]))).date(),
                "margin_rate": float(values["margin_rate"]),
                "visitor_value": float(values["visitor_edition_value"]),
                "partner_value": float(values["partner_edition_value"]),
                "complaint_cost": float(values["complaint_cost"]),
                "contact_cost": float(values["contact_cost"]),
            }
            from expo_crm.db import UTCDateTime

            statement = sa.text(RAW_SQL).bindparams(
                sa.bindparam("at", type_=UTCDateTime()), sa.bindparam("since", type_=sa.Date())
            )

            def raw() -> None:
                connection = db.session.connection()
                connection.execute(statement, params)
                connection.exec_driver_sql("DROP TABLE raw_values")
                db.session.rollback()

            raw_seconds = min(_timed(raw) for _ in range(3))
            first = _timed(lambda: evaluate_values(AT))
            nights: list[dict] = []
            nightly = min(
                _timed(lambda: nights.append(evaluate_values(AT + timedelta(days=1))))
                for _ in range(2)
            )
            stored = db.session.scalar(sa.select(sa.func.count(CustomerValueState.id)))
            word_of_mouth = db.session.scalar(
                sa.select(sa.func.count(CustomerValueState.id)).where(
                    CustomerValueState.word_of_mouth > 0
                )
            )
            db.session.remove()
            db.engine.dispose()
    return {
        "database": kind,
        "customers": n_customers,
        "interactions": n_interactions,
        "rows": counts,
        "build_seconds": round(build_seconds, 1),
        "raw_aggregate_seconds": round(raw_seconds, 3),
        "evaluate_values_first_run_seconds": round(first, 3),
        "evaluate_values_nightly_seconds": round(nightly, 3),
        "ratio_first_run_to_raw": round(first / raw_seconds, 2),
        "ratio_nightly_to_raw": round(nightly / raw_seconds, 2),
        # customer_values rows the nightly re-runs rewrote (only those whose values changed)
        "nightly_rows_rewritten": [night["updated"] for night in nights],
        "customer_values": stored,
        "with_word_of_mouth": word_of_mouth,
    }


def run(quick: bool, kinds: list[str] | None = None) -> list[dict]:
    """The rows of bin/bench: one per database."""
    customers, interactions = (5_000, 50_000) if quick else (100_000, 1_000_000)
    kinds = kinds or (["sqlite"] + (["postgresql"] if common.postgres_available() else []))
    rows = []
    for kind in kinds:
        figures = measure(kind, customers, interactions)
        common.RESULTS.mkdir(parents=True, exist_ok=True)
        (common.RESULTS / f"value-{kind}.json").write_text(json.dumps(figures, indent=2) + "\n")
        ratio = figures["ratio_nightly_to_raw"]
        rows.append(
            {
                "name": f"value-{kind}",
                "ours": figures["evaluate_values_nightly_seconds"],
                "baseline": figures["raw_aggregate_seconds"],
                "unit": "s",
                "ratio": ratio,
                "first_run_ratio": figures["ratio_first_run_to_raw"],
                "customers": customers,
                "relationships": customers,  # the name bin/bench's table prints
                "interactions": interactions,
                "target": "evaluate_values within 3x of the raw SQL aggregate",
                "met": ratio <= 3,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--postgresql", action="store_true", help="on PostgreSQL, not SQLite")
    args = parser.parse_args()
    kind = "postgresql" if args.postgresql else "sqlite"
    figures = measure(kind, args.customers, args.interactions)
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    out = common.RESULTS / f"value-{kind}.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    print(f"written to {out.relative_to(common.ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
