"""The nightly customer value computation (客户价值管理), set-based like the life cycle: a few
INSERT … SELECT statements over every exhibitor, visitor and partner at once, portable between
SQLite and PostgreSQL, stored one row per customer in `customer_values`, a row rewritten only
when one of its values changed.

Per customer, by profit, not revenue:

- an edition's margin: exhibitors m_booth·(booth fee − discount) + m_service·service orders;
  trade visitors and partners a set profit per edition attended / agreement;
- cost to serve: complaints handled × a cost each, contacts staff logged on the timeline × a
  cost each;
- current value: the margin of the customer's latest edition, if it is still to come or closed
  within the current window, less the costs of that edition and of the window;
  historical value: the earlier editions less their costs;
- retention r, measured: an opportunity is an edition followed by a held edition of the same
  series, kept when the customer took part in that one too. Credibility weighting shrinks thin
  data toward the level above (prior → kind → segment → customer), k a setting:
      r_kind    = (k·prior  + kept_kind) / (k + opportunities_kind)
      r_segment = (k·r_kind + kept_seg)  / (k + opportunities_seg)
      r         = (k·r_segment + kept_own) / (k + opportunities_own)
  An administrator may instead set one r for everyone;
- potential value CLV = m·r / (1 + i − r), m the profit per edition; a customer who never took
  part is valued as what similar customers became: the segment's conversion rate × the CLV of
  the segment's profit per edition and retention, marked estimated;
- value matrix (current × potential, thresholds per kind) and pyramid tier (share of value).

Then: a class change is a timeline event; a fall raises an alert with a follow-up task; key
accounts without an owner get a named one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from expo_crm import audit
from expo_crm.db import UTCDateTime, db
from expo_crm.relationships import settings, value
from expo_crm.relationships.loyalty import ADVOCATE_NPS
from expo_crm.relationships.models import (
    KEY_ACCOUNT_OWNER,
    VALUE_CLASS_CHANGED,
    VALUE_FELL_TASK,
    ValueRun,
)
from expo_crm.tasks.models import TaskKind
from expo_crm.tasks.services import least_loaded_owner

_scratch = sa.MetaData()
MONEY = sa.Numeric(24, 8)
RATE = sa.Numeric(20, 14)
# The same types spelt for a CAST, so a value computed in one statement is rounded as a
# scratch column would round it.
AS_MONEY, AS_RATE = "NUMERIC(24, 8)", "NUMERIC(20, 14)"
FACT_NAMES = (
    "kind",
    "sid",
    "owner_id",
    "state_id",
    "prev_class",
    "segment",
    "editions",
    "current_editions",
    "revenue_historical",
    "revenue_current",
    "margin_historical",
    "margin_current",
    "cost_historical",
    "cost_current",
    "complaints",
    "contacts",
    "opportunities",
    "kept",
    "referrals",
    "referrals_converted",
    "word_of_mouth",
    "cross_selling",
    "up_selling",
    "decision_days",
    "competitors",
    "price_sensitivity",
    "quality",
)
COLUMN_TYPES = {
    "kind": sa.String(16),
    "prev_class": sa.String(16),
    "segment": sa.String(200),
    "revenue_historical": MONEY,
    "revenue_current": MONEY,
    "margin_historical": MONEY,
    "margin_current": MONEY,
    "cost_historical": MONEY,
    "cost_current": MONEY,
    "word_of_mouth": MONEY,
    "decision_days": RATE,
    "competitors": RATE,
    "price_sensitivity": RATE,
    "quality": RATE,
    "retention_own": RATE,
    "retention_segment": RATE,
    "retention": RATE,
    "conversion": RATE,
    "margin_per_edition": MONEY,
    "potential": MONEY,
    "estimated": sa.Boolean,
    "promoter": sa.Boolean,
    "value_class": sa.String(16),
    "tier": sa.String(16),
    "loyalty": sa.String(16),
}
# What each customer's value is computed from, one row per customer, written once.
FACTS = sa.Table(
    "cv_facts",
    _scratch,
    *(sa.Column(name, COLUMN_TYPES.get(name, sa.Integer)) for name in (*FACT_NAMES, "promoter")),
    prefixes=["TEMPORARY"],
)
# The facts with the value computed from them: what is stored in customer_values, and what the
# work that follows a change of class reads.
DERIVED_NAMES = (
    "retention_own",
    "retention_segment",
    "retention",
    "conversion",
    "margin_per_edition",
    "potential",
    "estimated",
    "value_class",
    "tier",
    "loyalty",
)
EVAL = sa.Table(
    "cv_eval",
    _scratch,
    *(sa.Column(name, COLUMN_TYPES.get(name, sa.Integer)) for name in FACT_NAMES + DERIVED_NAMES),
    prefixes=["TEMPORARY"],
)
SEGMENTS = sa.Table(
    "cv_segments",
    _scratch,
    sa.Column("kind", sa.String(16)),
    sa.Column("segment", sa.String(200)),
    sa.Column("customers", sa.Integer),
    sa.Column("participants", sa.Integer),
    sa.Column("opportunities", sa.Integer),
    sa.Column("kept", sa.Integer),
    sa.Column("profit", MONEY),
    sa.Column("editions", sa.Integer),
    sa.Column("retention", RATE),
    sa.Column("margin_per_edition", MONEY),
    sa.Column("conversion", RATE),
    prefixes=["TEMPORARY"],
)
# Business meetings each trade visitor held per edition, from the `visitor_meetings` value source.
MEETINGS = sa.Table(
    "cv_meetings",
    _scratch,
    sa.Column("sid", sa.Integer),
    sa.Column("show_id", sa.Integer),
    sa.Column("n", sa.Integer),
    prefixes=["TEMPORARY"],
)

# The staff's effort per customer (complaints handled, contacts logged), grouped by edition and
# by whether an effort tied to no edition falls in the current window: every kind's facts read
# it, so the complaints and interactions are scanned once, not once per kind.
EFFORTS = sa.Table(
    "cv_efforts",
    _scratch,
    sa.Column("kind", sa.String(16)),
    sa.Column("sid", sa.Integer),
    sa.Column("show_id", sa.Integer),
    sa.Column("in_window", sa.Integer),
    sa.Column("complaints", sa.Integer),
    sa.Column("contacts", sa.Integer),
    prefixes=["TEMPORARY"],
)
SCRATCH = (FACTS, EVAL, SEGMENTS, MEETINGS, EFFORTS)


@dataclass(frozen=True)
class ValueKindSql:
    kind: str
    table: str
    column: str
    # (sid, show_id, revenue, margin) per confirmed participation; margin before cost to serve
    participation: str
    segment: str  # an SQL expression over `subj`


KINDS = (
    ValueKindSql(
        "exhibitor",
        "companies",
        "company_id",
        "SELECT c.company_id AS sid, c.show_id, c.total_amount AS revenue,"
        " :margin_rate * (c.booth_fee - c.discount) + :service_margin_rate * COALESCE(o.amount, 0)"
        " AS margin FROM contracts c"
        " LEFT JOIN (SELECT company_id, show_id, SUM(amount) AS amount FROM service_orders"
        "  WHERE state <> 'cancelled' GROUP BY company_id, show_id) o"
        "  ON o.company_id = c.company_id AND o.show_id = c.show_id"
        " WHERE c.state = 'signed' AND c.signed_at IS NOT NULL AND c.signed_at <= :at",
        "COALESCE(subj.size, '?') || ' · ' || COALESCE(NULLIF(subj.industry, ''), '?') || ' · '"
        " || subj.country || COALESCE(NULLIF(' ' || subj.province, ' '), '')",
    ),
    ValueKindSql(
        "visitor",
        "visitors",
        "visitor_id",
        "SELECT r.visitor_id AS sid, r.show_id, 0 AS revenue,"
        " :visitor_edition_value + :meeting_value * COALESCE(m.n, 0) AS margin"
        " FROM registrations r"
        " LEFT JOIN cv_meetings m ON m.sid = r.visitor_id AND m.show_id = r.show_id"
        " WHERE r.first_checked_in_at IS NOT NULL AND r.first_checked_in_at <= :at",
        "COALESCE(subj.industry, '?') || ' · ' || subj.country",
    ),
    ValueKindSql(
        "partner",
        "partners",
        "partner_id",
        "SELECT a.partner_id AS sid, a.show_id, 0 AS revenue, :partner_edition_value AS margin"
        " FROM partner_agreements a WHERE a.state IN ('active', 'completed') AND a.created_at <= :at",
        "subj.kind",
    ),
)

# Contacts a person logged (not the system's own entries) on channels that cost staff time.
STAFF_CHANNELS = "('phone', 'face_to_face', 'email', 'letter', 'event', 'portal')"

# The subject column of each kind, as one expression over a row that names its customer.
SUBJECT_OF_KIND = (
    "CASE k.kind WHEN 'exhibitor' THEN x.company_id WHEN 'visitor' THEN x.visitor_id"
    " ELSE x.partner_id END"
)
EFFORTS_SQL = f"""
INSERT INTO cv_efforts (kind, sid, show_id, in_window, complaints, contacts)
SELECT k.kind, {SUBJECT_OF_KIND}, x.show_id, x.in_window, x.complaints, x.contacts
FROM (
  SELECT company_id, visitor_id, partner_id, show_id, in_window,
         SUM(complaint) AS complaints, SUM(1 - complaint) AS contacts
  FROM (
    SELECT company_id, visitor_id, partner_id, show_id,
           CASE WHEN show_id IS NULL AND opened_at >= :current_since_at THEN 1 ELSE 0 END
             AS in_window,
           1 AS complaint
    FROM complaints WHERE opened_at <= :at
    UNION ALL
    SELECT company_id, visitor_id, partner_id, show_id,
           CASE WHEN show_id IS NULL AND occurred_at >= :current_since_at THEN 1 ELSE 0 END, 0
    FROM interactions
    WHERE occurred_at <= :at AND event IS NULL AND direction <> 'inbound'
      AND channel IN {STAFF_CHANNELS}
  ) efforts
  GROUP BY company_id, visitor_id, partner_id, show_id, in_window
) x
JOIN (SELECT 'exhibitor' AS kind UNION ALL SELECT 'visitor' UNION ALL SELECT 'partner') k
  ON {SUBJECT_OF_KIND} IS NOT NULL
