"""A Canton-Fair-sized database, built in SQL and cached between runs.

    .venv/bin/python -m benchmarks.canton [--quick] [--rebuild]

Full size: 30,000 exhibitor companies over five annual editions (applications, contracts,
booths, invoices), 300,000 trade visitors (registrations in every edition they came to,
check-ins, badges for the open edition), 3,000 partners, 2,000 suppliers, 3,000,000
interactions on the customers' timelines, complaints, tasks, a survey with answers, and then
the app's own nightly life-cycle and value computations, so relationship states, alerts and
customer values are the ones the app would hold. `--quick`: a thirtieth of that.

Rows are made by `INSERT … SELECT` over a generated series (and over the rows made before, e.g.
a contract per approved application), on a raw sqlite3 connection with the journal off; the
schema comes from the migrations. Every column the statements leave out gets the model's
default (or an empty value of its type), so a new NOT NULL column does not break the build.
Choices are a deterministic hash of the row number, so two builds are identical.

The file is cached in benchmarks/results/canton/ (git-ignored) under the generator's VERSION
and the size; change VERSION whenever the generator changes, and older files are removed at
the next build. Users of the database work on a copy (`copy_of`), never on the cache; the copy
is migrated to the checkout's head first, so a migration added since the build applies.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchmarks import common

VERSION = 1
CACHE = common.RESULTS / "canton"
EDITIONS = 5
STAFF = 20
# The moment the database describes: the open edition's second day, mid-morning in Guangzhou.
AT = datetime(2026, 10, 16, 2, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Size:
    exhibitors: int
    visitors: int
    interactions: int

    @property
    def label(self) -> str:
        return f"{self.exhibitors}-{self.visitors}-{self.interactions}"

    @property
    def partners(self) -> int:
        return max(10, self.exhibitors // 10)

    @property
    def suppliers(self) -> int:
        return max(10, self.exhibitors // 15)


FULL = Size(30_000, 300_000, 3_000_000)
QUICK = Size(1_000, 10_000, 100_000)


def size_for(quick: bool) -> Size:
    return QUICK if quick else FULL


def cached_file(size: Size) -> Path:
    return CACHE / f"canton-v{VERSION}-{size.label}.sqlite3"


def ensure(size: Size) -> Path:
    """The cached database of that size, built first if missing (or made by another VERSION)."""
    path = cached_file(size)
    if path.exists() and path.with_suffix(".json").exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    for old in CACHE.glob("canton-v*"):
        if not old.name.startswith(f"canton-v{VERSION}-"):
            old.unlink()
    build(path, size)
    return path


def facts(size: Size) -> dict:
    """What the build recorded: row counts, build time, the first runs of the nightly jobs."""
    return json.loads(cached_file(size).with_suffix(".json").read_text())


@contextmanager
def copy_of(size: Size):
    """A fresh copy of the cached database in a temporary folder: yields (url, instance)."""
    source = ensure(size)
    instance = Path(tempfile.mkdtemp(prefix="expo-canton-"))
    try:
        target = instance / "canton.sqlite3"
        shutil.copyfile(source, target)
        url = f"sqlite:///{target}"
        # Migrations added since the build (new indexes, say) apply to the copy.
        app = common.make_app(url, instance)
        with app.app_context():
            from expo_crm.database import init_database
            from expo_crm.db import db

            init_database()
            db.session.remove()
            db.engine.dispose()
        yield url, instance
    finally:
        shutil.rmtree(instance, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# The generator


def mix(expr: str, salt: int) -> str:
    """SQL for a deterministic pseudo-random integer in 0..1,000,002 from an integer expression."""
    return f"((({expr}) * 2654435761 + {salt * 40503 + 17}) % 1000003)"


def pick(expr: str, salt: int, values: tuple[str, ...]) -> str:
    """SQL choosing one of the literal `values` by the hash of `expr`."""
    arms = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values))
    return f"(CASE {mix(expr, salt)} % {len(values)} {arms} END)"


def stamp_sql(base: str, minutes: str) -> str:
    """SQL for the stored form of a UTC datetime: `base` (a parameter) plus `minutes`."""
    return f"(strftime('%Y-%m-%d %H:%M:%S', {base}, ({minutes}) || ' minutes') || '.000000')"


SURNAMES = common.CHINESE_SURNAMES
GIVEN = common.CHINESE_GIVEN


def chinese_name_sql(n: str) -> str:
    return (
        f"(substr('{SURNAMES}', 1 + ({n}) % {len(SURNAMES)}, 1)"
        f" || substr('{GIVEN}', 1 + (({n}) / 7) % {len(GIVEN)}, 1)"
        f" || substr('{GIVEN}', 1 + (({n}) * 13 + 5) % {len(GIVEN)}, 1))"
    )


class Filler:
    """INSERT … SELECT into the models' tables; left-out NOT NULL columns get their defaults."""

    def __init__(self, connection: sqlite3.Connection, stamp: datetime):
        import sqlalchemy as sa

        from expo_crm.db import db

        self.connection = connection
        self.tables = {table.name: table for table in db.metadata.sorted_tables}
        self.stamp = _stored(stamp)
        self.dialect = sa.create_engine("sqlite://").dialect
        self.counts: dict[str, int] = {}

    def _default(self, column):
        import sqlalchemy as sa

        default = column.default
        if default is not None and not callable(default.arg):
            value = default.arg
            processor = column.type.bind_processor(self.dialect)
            value = processor(value) if processor else value
            return value.value if hasattr(value, "value") else value
        kind = column.type
        if isinstance(kind, sa.Enum):
            return kind.enums[0]
        python = _python_type(kind)
        if python is datetime:
            return self.stamp
        if python is date:
            return self.stamp[:10]
        if python in (int, float) or isinstance(kind, sa.Numeric):
            return 0
        if python is bool:
            return 0
        if python is bytes:
            return b""
        if python is dict or python is list:
            return "{}"
        return ""

    def insert(self, name: str, select: dict[str, str], source: str, params=None) -> int:
        table = self.tables[name]
        unknown = set(select) - set(table.columns.keys())
        if unknown:
            raise KeyError(f"{name} has no column {', '.join(sorted(unknown))}")
        columns = list(select)
        values = [f"({expr})" for expr in select.values()]
        bound = dict(params or {}, stamp=self.stamp)
        for column in table.columns:
            if column.name in select or column.nullable or column.primary_key:
                continue
            columns.append(column.name)
            values.append(f":d_{column.name}")
            bound[f"d_{column.name}"] = self._default(column)
        cursor = self.connection.execute(
            f"INSERT INTO {name} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}",
            bound,
        )
        self.counts[name] = self.counts.get(name, 0) + cursor.rowcount
        return cursor.rowcount


