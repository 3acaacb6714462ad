"""Pages at scale, through the whole app (login session, permission check, templates) as a
logged-in admin, one request at a time; each page's p95 beside the p95 of its bare SQL, run on
the same database.

- `run(quick)`: the exhibitor list, the attendance dashboard (page and its polled JSON) and a
  customer timeline, at 10,000 exhibitors / 100,000 visitors / 1,000,000 interactions, each
  against hand-written SQL of what the page needs.
- `run_canton(quick)`: every page of the staff menu plus the parametrised pages behind them
  (timelines, stage detail, attendance and its JSON, value matrix and its JSON, loyalty, ...)
  on the Canton-Fair database of benchmarks/canton.py (30,000 exhibitors, 300,000 visitors,
  3,000,000 interactions). The baseline of a page is its own SQL: the statements one request
  of the page sent to the database, captured and replayed on a bare DB-API cursor (so a ratio
  near 1 says the time is in the database, a high one that it is in Python and templates).
  The five pages of `run` keep their hand-written SQL.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import timedelta

import sqlalchemy as sa

from benchmarks import common

TARGET_MS = 200.0
CHANNELS = ("phone", "email", "face_to_face", "portal")
TONES = ("positive", "neutral", "neutral", "negative")


def _seed(exhibitors: int, visitors: int, interactions: int) -> tuple[int, int]:
    """Returns (show id, id of the company whose timeline is measured)."""
    from expo_crm import clock
    from expo_crm.db import db

    t = common.tables()
    stamp = clock.now()
    rng = random.Random(11)
    show_id = common.open_show()
    common.insert_batches(
        t["companies"],
        [
            {
                "id": i,
                "name_zh": f"{common.chinese_name(i)}科技{i}",
                "name_en": f"Company {i}",
                "normalized_name": f"company{i}",
                "normalized_name_en": f"company{i}",
                "country": "CN",
                "province": "",
                "city": ("上海", "北京", "深圳", "广州")[i % 4],
                "industry": "",
                "product_categories": "",
                "website": "",
                "notes": "",
                "created_at": stamp,
                "updated_at": stamp,
            }
            for i in range(1, exhibitors + 1)
        ],
    )
    common.insert_batches(
        t["exhibitor_applications"],
        [
            {
                "company_id": i,
                "show_id": show_id,
                "state": "approved",
                "requested_area_m2": 18,
                "booth_type": "shell_scheme",
                "preferred_hall": "",
                "notes": "",
                "created_at": stamp,
                "updated_at": stamp,
            }
            for i in range(1, exhibitors + 1)
            if i % 3
        ],
    )
    print(f"pages: seeding {visitors:,} visitors", file=sys.stderr)
    common.seed_registrations(show_id, visitors, checked_in=0.6)
    timeline_company = 1
    print(f"pages: seeding {interactions:,} interactions", file=sys.stderr)
    start = stamp - timedelta(days=1500)
    rows: list[dict] = []
    for n in range(interactions):
        subject = {"company_id": None, "visitor_id": None}
        if n % 500 == 0:
            subject["company_id"] = timeline_company  # one customer with a long history
        elif rng.random() < 0.6:
            subject["company_id"] = rng.randint(1, exhibitors)
        else:
            subject["visitor_id"] = rng.randint(1, visitors)
        rows.append(
            {
                **subject,
                "occurred_at": start + timedelta(minutes=rng.randint(0, 1500 * 1440)),
                "channel": CHANNELS[n % 4],
                "direction": "outbound",
                "subject": f"跟进 {n}",
                "notes": "",
                "tone": TONES[n % 4],
                "next_step": "",
                "next_step_done": False,
                "show_id": None,
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
        if len(rows) == 100_000:
            common.insert_batches(t["interactions"], rows)
            rows = []
    common.insert_batches(t["interactions"], rows)
    common.fix_sequences("companies", "exhibitor_applications", "interactions")
    common.analyse()
    db.session.remove()
    return show_id, timeline_company


def _bare_queries(show_id: int, company_id: int) -> dict[str, list[tuple[str, dict]]]:
    reg = "FROM registrations r JOIN visitors v ON v.id = r.visitor_id WHERE r.show_id = :show AND r.state = 'active'"
    attendance = [
        (
            f"SELECT r.category, count(r.id), count(r.first_checked_in_at) {reg} GROUP BY r.category",
            {},
        ),
        (
            f"SELECT v.industry, count(r.id), count(r.first_checked_in_at) {reg} GROUP BY v.industry",
            {},
        ),
        (
            f"SELECT v.country, count(r.id), count(r.first_checked_in_at) {reg} GROUP BY v.country",
            {},
        ),
        (
            (
                "SELECT first_gate, count(id) FROM registrations WHERE show_id = :show AND first_gate IS NOT NULL "
                "GROUP BY first_gate"
            ),
            {},
        ),
        (
            (
                "SELECT substr(CAST(first_checked_in_at AS TEXT), 1, 13), count(*) FROM registrations "
                "WHERE show_id = :show AND first_checked_in_at IS NOT NULL GROUP BY 1"
            ),
            {},
        ),
        (
            (
                "SELECT count(id), count(first_checked_in_at), sum(CASE WHEN inside THEN 1 ELSE 0 END) "
                "FROM registrations WHERE show_id = :show AND state = 'active'"
            ),
            {},
        ),
    ]
    return {
        "exhibitor-list": [
            ("SELECT count(*) FROM companies", {}),
            ("SELECT * FROM companies ORDER BY name_zh, name_en, id LIMIT 50", {}),
        ],
        "exhibitor-list-show": [
            (
                (
                    "SELECT count(*) FROM companies WHERE id IN (SELECT company_id FROM exhibitor_applications "
                    "WHERE show_id = :show)"
                ),
                {},
            ),
            (
                (
                    "SELECT * FROM companies WHERE id IN (SELECT company_id FROM exhibitor_applications "
                    "WHERE show_id = :show) ORDER BY name_zh, name_en, id LIMIT 50"
                ),
                {},
            ),
        ],
        "attendance-page": attendance,
        "attendance-json": attendance,
        "timeline": [
            (
                "SELECT * FROM interactions WHERE company_id = :company ORDER BY occurred_at DESC, id DESC LIMIT 200",
                {},
            ),
        ],
    }


def _timed(action, repeats: int) -> list[float]:
    for _ in range(3):
        action()
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        out.append(time.perf_counter() - started)
    return out


def _row(name, url, ours, baseline, repeats, sizes, baseline_kind) -> dict:
    p95, base_p95 = (
        common.percentile(ours, 0.95) * 1000,
        common.percentile(baseline, 0.95) * 1000,
    )
    return {
        "name": f"page-{name}",
        "url": url,
        "ours": round(p95, 1),
        "baseline": round(base_p95, 1),
        "unit": "p95 ms",
        "ratio": round(p95 / base_p95, 2) if base_p95 else 0.0,
        "p95_ms": round(p95, 1),
        "p50_ms": round(common.percentile(ours, 0.5) * 1000, 1),
        "baseline_p95_ms": round(base_p95, 1),
        "baseline_kind": baseline_kind,
        "requests": repeats,
        "sizes": sizes,
        "target": f"p95 < {TARGET_MS:.0f} ms",
        "met": p95 < TARGET_MS,
    }


def _fetcher(client, url: str):
    def fetch():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")

    return fetch


def run(quick: bool) -> list[dict]:
    exhibitors, visitors, interactions = (
        (1_000, 10_000, 100_000) if quick else (10_000, 100_000, 1_000_000)
    )
    repeats = 20 if quick else 40
    sizes = {"exhibitors": exhibitors, "visitors": visitors, "interactions": interactions}
    with common.database("sqlite") as bench:
        app = common.make_app(bench.url, bench.instance)
        with app.app_context():
            show_id, company_id = _seed(exhibitors, visitors, interactions)
        client = common.staff_client(app)
        shown = {
            "exhibitor-list": "/exhibitors/",
            "exhibitor-list-show": "/exhibitors/?show=<show>",
            "attendance-page": "/visitors/attendance/<show>",
            "attendance-json": "/visitors/attendance/<show>.json",
            "timeline": "/relationships/exhibitor/<company>",
        }
        urls = {
            "exhibitor-list": "/exhibitors/",
            "exhibitor-list-show": f"/exhibitors/?show={show_id}",
            "attendance-page": f"/visitors/attendance/{show_id}",
            "attendance-json": f"/visitors/attendance/{show_id}.json",
            "timeline": f"/relationships/exhibitor/{company_id}",
        }
        bare = _bare_queries(show_id, company_id)
        rows = []
        for name, url in urls.items():
            ours = _timed(_fetcher(client, url), repeats)
            baseline = _hand_written(app, bare[name], show_id, company_id, repeats)
            rows.append(_row(name, shown[name], ours, baseline, repeats, sizes, "hand-written"))
    return rows


def _hand_written(app, statements, show_id: int, company_id: int, repeats: int) -> list[float]:
    with app.app_context():
        from expo_crm.db import db

        with db.engine.connect() as connection:

            def query():
                for sql, _ in statements:
                    connection.execute(sa.text(sql), {"show": show_id, "company": company_id}).all()

            return _timed(query, repeats)


# ---------------------------------------------------------------------------------------------
# Canton-Fair scale


def canton_pages(app, show_id: int, company_id: int, visitor_id: int) -> dict[str, str]:
    """{name: URL}: every staff menu entry, then the pages behind them that take a parameter."""
    from flask import url_for

    from expo_crm import navigation

    pages: dict[str, str] = {}
    with app.test_request_context():
        for item in sorted(navigation._items.values(), key=lambda i: i.order):
            if item.audience == "staff":
                pages[item.endpoint.replace(".", ":")] = url_for(item.endpoint)
    pages.update(
        {
            "exhibitor-list-show": f"/exhibitors/?show={show_id}",
            "exhibitor-detail": f"/exhibitors/{company_id}",
            "registration-list-show": f"/visitors/?show={show_id}",
            "attendance-page": f"/visitors/attendance/{show_id}",
            "attendance-json": f"/visitors/attendance/{show_id}.json",
            "timeline": f"/relationships/exhibitor/{company_id}",
            "timeline-visitor": f"/relationships/visitor/{visitor_id}",
            "stage-detail": f"/relationships/exhibitor/{company_id}/stage",
            "lifecycle-stage-list": "/relationships/?stage=weakening",
            "value-matrix": "/relationships/value/matrix",
            "value-matrix-json": "/relationships/value/matrix.json",
            "loyalty": "/relationships/loyalty",
            "churn-report": "/relationships/churn",
            "customer-search": "/relationships/customers/search.json?q=canton",
            "supplier-orders": "/suppliers/orders",
            "partner-deliverables": "/partners/deliverables",
        }
    )
    return pages


HAND_WRITTEN = {
    "exhibitors:company_list": "exhibitor-list",
    "exhibitor-list-show": "exhibitor-list-show",
    "attendance-page": "attendance-page",
    "attendance-json": "attendance-json",
    "timeline": "timeline",
}


def _captured(app, client, url: str) -> list[tuple[str, object]]:
    """The statements (and parameters) one request of `url` sends to the database."""
    with app.app_context():
        from expo_crm.db import db

        engine = db.engine
    statements: list[tuple[str, object]] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        _fetcher(client, url)()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)
    return statements


def _replayed(app, statements, repeats: int) -> list[float]:
    with app.app_context():
        from expo_crm.db import db

        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()

            def query():
                for statement, parameters in statements:
                    cursor.execute(statement, parameters)
                    cursor.fetchall()

            return _timed(query, repeats)
        finally:
            raw.close()


def run_canton(quick: bool, names: list[str] | None = None) -> list[dict]:
    """Every page at Canton-Fair size (`--quick`: a thirtieth of it)."""
    from benchmarks import canton

    size = canton.size_for(quick)
    repeats = 20 if quick else 30
    sizes = {
        "exhibitors": size.exhibitors,
        "visitors": size.visitors,
        "interactions": size.interactions,
    }
    canton.ensure(size)
    with canton.copy_of(size) as (url, instance):
        app = common.make_app(url, instance)
        show_id, company_id, visitor_id = canton.EDITIONS, 1, 2
        client = common.staff_client(app)
        bare = _bare_queries(show_id, company_id)
        rows = []
        for name, page in canton_pages(app, show_id, company_id, visitor_id).items():
            if names and name not in names:
                continue
            print(f"canton pages: {name} {page}", file=sys.stderr)
            try:
                ours = _timed(_fetcher(client, page), repeats)
            except RuntimeError as failure:
                rows.append({"name": f"canton-{name}", "url": page, "error": str(failure)})
                continue
            if name in HAND_WRITTEN:
                statements = bare[HAND_WRITTEN[name]]
                baseline = _hand_written(app, statements, show_id, company_id, repeats)
                kind = "hand-written"
            else:
                baseline = _replayed(app, _captured(app, client, page), repeats)
                kind = "captured"
            row = _row(name, page, ours, baseline, repeats, sizes, kind)
            row["name"] = f"canton-{name}"
            print(
                f"  p95 {row['ours']} ms (p50 {row['p50_ms']}), {kind} SQL p95 {row['baseline']} ms",
                file=sys.stderr,
            )
            rows.append(row)
    return rows