"""

FACTS_SQL = """
WITH part AS ({participation}),
pe AS (
  SELECT p.sid, p.show_id, s.series, s.open_from, s.open_to, SUM(p.revenue) AS revenue,
         SUM(p.margin) AS margin
  FROM part p JOIN shows s ON s.id = p.show_id
  GROUP BY p.sid, p.show_id, s.series, s.open_from, s.open_to
),
ranked AS (
  SELECT pe.*, ROW_NUMBER() OVER (PARTITION BY pe.sid ORDER BY pe.open_from DESC, pe.show_id DESC) AS rn
  FROM pe
),
bucketed AS (
  SELECT ranked.*, CASE WHEN rn = 1 AND open_to >= :current_since THEN 1 ELSE 0 END AS is_current
  FROM ranked
),
agg AS (
  SELECT sid,
         SUM(1 - is_current) AS editions, SUM(is_current) AS current_editions,
         SUM(CASE WHEN is_current = 0 THEN revenue ELSE 0 END) AS rev_h,
         SUM(CASE WHEN is_current = 1 THEN revenue ELSE 0 END) AS rev_c,
         SUM(CASE WHEN is_current = 0 THEN margin ELSE 0 END) AS margin_h,
         SUM(CASE WHEN is_current = 1 THEN margin ELSE 0 END) AS margin_c,
         MAX(CASE WHEN is_current = 1 THEN show_id END) AS current_show_id
  FROM bucketed GROUP BY sid
),
nexts AS (
  SELECT id, LEAD(id) OVER (PARTITION BY series ORDER BY open_from, id) AS next_id,
         LEAD(open_to) OVER (PARTITION BY series ORDER BY open_from, id) AS next_open_to
  FROM shows
),
opp AS (
  SELECT pe.sid, COUNT(*) AS opportunities, SUM(CASE WHEN nx.sid IS NULL THEN 0 ELSE 1 END) AS kept
  FROM pe JOIN nexts n ON n.id = pe.show_id
  LEFT JOIN pe nx ON nx.sid = pe.sid AND nx.show_id = n.next_id
  WHERE n.next_id IS NOT NULL AND n.next_open_to < :today
  GROUP BY pe.sid
),
cost AS (
  SELECT e.sid, SUM(e.complaints) AS complaints, SUM(e.contacts) AS contacts,
         SUM(CASE WHEN e.show_id = agg.current_show_id OR e.in_window = 1 THEN 0
                  ELSE e.complaints * :complaint_cost + e.contacts * :contact_cost END) AS cost_h,
         SUM(CASE WHEN e.show_id = agg.current_show_id OR e.in_window = 1
                  THEN e.complaints * :complaint_cost + e.contacts * :contact_cost
                  ELSE 0 END) AS cost_c
  FROM cv_efforts e LEFT JOIN agg ON agg.sid = e.sid
  WHERE e.kind = '{kind}'
  GROUP BY e.sid
)
SELECT '{kind}', subj.id, subj.owner_id, cv.id, cv.value_class, {segment},
       COALESCE(agg.editions, 0), COALESCE(agg.current_editions, 0),
       COALESCE(agg.rev_h, 0), COALESCE(agg.rev_c, 0), COALESCE(agg.margin_h, 0),
       COALESCE(agg.margin_c, 0), COALESCE(cost.cost_h, 0), COALESCE(cost.cost_c, 0),
       COALESCE(cost.complaints, 0), COALESCE(cost.contacts, 0),
       COALESCE(opp.opportunities, 0), COALESCE(opp.kept, 0), {measures},
       promoter.sid IS NOT NULL