def _python_type(kind):
    try:
        return getattr(kind, "impl", kind).python_type
    except NotImplementedError:
        return None


def _stored(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _editions() -> list[dict]:
    """Five annual editions; the last one open on AT's day (its second day)."""
    shows = []
    for n in range(EDITIONS):
        opens = AT.date() - timedelta(days=1) - timedelta(days=364 * (EDITIONS - 1 - n))
        shows.append(
            {
                "id": n + 1,
                "code": f"CANTON{opens.year}",
                "series": "CANTON",
                "name_zh": f"{opens.year}年广交会",
                "name_en": f"Canton Fair {opens.year}",
                "venue": "琶洲",
                "timezone": "Asia/Shanghai",
                "move_in_date": (opens - timedelta(days=3)).isoformat(),
                "open_from": opens.isoformat(),
                "open_to": (opens + timedelta(days=4)).isoformat(),
                "move_out_date": (opens + timedelta(days=5)).isoformat(),
                "rebooking_deadline": (opens + timedelta(days=120)).isoformat(),
                "registration_open": int(n == EDITIONS - 1),
            }
        )
    return shows


def seed(connection: sqlite3.Connection, size: Size) -> dict[str, int]:
    fill = Filler(connection, AT - timedelta(days=1))
    E, V, N = size.exhibitors, size.visitors, size.interactions
    P, S = size.partners, size.suppliers
    current = EDITIONS
    connection.execute("CREATE TEMP TABLE seq (n INTEGER PRIMARY KEY)")
    connection.execute(
        "INSERT INTO seq (n) WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s "
        "WHERE n < :top) SELECT n FROM s",
        {"top": max(N, V, E)},
    )

    def series(count: int) -> str:
        return f"seq WHERE n <= {count}"

    shows = _editions()
    for show in shows:
        fill.insert("shows", {key: f":{key}" for key in show}, "(SELECT 1)", show)
    fill.insert(
        "staff_users",
        {
            "id": "n",
            "email": "'sales' || n || '@canton.example'",
            "name": chinese_name_sql("n + 3"),
            "password_hash": "'!'",  # no password opens it
            "role": "'sales'",
        },
        series(STAFF),
    )

    # Exhibitors: companies, a primary contact, an application to about 60 % of the editions,
    # a contract, a booth and an invoice for every approved one.
    fill.insert(
        "companies",
        {
            "id": "n",
            "name_zh": f"{chinese_name_sql('n')} || '实业' || n",
            "name_en": "'Canton Trading ' || n",
            "normalized_name": "'canton' || n",
            "normalized_name_en": "'cantontrading' || n",
            "country": pick("n", 1, ("CN",) * 7 + ("HK", "VN", "TR")),
            "province": pick("n", 2, ("广东", "浙江", "江苏", "福建", "山东")),
            "city": pick("n", 3, ("广州", "佛山", "宁波", "义乌", "苏州", "厦门", "青岛")),
            "industry": pick("n", 4, ("五金", "工具", "建材", "家电", "纺织")),
            "size": pick("n", 5, ("micro", "small", "medium", "large")),
            "owner_id": f"1 + {mix('n', 6)} % {STAFF}",
        },
        series(E),
    )
    fill.insert(
        "company_contacts",
        {
            "company_id": "n",
            "name": chinese_name_sql("n * 3 + 1"),
            "email": "'contact' || n || '@exhibitor.example'",
            "is_primary": "1",
        },
        series(E),
    )
    applied = f"{mix('s.n * 7 + sh.id', 7)} % 100 < 60"
    fill.insert(
        "exhibitor_applications",
        {
            "company_id": "s.n",
            "show_id": "sh.id",
            "state": (
                f"CASE WHEN {mix('s.n + sh.id', 8)} % 100 < 88 THEN 'approved' "
                f"WHEN sh.id = {current} THEN 'submitted' ELSE 'rejected' END"
            ),
            "requested_area_m2": pick("s.n + sh.id", 9, ("9", "18", "36", "54", "72")),
            "booth_type": pick("s.n", 10, ("shell_scheme",) * 3 + ("raw_space",)),
            "channel": pick("s.n + sh.id", 11, ("staff", "online", "online", "rebooking")),
            "created_at": stamp_sql(
                "sh.open_from", f"-1440 * (90 + {mix('s.n + sh.id', 12)} % 200)"
            ),
        },
        f"seq s CROSS JOIN shows sh WHERE s.n <= {E} AND {applied} ORDER BY sh.id, s.n",
    )
    fill.insert(
        "contracts",
        {
            "id": "a.id",
            "number": "'HT' || a.show_id || '-' || a.id",
            "company_id": "a.company_id",
            "show_id": "a.show_id",
            "application_id": "a.id",
            "state": f"CASE WHEN {mix('a.id', 13)} % 100 < 96 THEN 'signed' ELSE 'cancelled' END",
            "signed_at": stamp_sql("sh.open_from", f"-1440 * (20 + {mix('a.id', 14)} % 150)"),
            "booth_fee": "a.requested_area_m2 * 1500",
            "discount": f"CASE WHEN {mix('a.id', 15)} % 5 = 0 THEN 2000 ELSE 0 END",
            "total_amount": "a.requested_area_m2 * 1500",
            "booth_area_m2": "a.requested_area_m2",
            "deposit_amount": "a.requested_area_m2 * 450",
        },
        "exhibitor_applications a JOIN shows sh ON sh.id = a.show_id WHERE a.state = 'approved'",
    )
    connection.execute(
        "UPDATE contracts SET cancelled_at = signed_at, signed_at = NULL WHERE state = 'cancelled'"
    )
    fill.insert(
        "booths",
        {
            "id": "a.id",
            "show_id": "a.show_id",
            "hall": "(1 + a.id % 16) || '.' || (1 + a.id % 3)",
            "number": "'B' || a.id",
            "area_m2": "a.requested_area_m2",
            "booth_type": "a.booth_type",
            "price_per_m2": "1500",
            "status": "'sold'",
        },
        "exhibitor_applications a WHERE a.state = 'approved'",
    )
    fill.insert(
        "booth_assignments",
        {
            "booth_id": "a.id",
            "application_id": "a.id",
            "company_id": "a.company_id",
            "show_id": "a.show_id",
            "assigned_at": "a.updated_at",
        },
        "exhibitor_applications a WHERE a.state = 'approved'",
    )
    fill.insert(
        "invoice_issuers",
        {
            "id": "1",
            "code": "'CANTON'",
            "name_zh": "'中国对外贸易中心'",
            "name_en": "'China Foreign Trade Centre'",
            "tax_id": "'91440000100000000X'",
        },
        "(SELECT 1)",
    )
    fill.insert(
        "invoices",
        {
            "issuer_id": "1",
            "kind": "'invoice'",
            "year": "CAST(substr(c.signed_at, 1, 4) AS INTEGER)",
            "sequence": "c.id",
            "number": "'FP' || c.id",
            "contract_id": "c.id",
            "company_id": "c.company_id",
            "show_id": "c.show_id",
            "amount": "c.total_amount * 0.3",
            "tax_rate": "0.06",
            "issued_at": "c.signed_at",
            "issued_on": "substr(c.signed_at, 1, 10)",
            "buyer_name_zh": "co.name_zh",
            "buyer_name_en": "co.name_en",
        },
        "contracts c JOIN companies co ON co.id = c.company_id WHERE c.state = 'signed'",
    )

    # Trade visitors: registered for the open edition (60 %) and for earlier ones (35 % each),
    # about 70 % of them came; a badge for every registration of the open edition.
    fill.insert(
        "visitors",
        {
            "id": "n",
            "name": chinese_name_sql("n"),
            "email": "'buyer' || n || '@visitor.example'",
            "company": f"'贸易公司' || ({mix('n', 20)} % {max(1, V // 4)})",
            "country": pick("n", 21, ("CN",) * 5 + ("US", "DE", "RU", "BR", "IN", "NG", "AE")),
            "industry": pick(
                "n", 22, ("hardware", "tools", "building", "retail", "wholesale", "import_export")
            ),
            "job_function": pick("n", 23, ("management", "purchasing", "purchasing", "sales")),
            "purchasing_authority": pick("n", 24, ("decides", "recommends", "none")),
            "owner_id": f"CASE WHEN n % 10 = 0 THEN 1 + n % {STAFF} END",
        },
        series(V),
    )
    came = f"{mix('s.n * 11 + sh.id', 26)} % 100 < 70"
    fill.insert(
        "registrations",
        {
            "visitor_id": "s.n",
            "show_id": "sh.id",
            "category": pick("s.n", 27, ("professional",) * 6 + ("general", "press", "vip")),
            "source": pick("s.n + sh.id", 28, ("online", "online", "desk", "imported")),
            "first_checked_in_at": (
                f"CASE WHEN {came} THEN "
                + stamp_sql("sh.open_from", f"-480 + {mix('s.n + sh.id', 29)} % 600")
                + " END"
            ),
            "first_gate": f"CASE WHEN {came} THEN 'G' || (1 + s.n % 40) END",
            "last_scan_at": (
                f"CASE WHEN {came} THEN "
                + stamp_sql("sh.open_from", f"-400 + {mix('s.n + sh.id', 29)} % 600")
                + " END"
            ),
            "inside": f"CASE WHEN {came} AND sh.id = {current} AND s.n % 3 <> 0 THEN 1 ELSE 0 END",
            "entry_count": f"CASE WHEN {came} THEN 1 + s.n % 3 ELSE 0 END",
            "terms_accepted_at": ":stamp",
            "marketing_consent": "s.n % 2",
            "created_at": stamp_sql("sh.open_from", f"-1440 * (5 + {mix('s.n + sh.id', 30)} % 60)"),
        },
        f"seq s CROSS JOIN shows sh WHERE s.n <= {V} AND {mix('s.n + sh.id * 5', 25)} % 100 < "
        f"CASE WHEN sh.id = {current} THEN 60 ELSE 35 END ORDER BY sh.id, s.n",
    )
    fill.insert(
        "badges",
        {
            "registration_id": "r.id",
            "code_hash": "'canton-' || r.id",
            "code_sealed": "'sealed-' || r.id",
            "qr_png": ":png",
            "issued_at": "r.created_at",
        },
        f"registrations r WHERE r.show_id = {current}",
        {"png": common.TINY_PNG},
    )

    # Partners with agreements, suppliers.
    fill.insert(
        "partners",
        {
            "id": "n",
            "name_zh": "'合作机构' || n",
            "name_en": "'Partner ' || n",
            "kind": pick("n", 31, ("association", "media", "sponsor", "overseas_agent")),
            "owner_id": f"1 + n % {STAFF}",
        },
        series(P),
    )
    fill.insert(
        "partner_agreements",
        {"partner_id": "s.n", "show_id": "sh.id", "title": "'合作协议'", "state": "'active'"},
        f"seq s CROSS JOIN shows sh WHERE s.n <= {P} AND {mix('s.n + sh.id', 32)} % 2 = 0",
    )
    fill.insert(
        "suppliers",
        {
            "id": "n",
            "name_zh": "'服务商' || n",
            "name_en": "'Supplier ' || n",
            "category": pick("n", 33, ("booth_builder", "logistics", "furniture", "catering")),
            "owner_id": f"1 + n % {STAFF}",
        },
        series(S),
    )

    # The timelines: 55 % companies, 35 % visitors, 5 % partners, 5 % suppliers, over about
    # two years; company 1 has a long history (every 500th interaction).
    share = f"{mix('n', 40)} % 100"
    fill.insert(
        "interactions",
        {
            "occurred_at": stamp_sql(":stamp", f"-{mix('n', 41)} % (5 * 365 * 1440)"),
            "channel": pick("n", 42, ("phone", "email", "face_to_face", "portal", "web")),
            "direction": pick("n", 43, ("outbound", "outbound", "inbound")),
            "subject": "'跟进 ' || n",
            "tone": pick("n", 44, ("positive", "neutral", "neutral", "negative")),
            "staff_id": f"1 + n % {STAFF}",
            "company_id": (
                f"CASE WHEN n % 500 = 0 THEN 1 WHEN {share} < 55 THEN 1 + {mix('n', 45)} % {E} END"
            ),
            "visitor_id": (
                f"CASE WHEN n % 500 <> 0 AND {share} BETWEEN 55 AND 89 THEN 1 + {mix('n', 46)} % {V} END"
            ),
            "partner_id": (
                f"CASE WHEN n % 500 <> 0 AND {share} BETWEEN 90 AND 94 THEN 1 + {mix('n', 47)} % {P} END"
            ),
            "supplier_id": (
                f"CASE WHEN n % 500 <> 0 AND {share} >= 95 THEN 1 + {mix('n', 48)} % {S} END"
            ),
            "next_step": "CASE WHEN n % 20 = 0 THEN '回访' ELSE '' END",
            "next_step_due": "CASE WHEN n % 20 = 0 THEN substr(:stamp, 1, 10) END",
            "next_step_done": "n % 40 = 0",
        },
        series(N),
    )

    # Service: complaints (one per exhibitor on average), tasks, a survey of the last closed
    # edition answered by a third of its exhibitors and a tenth of its visitors.
    complaint_state = pick("n", 52, ("open", "resolved", "closed", "closed"))
    task_state = pick("n", 61, ("open", "open", "done", "cancelled"))
    fill.insert(
        "complaints",
        {
            "show_id": f"1 + n % {EDITIONS}",
            "category": pick("n", 50, ("booth", "service", "logistics", "billing", "visitors")),
            "severity": pick("n", 51, ("low", "medium", "medium", "high", "critical")),
            "state": complaint_state,
            "resolved_at": f"CASE WHEN {complaint_state} <> 'open' THEN "
            + stamp_sql(":stamp", f"-{mix('n', 54)} % (4 * 365 * 1440) + 2880")
            + " END",
            "closed_at": f"CASE WHEN {complaint_state} = 'closed' THEN "
            + stamp_sql(":stamp", f"-{mix('n', 54)} % (4 * 365 * 1440) + 4000")
            + " END",
            "verdict": f"CASE WHEN {complaint_state} = 'closed' THEN "
            + pick("n", 57, ("satisfied", "satisfied", "partly", "dissatisfied"))
            + " END",
            "source": pick("n", 53, ("staff", "portal", "survey")),
            "description": "'展位问题 ' || n",
            "opened_at": stamp_sql(":stamp", f"-{mix('n', 54)} % (4 * 365 * 1440)"),
            "sla_due_at": stamp_sql(":stamp", f"-{mix('n', 54)} % (4 * 365 * 1440) + 4320"),
            "owner_id": f"1 + n % {STAFF}",
            "company_id": f"CASE WHEN n % 10 <> 0 THEN 1 + {mix('n', 55)} % {E} END",
            "visitor_id": f"CASE WHEN n % 10 = 0 THEN 1 + {mix('n', 56)} % {V} END",
        },
        series(E),
    )
    fill.insert(
        "tasks",
        {
            "title": "'联系客户 ' || n",
            "kind": pick("n", 60, ("manual", "follow_up", "retention", "win_back")),
            "state": task_state,
            "completed_at": f"CASE WHEN {task_state} <> 'open' THEN :stamp END",
            "owner_id": f"1 + n % {STAFF}",
            "due_date": f"date(substr(:stamp, 1, 10), '+' || ({mix('n', 62)} % 120 - 60) || ' days')",
            "company_id": f"CASE WHEN n % 4 <> 0 THEN 1 + {mix('n', 63)} % {E} END",
            "visitor_id": f"CASE WHEN n % 4 = 0 THEN 1 + {mix('n', 64)} % {V} END",
        },
        series(E),
    )
    surveyed = current - 1
    connection.execute(
        "INSERT OR IGNORE INTO surveys (id, title_zh, title_en, intro_zh, intro_en, is_default,"
        " created_at, updated_at) VALUES (1, '满意度调查', 'Satisfaction survey', '', '', 1,"
        " :stamp, :stamp)",
        {"stamp": fill.stamp},
    )
    survey_id = connection.execute("SELECT min(id) FROM surveys").fetchone()[0]
    fill.insert(
        "survey_campaigns",
        {
            "survey_id": str(survey_id),
            "show_id": str(surveyed),
            "audience": "'both'",
            "state": "'closed'",
            "closes_at": ":stamp",
            "closed_at": ":stamp",
            "automatic": "1",
        },
        "(SELECT 1)",
    )
    campaign = f"(SELECT id FROM survey_campaigns WHERE show_id = {surveyed})"
    fill.insert(
        "survey_invitations",
        {
            "campaign_id": campaign,
            "email": "'contact' || a.company_id || '@exhibitor.example'",
            "segment": "'exhibitor'",
            "nonce": "'e' || a.id",
            "company_id": "a.company_id",
        },
        f"exhibitor_applications a WHERE a.show_id = {surveyed} AND a.state = 'approved' "
        "AND a.id % 3 = 0",
    )
    fill.insert(
        "survey_invitations",
        {
            "campaign_id": campaign,
            "email": "'buyer' || r.visitor_id || '@visitor.example'",
            "segment": "'visitor'",
            "nonce": "'v' || r.id",
            "visitor_id": "r.visitor_id",
        },
        f"registrations r WHERE r.show_id = {surveyed} AND r.first_checked_in_at IS NOT NULL "
        "AND r.id % 10 = 0",
    )
    fill.insert(
        "survey_responses",
        {
            "campaign_id": "i.campaign_id",
            "invitation_id": "i.id",
            "show_id": str(surveyed),
            "submitted_at": ":stamp",
            "nps": f"{mix('i.id', 70)} % 11",
            "satisfaction": f"1 + {mix('i.id', 71)} % 5",
            "segment": "i.segment",
            "company_id": "i.company_id",
            "visitor_id": "i.visitor_id",
        },
        "survey_invitations i",
    )
    connection.execute("DROP TABLE seq")
    return fill.counts


def build(path: Path, size: Size) -> None:
    """Build the database at `path` (migrations, rows, the nightly computations), with a JSON
    of what was built beside it."""
    import os

    from expo_crm.db import db

    partial = path.with_suffix(".building")
    partial.unlink(missing_ok=True)
    instance = Path(tempfile.mkdtemp(prefix="expo-canton-build-"))
    os.environ["EXPO_CRM_INSTANCE_PATH"] = str(instance)
    started = time.perf_counter()
    print(f"canton: building {size.label} (version {VERSION})", file=sys.stderr)
    try:
        app = common.make_app(f"sqlite:///{partial}", instance)
        with app.app_context():
            from expo_crm.database import init_database

            init_database()
            db.session.remove()
            db.engine.dispose()
            connection = sqlite3.connect(partial, isolation_level=None)
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute("PRAGMA cache_size = -1000000")
            connection.execute("PRAGMA temp_store = MEMORY")
            connection.execute("BEGIN")
            counts = seed(connection, size)
            connection.execute("COMMIT")
            connection.execute("ANALYZE")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.close()
            seeded = time.perf_counter() - started
            print(f"canton: rows in {seeded:.0f} s: {counts}", file=sys.stderr)
            from expo_crm.relationships.services import evaluate_all, evaluate_values

            began = time.perf_counter()
            changes = evaluate_all(AT)
            lifecycle_first = time.perf_counter() - began
            began = time.perf_counter()
            evaluate_values(AT)
            value_first = time.perf_counter() - began
            db.session.remove()
            db.engine.dispose()
        connection = sqlite3.connect(partial)
        for table in ("lifecycle_states", "lifecycle_transitions", "alerts", "customer_values"):
            counts[table] = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        connection.execute("ANALYZE")
        connection.close()
        partial.replace(path)
        path.with_suffix(".json").write_text(
            json.dumps(
                {
                    "version": VERSION,
                    "size": size.__dict__,
                    "at": AT.isoformat(),
                    "rows": counts,
                    "seed_seconds": round(seeded, 1),
                    "lifecycle_first_run_seconds": round(lifecycle_first, 2),
                    "lifecycle_first_run_changes": changes,
                    "value_first_run_seconds": round(value_first, 2),
                    "build_seconds": round(time.perf_counter() - started, 1),
                    "bytes": path.stat().st_size,
                },
                indent=2,
            )
            + "\n"
        )
        print(f"canton: built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(instance, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a thirtieth of the full size")
    parser.add_argument("--rebuild", action="store_true", help="build even if cached")
    args = parser.parse_args()
    size = size_for(args.quick)
    if args.rebuild:
        cached_file(size).unlink(missing_ok=True)
    path = ensure(size)
    print(json.dumps(facts(size), indent=2))
    print(f"cached in {path.relative_to(common.ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