FROM {table} subj
LEFT JOIN agg ON agg.sid = subj.id
LEFT JOIN opp ON opp.sid = subj.id
LEFT JOIN cost ON cost.sid = subj.id
LEFT JOIN (SELECT DISTINCT {column} AS sid FROM lifecycle_states
           WHERE {column} IS NOT NULL AND nps >= :advocate_nps) promoter
  ON promoter.sid = subj.id
LEFT JOIN customer_values cv ON cv.{column} = subj.id
{measure_joins}
"""

# Word of mouth (口碑价值 = 影响力 × 影响范围 × 平均购买价), per customer whose referral links
# brought registrations or applications: reach 影响范围 = how many were brought; influence 影响力
# = the share of them who bought (a visitor checked in, an applicant signed a contract); the
# average purchase 平均购买价 = the average margin those buyers brought (a visitor's profit per
# edition; an exhibitor's m_booth·(booth fee − discount)).
REFERRALS_SQL = """
SELECT x.sid, COUNT(*) AS reach, SUM(x.converted) AS converted, SUM(x.margin) AS margin
FROM (
  SELECT r.{referrer} AS sid,
         CASE WHEN r.first_checked_in_at <= :at THEN 1 ELSE 0 END AS converted,
         CASE WHEN r.first_checked_in_at <= :at THEN :visitor_edition_value ELSE 0 END AS margin
  FROM registrations r
  WHERE r.{referrer} IS NOT NULL AND r.created_at <= :at
  UNION ALL
  SELECT a.{referrer}, CASE WHEN c.margin IS NULL THEN 0 ELSE 1 END, COALESCE(c.margin, 0)
  FROM exhibitor_applications a
  LEFT JOIN (
    SELECT company_id, show_id, SUM(:margin_rate * (booth_fee - discount)) AS margin
    FROM contracts WHERE state = 'signed' AND signed_at IS NOT NULL AND signed_at <= :at
    GROUP BY company_id, show_id
  ) c ON c.company_id = a.company_id AND c.show_id = a.show_id
  WHERE a.{referrer} IS NOT NULL AND a.created_at <= :at
) x
GROUP BY x.sid
"""
WORD_OF_MOUTH = (
    "COALESCE(f.reach, 0), COALESCE(f.converted, 0), CASE WHEN f.converted > 0"
    " THEN (1.0 * f.converted / f.reach) * f.reach * (f.margin / f.converted) ELSE 0 END"
)
# The customers who hand out referral links, and the column naming them as the referrer.
REFERRERS = {"exhibitor": "referrer_company_id", "visitor": "referrer_visitor_id"}

# Segment and kind statistics, shrunk: kind toward the prior, segment toward its kind.
SEGMENTS_SQL = """
INSERT INTO cv_segments (kind, segment, customers, participants, opportunities, kept, profit, editions)
SELECT kind, segment, COUNT(*),
       SUM(CASE WHEN editions + current_editions > 0 THEN 1 ELSE 0 END),
       SUM(opportunities), SUM(kept),
       SUM(margin_historical + margin_current - cost_historical - cost_current),
       SUM(editions + current_editions)
FROM cv_facts GROUP BY kind, segment
"""
KIND_RATES_SQL = """
SELECT kind,
       (:k * :prior + SUM(kept)) / (:k + SUM(opportunities)) AS retention,
       CASE WHEN SUM(editions) = 0 THEN 0 ELSE {margin} END AS margin,
       (:k * 0.5 + SUM(participants)) / (:k + SUM(customers)) AS conversion
FROM cv_segments GROUP BY kind
"""


# The loyalty measures of the seeds that the stored facts do not already give (loyalty.py
# defines each), per customer at once. Up-selling and price sensitivity compare each signed
# participation with the customer's one before it.
CROSS_SELLING_SQL = """
SELECT company_id, COUNT(*) AS orders FROM service_orders WHERE state <> 'cancelled'
GROUP BY company_id
"""
MOVES_SQL = """
SELECT company_id,
       SUM(CASE WHEN prev_area IS NOT NULL AND COALESCE(area, 0) > COALESCE(prev_area, 0)
           THEN 1 ELSE 0 END) AS up,
       AVG(CASE WHEN prev_area > 0 AND area > 0 AND prev_amount > 0 AND amount > 0
                 AND ABS(1.0 * amount / area - 1.0 * prev_amount / prev_area)
                     >= 0.01 * prev_amount / prev_area
           THEN -(1.0 * (area - prev_area) / prev_area)
                / ((1.0 * amount / area - 1.0 * prev_amount / prev_area)
                   / (1.0 * prev_amount / prev_area)) END) AS sensitivity
FROM (
  SELECT c.company_id, c.booth_area_m2 AS area, c.total_amount AS amount,
         LAG(c.booth_area_m2) OVER (PARTITION BY c.company_id ORDER BY s.open_from, c.show_id)
           AS prev_area,
         LAG(c.total_amount) OVER (PARTITION BY c.company_id ORDER BY s.open_from, c.show_id)
           AS prev_amount
  FROM contracts c JOIN shows s ON s.id = c.show_id WHERE c.state = 'signed'
) pairs
GROUP BY company_id
"""
DECISIONS_SQL = """
SELECT c.company_id, AVG({days}) AS days
FROM contracts c JOIN exhibitor_applications a ON a.id = c.application_id
WHERE c.state = 'signed' AND c.signed_at IS NOT NULL
GROUP BY c.company_id
"""
DAYS = {
    "sqlite": "julianday(c.signed_at) - julianday(a.created_at)",
    "postgresql": "EXTRACT(EPOCH FROM c.signed_at - a.created_at) / 86400.0",
}
# Survey answers whose chosen option names the loyalty measure it informs and its score.
OPTION = {
    "sqlite": "json_extract(q.options, '$[' || a.number || '].{key}')",
    "postgresql": "(CAST(q.options AS JSON) -> a.number ->> '{key}')",
}
ANSWERS_SQL = """
SELECT sid,
       AVG(CASE WHEN measure = 'competitors' THEN score END) AS competitors,
       AVG(CASE WHEN measure = 'quality' THEN score END) AS quality
FROM (
  SELECT CASE WHEN r.company_id IS NOT NULL THEN 'exhibitor' ELSE 'visitor' END AS kind,
         COALESCE(r.company_id, r.visitor_id) AS sid,
         {measure} AS measure, COALESCE(CAST({score} AS NUMERIC), 0) AS score
  FROM survey_answers a
  JOIN survey_questions q ON q.id = a.question_id
  JOIN survey_responses r ON r.id = a.response_id
  WHERE q.kind = 'single' AND a.number IS NOT NULL AND a.number >= 0
    AND (r.company_id IS NOT NULL OR r.visitor_id IS NOT NULL)
) answers
WHERE measure IS NOT NULL AND kind = '{kind}'
GROUP BY sid
"""
# 拥护者 advocate: takes part again and recommends (referrals brought, or NPS 9–10);
# 跟随者 follower: takes part again only.
LOYALTY = (
    "CASE WHEN editions + current_editions < 2 THEN 'none'"
    " WHEN referrals > 0 OR promoter THEN 'advocate' ELSE 'follower' END"
)


def measures(kind: str, dialect: str) -> tuple[str, str]:
    """The columns after `kept` in cv_facts (referrals, word of mouth and the loyalty measures)
    for one kind of customer, and the joins to the aggregates they come from."""
    joins = []
    if kind in REFERRERS:
        joins.append(f"LEFT JOIN ({REFERRALS_SQL.format(referrer=REFERRERS[kind])}) f")
        joins.append("  ON f.sid = subj.id")
        referrals = WORD_OF_MOUTH
    else:  # partners hand out codes, not customer links
        referrals = "0, 0, 0"
    if kind == "exhibitor":
        joins.append(f"LEFT JOIN ({CROSS_SELLING_SQL}) o ON o.company_id = subj.id")
        joins.append(f"LEFT JOIN ({MOVES_SQL}) m ON m.company_id = subj.id")
        decisions = DECISIONS_SQL.format(days=DAYS[dialect])
        joins.append(f"LEFT JOIN ({decisions}) d ON d.company_id = subj.id")
        buying = "COALESCE(o.orders, 0), COALESCE(m.up, 0), d.days"
        sensitivity = "m.sensitivity"
    else:
        buying, sensitivity = "0, 0, NULL", "NULL"
    if kind in ("exhibitor", "visitor"):
        option = OPTION[dialect]
        answers = ANSWERS_SQL.format(
            measure=option.format(key="loyalty"), score=option.format(key="score"), kind=kind
        )
        joins.append(f"LEFT JOIN ({answers}) x ON x.sid = subj.id")
        competitors, quality = "x.competitors", "x.quality"
    else:
        competitors, quality = "NULL", "NULL"
    columns = f"{referrals}, {buying}, {competitors}, {sensitivity}, {quality}"
    return columns, "\n".join(joins)


def _kind_case(rates: dict[str, tuple], index: int) -> str:
    parts = " ".join(
        f"WHEN '{kind}' THEN CAST({Decimal(values[index]):.8f} AS NUMERIC)"
        for kind, values in rates.items()
    )
    return f"(CASE kind {parts} ELSE 0 END)" if parts else "0"


def _divided(numerator: str, denominator: str, dialect: str) -> str:
    """A decimal division on both databases. SQLite stores a whole decimal as an integer and
    divides two integers as integers (69,381 / 2 = 34,690); PostgreSQL keeps NUMERIC."""
    if dialect == "sqlite":
        return f"CAST({numerator} AS REAL) / ({denominator})"
    return f"({numerator}) / ({denominator})"


def _clamp(expression: str) -> str:
    """A rate kept below 1, so the CLV stays finite and the column's CHECK holds."""
    return f"(CASE WHEN {expression} > 0.9999 THEN 0.9999 ELSE {expression} END)"


def _run(connection: sa.Connection, sql: str, params: dict) -> sa.CursorResult:
    used = {k: v for k, v in params.items() if re.search(f":{k}\\b", sql)}
    sqlite = connection.dialect.name == "sqlite"
    binds = []
    for name, given in used.items():
        if isinstance(given, datetime):
            binds.append(sa.bindparam(name, type_=UTCDateTime()))
        elif isinstance(given, date):
            binds.append(sa.bindparam(name, type_=sa.Date()))
        elif isinstance(given, Decimal) and sqlite:
            used[name] = float(given)  # sqlite3 binds no Decimal; PostgreSQL keeps NUMERIC
    statement = sa.text(sql)
    return connection.execute(statement.bindparams(*binds) if binds else statement, used)


def _params(at: datetime) -> dict:
    values = settings.current()
    window = int(values["current_window_days"])
    params = {
        "at": at,
        "today": at.date(),
        "current_since": at.date() - timedelta(days=window),
        "current_since_at": at - timedelta(days=window),
        "k": Decimal(values["retention_credibility"]),
        "prior": Decimal(values["retention_prior"]),
        "i": Decimal(values["discount_rate"]),
    }
    for key in (
        "margin_rate",
        "service_margin_rate",
        "visitor_edition_value",
        "meeting_value",
        "partner_edition_value",
        "complaint_cost",
        "contact_cost",
    ):
        params[key] = Decimal(values[key])
    params["fixed_r"] = values["retention_rate"]
    params["advocate_nps"] = ADVOCATE_NPS
    for kind in settings.CLASS_THRESHOLDS:
        params[f"current_{kind}"] = Decimal(values[f"class_current_{kind}"])
        params[f"potential_{kind}"] = Decimal(values[f"class_potential_{kind}"])
    for tier in ("key", "major", "ordinary"):
        params[f"share_{tier}"] = Decimal(values[f"pyramid_{tier}_share"])
    return params


def compute(connection: sa.Connection, params: dict) -> None:
    """Fill cv_eval with every customer's facts, value parts, class and tier: one INSERT …
    SELECT of the facts per kind, the segment statistics, one INSERT … SELECT of the value.
    Each scratch row is written once (an UPDATE pass would rewrite every row under MVCC)."""
    for table in SCRATCH:
        table.drop(connection, checkfirst=True)
        table.create(connection)
    meetings = [
        {"sid": visitor_id, "show_id": show_id, "n": n}
        for visitor_id, show_id, n in value._source("visitor_meetings")()
    ]
    if meetings:
        connection.execute(MEETINGS.insert(), meetings)
    dialect = connection.dialect.name
    postgresql = dialect == "postgresql"
    if postgresql:
        # The run sorts and hashes tables of every customer (tens of MB at 100,000 customers),
        # which the default 4 MB would spill to disk; for this one nightly transaction only.
        _run(connection, "SET LOCAL work_mem = '64MB'", params)
        _run(connection, "ANALYZE cv_meetings", params)  # a temporary table has no statistics
    _run(connection, EFFORTS_SQL, params)
    if postgresql:
        _run(connection, "ANALYZE cv_efforts", params)
    head = f"INSERT INTO cv_facts ({', '.join(FACT_NAMES)}, promoter) "
    for kind in KINDS:
        columns, joins = measures(kind.kind, dialect)
        sql = FACTS_SQL.format(
            participation=kind.participation,
            column=kind.column,
            table=kind.table,
            kind=kind.kind,
            segment=kind.segment,
            measures=columns,
            measure_joins=joins,
        )
        _run(connection, head + sql, params)
    _run(connection, SEGMENTS_SQL, params)
    rates = {
        row.kind: (row.retention, row.margin, row.conversion)
        for row in _run(
            connection,
            KIND_RATES_SQL.format(margin=_divided("SUM(profit)", "SUM(editions)", dialect)),
            params,
        )
    }
    r_kind, m_kind, c_kind = (_kind_case(rates, n) for n in range(3))
    _run(
        connection,
        f"""
        UPDATE cv_segments SET
          retention = (:k * {r_kind} + kept) / (:k + opportunities),
          margin_per_edition = {_divided(f":k * {m_kind} + profit", ":k + editions", dialect)},
          conversion = (:k * {c_kind} + participants) / (:k + customers)""",
        params,
    )
    _run(connection, _value_sql(params["fixed_r"], dialect), params)
    # Every later statement finds a customer's row by kind and id.
    _run(connection, "CREATE INDEX ix_cv_eval_kind_sid ON cv_eval (kind, sid)", params)
    if postgresql:
        _run(connection, "ANALYZE cv_eval", params)


def _value_sql(fixed_r, dialect: str) -> str:
    """The one statement that derives each customer's value from its facts and its segment.

    Innermost: retention (shrunk toward the segment's), profit per edition (own, or the
    segment's for those who never took part, weighted by the segment's conversion), each cast
    to its scratch type, evaluated once per customer (a materialised CTE: inlined, PostgreSQL
    would repeat the shrunk retention in every expression that uses it); then the CLV and the
    running share of the kind's value above each customer; outermost: the class in the value
    matrix, the pyramid tier and the loyalty kind."""
    shrunk = "(:k * s.retention + e.kept) / (:k + e.opportunities)"
    retention = (
        f"CAST({Decimal(fixed_r):.6f} AS NUMERIC)" if fixed_r is not None else _clamp(shrunk)
    )
    carried = ", ".join(f"e.{name}" for name in FACT_NAMES)
    took_part = "e.editions + e.current_editions > 0"
    potential = "(COALESCE(conversion, 1) * margin_per_edition * retention / (1 + :i - retention))"
    classes = " ".join(
        f"WHEN '{kind}' THEN CASE WHEN margin_current - cost_current >= :current_{kind}"
        f" THEN CASE WHEN exact_potential >= :potential_{kind} THEN 'value' ELSE 'maintain' END"
        f" ELSE CASE WHEN exact_potential >= :potential_{kind} THEN 'potential' ELSE 'low' END END"
        for kind in settings.CLASS_THRESHOLDS
    )
    names = ", ".join(FACT_NAMES + DERIVED_NAMES)
    per_edition = _divided(
        "e.margin_historical + e.margin_current - e.cost_historical - e.cost_current",
        "e.editions + e.current_editions",
        dialect,
    )
    return f"""
    INSERT INTO cv_eval ({names})
    WITH v AS MATERIALIZED (
        SELECT {carried}, e.promoter,
          CAST(CASE WHEN e.opportunities > 0 THEN 1.0 * e.kept / e.opportunities END
               AS {AS_RATE}) AS retention_own,
          CAST({_clamp("s.retention")} AS {AS_RATE}) AS retention_segment,
          CAST({retention} AS {AS_RATE}) AS retention,
          CAST(CASE WHEN {took_part} THEN NULL ELSE s.conversion END AS {AS_RATE}) AS conversion,
          CAST(CASE WHEN {took_part} THEN {per_edition}
                 ELSE s.margin_per_edition END AS {AS_MONEY}) AS margin_per_edition,
          (e.editions + e.current_editions = 0 OR e.opportunities = 0) AS estimated,
          e.margin_historical + e.margin_current - e.cost_historical - e.cost_current AS total
        FROM cv_facts e LEFT JOIN cv_segments s ON s.kind = e.kind AND s.segment = e.segment
    )
    SELECT {", ".join(FACT_NAMES)}, retention_own, retention_segment, retention, conversion,
      margin_per_edition, CAST(exact_potential AS {AS_MONEY}), estimated,
      CASE kind {classes} END,
      CASE WHEN total <= 0 OR grand <= 0 THEN 'small'
           WHEN above < :share_key * grand THEN 'key'
           WHEN above < :share_major * grand THEN 'major'
           WHEN above < :share_ordinary * grand THEN 'ordinary'
           ELSE 'small' END,
      {LOYALTY}
    FROM (
      SELECT v.*, {potential} AS exact_potential,
             COALESCE(SUM(total) OVER (PARTITION BY kind ORDER BY total DESC, sid
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS above,
             SUM(CASE WHEN total > 0 THEN total ELSE 0 END) OVER (PARTITION BY kind) AS grand
      FROM v
    ) w"""


SUBJECT_CASES = (
    "CASE WHEN e.kind = 'exhibitor' THEN e.sid END, CASE WHEN e.kind = 'visitor' THEN e.sid END,"
    " CASE WHEN e.kind = 'partner' THEN e.sid END"
)
STORED = (
    "segment",
    "editions",
    "current_editions",
    "revenue_historical",
    "revenue_current",
    "margin_historical",
    "margin_current",
    "cost_historical",
    "cost_current",
    "complaints",
    "contacts",
    "opportunities",
    "retention_own",
    "retention_segment",
    "retention",
    "conversion",
    "margin_per_edition",
    "potential",
    "estimated",
    "value_class",
    "tier",
    "referrals",
    "referrals_converted",
    "word_of_mouth",
    "cross_selling",
    "up_selling",
    "decision_days",
    "competitors",
    "price_sensitivity",
    "quality",
    "loyalty",
)
ROUNDED = {
    "word_of_mouth": 2,
    "decision_days": 1,
    "competitors": 4,
    "price_sensitivity": 4,
    "quality": 4,
    "revenue_historical": 2,
    "revenue_current": 2,
    "margin_historical": 2,
    "margin_current": 2,
    "cost_historical": 2,
    "cost_current": 2,
    "margin_per_edition": 2,
    "potential": 2,
    "retention_own": 4,
    "retention_segment": 4,
    "retention": 4,
    "conversion": 4,
}


def _value_of(column: str) -> str:
    places = ROUNDED.get(column)
    return f"ROUND(e.{column}, {places})" if places else f"e.{column}"


def _update_sql() -> str:
    """Rewrite a stored row only where one of its values changed: on a quiet night nothing is
    written, and a row's computed_at says when its values last changed."""
    parts = {
        "historical": "ROUND(e.margin_historical - e.cost_historical, 2)",
        "current": "ROUND(e.margin_current - e.cost_current, 2)",
    } | {column: _value_of(column) for column in STORED}
    stored = ", ".join(f"customer_values.{column}" for column in parts)
    computed = ", ".join(parts.values())
    updates = ", ".join(f"{column} = {expression}" for column, expression in parts.items())
    return f"""
        UPDATE customer_values SET computed_at = :at,
            class_since = CASE WHEN e.value_class <> e.prev_class THEN :at
                               ELSE customer_values.class_since END, {updates}
        FROM cv_eval e
        WHERE e.state_id = customer_values.id AND ({stored}) IS DISTINCT FROM ({computed})"""


def evaluate(at: datetime) -> dict[str, int]:
    """Compute and store every customer's value at `at`, in the current transaction; then the
    work that follows from a change of class or tier. Returns counts of what changed."""
    connection = db.session.connection()
    params = _params(at)
    compute(connection, params)
    stored = ", ".join(STORED)
    values = ", ".join(_value_of(c) for c in STORED)
    parts = (
        "ROUND(e.margin_historical - e.cost_historical, 2), "
        "ROUND(e.margin_current - e.cost_current, 2)"
    )
    created = _run(
        connection,
        f"""
        INSERT INTO customer_values (kind, company_id, visitor_id, partner_id, computed_at,
            class_since, historical, current, {stored})
        SELECT e.kind, {SUBJECT_CASES}, :at, :at, {parts}, {values}
        FROM cv_eval e WHERE e.state_id IS NULL""",
        params,
    ).rowcount
    changes = _record_class_changes(connection, params)
    updated = _run(connection, _update_sql(), params).rowcount
    fell = _raise_fall_alerts(connection, params)
    owners = assign_key_account_owners(connection, params)
    customers = _run(connection, "SELECT COUNT(*) FROM cv_eval", params).scalar_one()
    for table in SCRATCH:
        table.drop(connection)
    connection.execute(
        sa.insert(ValueRun).values(ran_at=at, customers=customers, created=created, updated=updated)
    )
    result = {
        "created": created,
        "updated": updated,
        "changed": changes,
        "fell": fell,
        "owners": owners,
    }
    if changes or fell or owners:
        audit.record(
            "value.evaluate",
            entity_type="customer_values",
            entity_id=at.date().isoformat(),
            after={"at": at.isoformat()} | result,
        )
    return result


def _json_object(connection: sa.Connection) -> str:
    return "json_build_object" if connection.dialect.name == "postgresql" else "json_object"


def _record_class_changes(connection: sa.Connection, params: dict) -> int:
    """A change of value class is a timeline event of the customer (kind + parameters)."""
    json_object = _json_object(connection)
    return _run(
        connection,
        f"""
        INSERT INTO interactions (company_id, visitor_id, partner_id, occurred_at, channel,
            direction, subject, notes, tone, next_step, next_step_done, source_key, event, params,
            created_at, updated_at)
        SELECT {SUBJECT_CASES}, :at, 'system', 'internal', '', '', 'neutral', '', FALSE,
            'value:' || e.kind || ':' || e.sid || ':' || e.value_class || ':' || cv.id || ':'
              || CAST(CAST(:at AS DATE) AS VARCHAR(10)),
            '{VALUE_CLASS_CHANGED}', {json_object}('before', e.prev_class, 'after', e.value_class),
            :at, :at
        FROM cv_eval e JOIN customer_values cv ON cv.id = e.state_id
        WHERE e.prev_class IS NOT NULL AND e.prev_class <> e.value_class""",
        params,
    ).rowcount


RANK = "CASE {c} WHEN 'value' THEN 3 WHEN 'low' THEN 1 ELSE 2 END"


def _raise_fall_alerts(connection: sa.Connection, params: dict) -> int:
    """A fall in the matrix (value → any other class, or down to low value): an alert for the
    owner and a follow-up task, each made once per fall."""
    json_object = _json_object(connection)
    params = params | {
        "fallback_owner": least_loaded_owner(TaskKind.retention),
        "due": params["today"] + timedelta(7),
    }
    key = (
        "'value_fell:' || e.kind || ':' || e.sid || ':' || e.prev_class || ':' || e.value_class"
        " || ':' || CAST(CAST(:at AS DATE) AS VARCHAR(10))"
    )
    raised = _run(
        connection,
        f"""
        INSERT INTO alerts (transition_id, company_id, visitor_id, partner_id, stage, state,
            owner_id, raised_at, outcome, source_key, event, params)
        SELECT NULL, {SUBJECT_CASES}, NULL, 'open', COALESCE(e.owner_id, :fallback_owner), :at, '',
            {key}, '{VALUE_CLASS_CHANGED}',
            {json_object}('before', e.prev_class, 'after', e.value_class)
        FROM cv_eval e
        WHERE e.prev_class IS NOT NULL
          AND {RANK.format(c="e.value_class")} < {RANK.format(c="e.prev_class")}
          AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.source_key = {key})""",
        params,
    ).rowcount
    if not raised:
        return 0
    _run(
        connection,
        f"""
        INSERT INTO tasks (title, description, event, params, kind, state, owner_id, due_date,
            company_id, visitor_id, partner_id, source_key, outcome, created_at, updated_at)
        SELECT '', '', '{VALUE_FELL_TASK}',
            {json_object}('name', {json_object}(
                'zh', COALESCE(NULLIF(c.name_zh, ''), v.name, NULLIF(p.name_zh, ''), ''),
                'en', COALESCE(NULLIF(c.name_en, ''), v.name, NULLIF(p.name_en, ''), ''))),
            'retention', 'open', a.owner_id, :due, a.company_id, a.visitor_id, a.partner_id,
            a.source_key, '', :at, :at
        FROM alerts a
        LEFT JOIN companies c ON c.id = a.company_id
        LEFT JOIN visitors v ON v.id = a.visitor_id
        LEFT JOIN partners p ON p.id = a.partner_id
        WHERE a.task_id IS NULL AND a.raised_at = :at AND a.event IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM tasks x WHERE x.source_key = a.source_key)""",
        params,
    )
    _run(
        connection,
        """
        UPDATE alerts SET task_id = (SELECT t.id FROM tasks t WHERE t.source_key = alerts.source_key)
        WHERE task_id IS NULL AND raised_at = :at AND event IS NOT NULL""",
        params,
    )
    return raised


KEY_ACCOUNT_TABLES = {"exhibitor": "companies", "visitor": "visitors", "partner": "partners"}


def assign_key_account_owners(connection: sa.Connection, params: dict) -> int:
    """Key accounts (top tier, or value customers) get a named owner: the active sales person
    who owns the fewest key accounts. Few rows, so one at a time; each on the timeline."""
    rows = _run(
        connection,
        """
        SELECT kind, sid FROM cv_eval
        WHERE owner_id IS NULL AND (tier = 'key' OR value_class = 'value')
        ORDER BY kind, sid""",
        params,
    ).all()
    if not rows:
        return 0
    load = dict(
        _run(
            connection,
            """
            SELECT s.id, COUNT(cv.id) FROM staff_users s
            LEFT JOIN (
              SELECT cv.id, COALESCE(c.owner_id, v.owner_id, p.owner_id) AS owner_id
              FROM customer_values cv
              LEFT JOIN companies c ON c.id = cv.company_id
              LEFT JOIN visitors v ON v.id = cv.visitor_id
              LEFT JOIN partners p ON p.id = cv.partner_id
              WHERE cv.tier = 'key' OR cv.value_class = 'value'
            ) cv ON cv.owner_id = s.id
            WHERE s.role = 'sales' AND s.active
            GROUP BY s.id""",
            params,
        ).all()
    )
    if not load:
        return 0
    from expo_crm.auth.models import StaffUser
    from expo_crm.relationships.services import log_interaction

    names = dict(
        connection.execute(
            sa.select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(list(load)))
        ).all()
    )
    for kind, sid in rows:
        owner = min(load, key=lambda staff: (load[staff], staff))
        load[owner] += 1
        connection.execute(
            sa.text(f"UPDATE {KEY_ACCOUNT_TABLES[kind]} SET owner_id = :owner WHERE id = :sid"),
            {"owner": owner, "sid": sid},
        )
        connection.execute(
            sa.text("UPDATE cv_eval SET owner_id = :owner WHERE kind = :kind AND sid = :sid"),
            {"owner": owner, "kind": kind, "sid": sid},
        )
        log_interaction(
            kind,
            sid,
            channel="system",
            direction="internal",
            subject="",
            occurred_at=params["at"],
            source_key=f"key_owner:{kind}:{sid}:{owner}",
            event=KEY_ACCOUNT_OWNER,
            params={"owner": names.get(owner, "")},
        )
    return len(rows)
