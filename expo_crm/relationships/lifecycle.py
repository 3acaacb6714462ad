"""The nightly life-cycle evaluation (docs/domain.md), set-based: a handful of INSERT … SELECT and
UPDATE … FROM statements over every exhibitor, visitor and partner at once, portable between
SQLite and PostgreSQL. No Python loop over customers.

1. per kind, one CTE query computes each customer's signals, rule, stage and health into a
   temporary table;
2. new relationships get a state row; every change of stage becomes a transition row;
3. existing states are updated from the temporary table;
4. transitions into weakening or loss raise an alert and open a retention / win-back task;
5. alerts whose task was closed take the task's outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from expo_crm import audit
from expo_crm.db import UTCDateTime, db
from expo_crm.relationships import settings
from expo_crm.relationships.models import RETENTION_TASK, WIN_BACK_TASK
from expo_crm.tasks.models import TaskKind
from expo_crm.tasks.services import least_loaded_owner

SIGNAL_COLUMNS = (
    "rule",
    "editions",
    "editions_since_return",
    "missed_editions",
    "last_show_id",
    "satisfaction",
    "nps",
    "overdue_complaints",
    "open_complaints",
    "area_before_m2",
    "area_now_m2",
    "rebooking_deadline",
    "last_contact_at",
    "no_contact",
    "declined",
    "low_satisfaction",
    "low_nps",
    "area_cut",
    "not_rebooked",
    "external_warnings",
    "churn_probability",
    "churn_risk",
)
HEALTH_COLUMNS = (
    "health",
    "health_participation",
    "health_spend",
    "health_repeat",
    "health_recency",
    "health_satisfaction",
    "health_nps",
    "health_complaints",
    "health_tone",
)

_scratch = sa.MetaData()
EVAL = sa.Table(
    "lc_eval",
    _scratch,
    sa.Column("kind", sa.String(16)),
    sa.Column("subject_id", sa.Integer),
    sa.Column("owner_id", sa.Integer),
    sa.Column("state_id", sa.Integer),
    sa.Column("is_new", sa.Boolean),
    sa.Column("prev_stage", sa.String(16)),
    sa.Column("stage", sa.String(16)),
    sa.Column("rule", sa.String(32)),
    sa.Column("editions", sa.Integer),
    sa.Column("editions_since_return", sa.Integer),
    sa.Column("missed_editions", sa.Integer),
    sa.Column("last_show_id", sa.Integer),
    sa.Column("satisfaction", sa.Numeric(3, 2)),
    sa.Column("nps", sa.Integer),
    sa.Column("overdue_complaints", sa.Integer),
    sa.Column("open_complaints", sa.Integer),
    sa.Column("area_before_m2", sa.Numeric(10, 2)),
    sa.Column("area_now_m2", sa.Numeric(10, 2)),
    sa.Column("rebooking_deadline", sa.Date),
    sa.Column("last_contact_at", UTCDateTime()),
    sa.Column("churn_probability", sa.Numeric(5, 4)),
    sa.Column("churn_risk", sa.Boolean),
    *(
        sa.Column(name, sa.Boolean)
        for name in (
            "no_contact",
            "declined",
            "low_satisfaction",
            "low_nps",
            "area_cut",
            "not_rebooked",
        )
    ),
    *(sa.Column(name, sa.Integer) for name in HEALTH_COLUMNS),
    sa.Column("external_warnings", sa.JSON),
    prefixes=["TEMPORARY"],
)
EXTERNAL = sa.Table(
    "lc_external",
    _scratch,
    sa.Column("kind", sa.String(16)),
    sa.Column("subject_id", sa.Integer),
    sa.Column("warnings", sa.JSON),
    prefixes=["TEMPORARY"],
)

# Warning signals that a higher package computes (an exhibitor whose return on its last show was
# small for what it cost): kind -> functions `fn(at, values) -> {subject_id: [(event, params)]}`,
# where values are the current settings. Each finding is a warning; its events are the reasons.
_warning_sources: dict[str, list[Callable]] = {}


def warning_source(kind: str) -> Callable:
    def register(fn: Callable) -> Callable:
        found = _warning_sources.setdefault(kind, [])
        if fn not in found:
            found.append(fn)
        return fn

    return register


@dataclass(frozen=True)
class KindSql:
    kind: str
    table: str  # the customers
    column: str  # their column in interactions, complaints, survey_responses, lifecycle_states
    participation: str  # rows (sid, show_id, part_at, area, amount) of confirmed participation
    declined: str  # sids who withdrew or were turned down for a later edition
    has_rebooking: bool
    has_spend: bool


NO_ONE = "SELECT CAST(NULL AS INTEGER) AS sid WHERE 1 = 0"

KINDS = (
    KindSql(
        "exhibitor",
        "companies",
        "company_id",
        "SELECT c.company_id AS sid, c.show_id, c.signed_at AS part_at, c.booth_area_m2 AS area,"
        " c.total_amount AS amount FROM contracts c"
        " WHERE c.state = 'signed' AND c.signed_at IS NOT NULL AND c.signed_at <= :at",
        "SELECT DISTINCT l.sid FROM latest l JOIN exhibitor_applications a ON a.company_id = l.sid"
        " JOIN shows s ON s.id = a.show_id"
        " WHERE s.series = l.series AND s.open_from > l.open_from AND a.state IN ('withdrawn', 'rejected')",
        True,
        True,
    ),
    KindSql(
        "visitor",
        "visitors",
        "visitor_id",
        "SELECT r.visitor_id AS sid, r.show_id, r.first_checked_in_at AS part_at, CAST(NULL AS NUMERIC) AS area,"
        " CAST(NULL AS NUMERIC) AS amount FROM registrations r"
        " WHERE r.first_checked_in_at IS NOT NULL AND r.first_checked_in_at <= :at",
        NO_ONE,
        False,
        False,
    ),
    KindSql(
        "partner",
        "partners",
        "partner_id",
        "SELECT a.partner_id AS sid, a.show_id, a.created_at AS part_at, CAST(NULL AS NUMERIC) AS area,"
        " CAST(NULL AS NUMERIC) AS amount FROM partner_agreements a"
        " WHERE a.state IN ('active', 'completed') AND a.created_at <= :at",
        NO_ONE,
        False,
        False,
    ),
)

SIGNALS_SQL = """
WITH part AS ({participation}),
ranked AS (
  SELECT p.sid, p.show_id, p.part_at, p.area, p.amount, s.series, s.open_from, s.open_to, s.rebooking_deadline,
         ROW_NUMBER() OVER (PARTITION BY p.sid ORDER BY s.open_from DESC, p.show_id DESC) AS rn
  FROM part p JOIN shows s ON s.id = p.show_id
),
agg AS (
  SELECT r.sid, COUNT(DISTINCT r.show_id) AS editions,
         COUNT(DISTINCT CASE WHEN st.lost_at IS NULL OR r.part_at > st.lost_at THEN r.show_id END) AS since_return,
         MAX(r.part_at) AS last_part_at, SUM(r.amount) AS spend
  FROM ranked r LEFT JOIN lifecycle_states st ON st.{column} = r.sid
  GROUP BY r.sid
),
latest AS (
  SELECT sid, show_id, series, open_from, open_to, rebooking_deadline, area FROM ranked WHERE rn = 1
),
previous AS (SELECT sid, area FROM ranked WHERE rn = 2),
missed AS (
  SELECT l.sid, COUNT(s.id) AS missed, MAX(s.open_to) AS last_missed_open_to
  FROM latest l JOIN shows s ON s.series = l.series AND s.open_from > l.open_from AND s.open_to < :today
  GROUP BY l.sid
),
declined_app AS ({declined}),
survey AS (
  SELECT x.sid, x.satisfaction, x.nps FROM (
    SELECT sr.{column} AS sid, sr.satisfaction, sr.nps,
           ROW_NUMBER() OVER (PARTITION BY sr.{column} ORDER BY sr.submitted_at DESC, sr.id DESC) AS rn
    FROM survey_responses sr WHERE sr.{column} IS NOT NULL AND sr.submitted_at <= :at
  ) x WHERE x.rn = 1
),
compl AS (
  SELECT {column} AS sid, COUNT(*) AS open_n, SUM(CASE WHEN sla_due_at < :at THEN 1 ELSE 0 END) AS overdue_n
  FROM complaints WHERE {column} IS NOT NULL AND state = 'open' AND opened_at <= :at
  GROUP BY {column}
),
contact AS (
  SELECT {column} AS sid, MAX(occurred_at) AS last_at,
         SUM(CASE WHEN occurred_at >= :tone_since AND tone = 'positive' THEN 1 ELSE 0 END) AS pos,
         SUM(CASE WHEN occurred_at >= :tone_since AND tone = 'negative' THEN 1 ELSE 0 END) AS neg,
         SUM(CASE WHEN occurred_at >= :tone_since THEN 1 ELSE 0 END) AS toned
  FROM interactions WHERE {column} IS NOT NULL AND occurred_at <= :at
  GROUP BY {column}
),
risk AS (
  SELECT cs.{column} AS sid, cs.probability FROM churn_scores cs
  WHERE cs.{column} IS NOT NULL AND cs.model_id = (
    SELECT m.id FROM churn_models m WHERE m.kind = '{kind}' AND m.state = 'ready'
      AND m.version = (SELECT MAX(v.version) FROM churn_models v WHERE v.kind = '{kind}'))
),
base AS (
  SELECT subj.id AS sid, subj.owner_id, st.id AS state_id, st.stage AS prev_stage,
         st.stage_since_day AS prev_since_day, st.declined_at,
         COALESCE(agg.editions, 0) AS editions, COALESCE(agg.since_return, 0) AS since_return,
         agg.last_part_at, COALESCE(agg.spend, 0) AS spend,
         latest.show_id AS last_show_id, latest.area AS area_now, previous.area AS area_before,
         {rebooking} AS not_rebooked, latest.rebooking_deadline,
         COALESCE(missed.missed, 0) AS missed, missed.last_missed_open_to,
         declined_app.sid AS declined_sid,
         survey.satisfaction, survey.nps,
         COALESCE(compl.open_n, 0) AS open_n, COALESCE(compl.overdue_n, 0) AS overdue_n,
         risk.probability AS churn_probability,
         COALESCE(contact.pos, 0) AS pos, COALESCE(contact.neg, 0) AS neg, COALESCE(contact.toned, 0) AS toned,
         CASE WHEN contact.last_at IS NULL THEN agg.last_part_at
              WHEN agg.last_part_at IS NULL OR contact.last_at > agg.last_part_at THEN contact.last_at
              ELSE agg.last_part_at END AS last_contact_at
  FROM {table} subj
  LEFT JOIN lifecycle_states st ON st.{column} = subj.id
  LEFT JOIN agg ON agg.sid = subj.id
  LEFT JOIN latest ON latest.sid = subj.id
  LEFT JOIN previous ON previous.sid = subj.id
  LEFT JOIN missed ON missed.sid = subj.id
  LEFT JOIN declined_app ON declined_app.sid = subj.id
  LEFT JOIN survey ON survey.sid = subj.id
  LEFT JOIN compl ON compl.sid = subj.id
  LEFT JOIN contact ON contact.sid = subj.id
  LEFT JOIN risk ON risk.sid = subj.id
),
flags AS (
  SELECT base.*,
         COALESCE(satisfaction < :sat_min, FALSE) AS low_satisfaction,
         COALESCE(nps < :nps_min, FALSE) AS low_nps,
         COALESCE(area_now < area_before, FALSE) AS area_cut,
         COALESCE(last_contact_at < :contact_cutoff, FALSE) AS no_contact,
         (declined_sid IS NOT NULL OR COALESCE(declined_at > last_part_at, FALSE)) AS declined,
         COALESCE(churn_probability >= :churn_min, FALSE) AS churn_risk
  FROM base
),
decided AS (
  SELECT flags.*,
         CASE WHEN editions = 0 THEN 'prospect'
              WHEN declined THEN 'declined'
              WHEN missed >= :loss_missed THEN 'missed_editions'
              WHEN prev_stage = 'loss' AND missed >= 1 THEN 'still_lost'
              WHEN prev_stage = 'weakening' AND missed >= 1 AND last_missed_open_to >= prev_since_day THEN 'not_repaired'
              WHEN low_satisfaction OR low_nps OR area_cut OR not_rebooked OR no_contact
                   OR overdue_n > 0 OR missed >= 1 THEN 'warning'
              WHEN churn_risk THEN 'predicted'
              WHEN since_return >= :trust_editions THEN 'repeat'
              WHEN prev_stage = 'loss' THEN 'returned'
              ELSE 'first' END AS rule,
         CASE WHEN editions >= 3 THEN 100 ELSE editions * 35 END AS h_participation,
         CASE WHEN editions >= 2 AND missed = 0 THEN 100 WHEN editions >= 2 THEN 50
              WHEN editions = 1 AND missed = 0 THEN 30 ELSE 0 END AS h_repeat,
         CASE WHEN last_contact_at >= :recent30 THEN 100 WHEN last_contact_at >= :recent90 THEN 75
              WHEN last_contact_at >= :contact_cutoff THEN 40 ELSE 0 END AS h_recency,
         CASE WHEN satisfaction IS NULL THEN 60 ELSE CAST(ROUND((satisfaction - 1) * 25) AS INTEGER) END AS h_satisfaction,
         CASE WHEN nps IS NULL THEN 60 ELSE nps * 10 END AS h_nps,
         CASE WHEN 100 - 20 * open_n - 30 * overdue_n < 0 THEN 0 ELSE 100 - 20 * open_n - 30 * overdue_n END AS h_complaints,
         CASE WHEN toned = 0 THEN 50 ELSE 50 + (50 * (pos - neg)) / toned END AS h_tone
  FROM flags
),
scored AS (
  SELECT decided.*, {spend} AS h_spend FROM decided
)
SELECT '{kind}', sid, owner_id, state_id, state_id IS NULL, prev_stage,
       CASE rule WHEN 'prospect' THEN 'cultivation' WHEN 'first' THEN 'confirmation'
                 WHEN 'returned' THEN 'confirmation' WHEN 'repeat' THEN 'trust'
                 WHEN 'warning' THEN 'weakening' WHEN 'predicted' THEN 'weakening'
                 ELSE 'loss' END,
       rule, editions, since_return, missed, last_show_id, satisfaction, nps, overdue_n, open_n,
       area_before, area_now, rebooking_deadline, last_contact_at, churn_probability, churn_risk,
       no_contact, declined, low_satisfaction, low_nps, area_cut, not_rebooked,
       (:w100 * (h_participation + h_spend + h_repeat + h_recency)
        + (100 - :w100) * (h_satisfaction + h_nps + h_complaints + h_tone)) / 400,
       h_participation, h_spend, h_repeat, h_recency, h_satisfaction, h_nps, h_complaints, h_tone
FROM scored
"""

REBOOKING_SQL = "COALESCE(latest.open_to < :today AND latest.rebooking_deadline < :today, FALSE)"
SPEND_SQL = (
    "CASE WHEN spend >= :spend_ref THEN 100 WHEN spend <= 0 THEN 0"
    " ELSE CAST(ROUND(spend * 100 / :spend_ref) AS INTEGER) END"
)

# Filled by the signals query; external_warnings come afterwards from the registered sources.
EVAL_COLUMNS = [c.name for c in EVAL.columns if c.name != "external_warnings"]
SUBJECT_CASES = (
    "CASE WHEN kind = 'exhibitor' THEN subject_id END, CASE WHEN kind = 'visitor' THEN subject_id END,"
    " CASE WHEN kind = 'partner' THEN subject_id END"
)
_signals = ", ".join(SIGNAL_COLUMNS)
_health = ", ".join(HEALTH_COLUMNS)


def _statement(sql: str, **types) -> sa.TextClause:
    statement = sa.text(sql)
    binds = [sa.bindparam(name, type_=kind) for name, kind in types.items() if f":{name}" in sql]
    return statement.bindparams(*binds) if binds else statement


DATETIME_PARAMS = {
    name: UTCDateTime() for name in ("at", "tone_since", "contact_cutoff", "recent30", "recent90")
}
TYPES = DATETIME_PARAMS | {"today": sa.Date(), "due": sa.Date()}


def _params(at: datetime) -> dict:
    values = settings.current()
    no_contact_days = int(values["no_contact_days"])
    return {
        "at": at,
        "today": at.date(),
        "tone_since": at - timedelta(days=365),
        "contact_cutoff": at - timedelta(days=no_contact_days),
        "recent30": at - timedelta(days=min(30, no_contact_days)),
        "recent90": at - timedelta(days=min(90, no_contact_days)),
        "sat_min": float(values["satisfaction_min"]),
        "nps_min": int(values["nps_min"]),
        "loss_missed": int(values["loss_missed_editions"]),
        "trust_editions": int(values["trust_editions"]),
        "spend_ref": float(values["spend_reference"]),
        "w100": round(float(values["behaviour_weight"]) * 100),
        "values": values,
        "churn_min": float(values["churn_risk_min"]),
    }


def _run(connection: sa.Connection, sql: str, params: dict) -> int:
    used = {k: v for k, v in params.items() if f":{k}" in sql}
    return connection.execute(_statement(sql, **TYPES), used).rowcount


def compute(connection: sa.Connection, params: dict) -> None:
    """Fill the temporary table lc_eval with every relationship's signals, stage and health."""
    EVAL.drop(connection, checkfirst=True)
    EVAL.create(connection)
    insert_head = f"INSERT INTO lc_eval ({', '.join(EVAL_COLUMNS)}) "
    for kind in KINDS:
        sql = SIGNALS_SQL.format(
            participation=kind.participation,
            declined=kind.declined,
            column=kind.column,
            table=kind.table,
            kind=kind.kind,
            rebooking=REBOOKING_SQL if kind.has_rebooking else "FALSE",
            spend=SPEND_SQL if kind.has_spend else "h_participation",
        )
        _run(connection, insert_head + sql, params)
    _apply_external_warnings(connection, params)


def _apply_external_warnings(connection: sa.Connection, params: dict) -> None:
    """A relationship that would be confirmed or trusted is weakening when a registered source
    found a warning; the warnings are kept as its reasons."""
    rows = []
    for kind, sources in _warning_sources.items():
        merged: dict[int, list[dict]] = {}
        for source in sources:
            for subject_id, found in source(params["at"], params["values"]).items():
                merged.setdefault(subject_id, []).extend(
                    {"event": event, "params": event_params} for event, event_params in found
                )
        rows += [{"kind": kind, "subject_id": k, "warnings": v} for k, v in merged.items() if v]
    if not rows:
        return
    EXTERNAL.drop(connection, checkfirst=True)
    EXTERNAL.create(connection)
    connection.execute(EXTERNAL.insert(), rows)
    match = "x.kind = lc_eval.kind AND x.subject_id = lc_eval.subject_id"
    connection.execute(
        sa.text(f"""
        UPDATE lc_eval SET
            external_warnings = (SELECT x.warnings FROM lc_external x WHERE {match}),
            stage = CASE WHEN rule IN ('first', 'returned', 'repeat') THEN 'weakening' ELSE stage END,
            rule = CASE WHEN rule IN ('first', 'returned', 'repeat') THEN 'warning' ELSE rule END
        WHERE EXISTS (SELECT 1 FROM lc_external x WHERE {match})""")
    )
    EXTERNAL.drop(connection)


def evaluate(at: datetime) -> int:
    """Evaluate every relationship at `at`, in the current transaction. Returns the stage changes."""
    connection = db.session.connection()
    params = _params(at) | {
        # Alerts and tasks of customers nobody owns: the least-loaded of the sales team.
        "fallback_owner": least_loaded_owner(TaskKind.retention),
        "due": (at + timedelta(days=7)).date(),
    }
    compute(connection, params)
    # New relationships: a state row each.
    _run(
        connection,
        f"""
        INSERT INTO lifecycle_states (kind, company_id, visitor_id, partner_id, stage, stage_since, stage_since_day,
            evaluated_at, lost_at, declined_note, {_signals}, {_health})
        SELECT kind, {SUBJECT_CASES}, stage, :at, :today, :at, CASE WHEN stage = 'loss' THEN :at END, '',
            {_signals}, {_health}
        FROM lc_eval WHERE is_new""",
        params,
    )
    for kind in KINDS:
        _run(
            connection,
            f"""
            UPDATE lc_eval SET state_id = (SELECT st.id FROM lifecycle_states st WHERE st.{kind.column} = lc_eval.subject_id)
            WHERE is_new AND kind = '{kind.kind}'""",
            params,
        )
    changes = _run(
        connection,
        f"""
        INSERT INTO lifecycle_transitions (state_id, company_id, visitor_id, partner_id, from_stage, to_stage, at,
            health, {_signals})
        SELECT e.state_id, {SUBJECT_CASES.replace("kind", "e.kind").replace("subject_id", "e.subject_id")},
            e.prev_stage, e.stage, :at, e.health, {", ".join("e." + c for c in SIGNAL_COLUMNS)}
        FROM lc_eval e WHERE e.is_new OR e.prev_stage <> e.stage""",
        params,
    )
    updates = ", ".join(f"{c} = e.{c}" for c in SIGNAL_COLUMNS + HEALTH_COLUMNS)
    _run(
        connection,
        f"""
        UPDATE lifecycle_states SET
            stage_since = CASE WHEN e.prev_stage <> e.stage THEN :at ELSE lifecycle_states.stage_since END,
            stage_since_day = CASE WHEN e.prev_stage <> e.stage THEN :today ELSE lifecycle_states.stage_since_day END,
            lost_at = CASE WHEN e.stage = 'loss' AND e.prev_stage <> 'loss' THEN :at ELSE lifecycle_states.lost_at END,
            stage = e.stage, evaluated_at = :at, {updates}
        FROM lc_eval e WHERE e.state_id = lifecycle_states.id AND NOT e.is_new""",
        params,
    )
    raised = _raise_alerts(connection, params)
    closed = sync_alert_outcomes(connection)
    EVAL.drop(connection)
    if changes or raised or closed:
        audit.record(
            "lifecycle.evaluate",
            entity_type="lifecycle",
            entity_id=at.date().isoformat(),
            after={
                "at": at.isoformat(),
                "transitions": changes,
                "alerts": raised,
                "alerts_closed": closed,
            },
        )
    return changes


def _raise_alerts(connection: sa.Connection, params: dict) -> int:
    """Entering weakening or loss: an alert for the owner and a follow-up task, each made once."""
    raised = _run(
        connection,
        """
        INSERT INTO alerts (transition_id, company_id, visitor_id, partner_id, stage, state, owner_id, raised_at,
            outcome, source_key)
        SELECT t.id, t.company_id, t.visitor_id, t.partner_id, t.to_stage, 'open', COALESCE(e.owner_id, :fallback_owner),
            :at, '', 'lifecycle:' || t.to_stage || ':' || e.kind || ':' || e.subject_id || ':' || t.id
        FROM lifecycle_transitions t JOIN lc_eval e ON e.state_id = t.state_id
        WHERE t.at = :at AND t.to_stage IN ('weakening', 'loss')
          AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.transition_id = t.id)""",
        params,
    )
    if not raised:
        return 0
    # The task stores its event kind and the customer's name in both languages; the title is
    # rendered when read.
    json_object = "json_build_object" if connection.dialect.name == "postgresql" else "json_object"
    _run(
        connection,
        f"""
        INSERT INTO tasks (title, description, event, params, kind, state, owner_id, due_date, company_id,
            visitor_id, partner_id, source_key, outcome, created_at, updated_at)
        SELECT '', '', CASE a.stage WHEN 'weakening' THEN '{RETENTION_TASK}' ELSE '{WIN_BACK_TASK}' END,
            {json_object}('name', {json_object}(
                'zh', COALESCE(NULLIF(c.name_zh, ''), v.name, NULLIF(p.name_zh, ''), ''),
                'en', COALESCE(NULLIF(c.name_en, ''), v.name, NULLIF(p.name_en, ''), ''))),
            CASE a.stage WHEN 'weakening' THEN 'retention' ELSE 'win_back' END, 'open', a.owner_id, :due,
            a.company_id, a.visitor_id, a.partner_id, a.source_key, '', :at, :at
        FROM alerts a
        LEFT JOIN companies c ON c.id = a.company_id
        LEFT JOIN visitors v ON v.id = a.visitor_id
        LEFT JOIN partners p ON p.id = a.partner_id
        WHERE a.task_id IS NULL AND a.raised_at = :at
          AND NOT EXISTS (SELECT 1 FROM tasks x WHERE x.source_key = a.source_key)""",
        params,
    )
    _run(
        connection,
        """
        UPDATE alerts SET task_id = (SELECT t.id FROM tasks t WHERE t.source_key = alerts.source_key)
        WHERE task_id IS NULL AND raised_at = :at""",
        params,
    )
    return raised


def sync_alert_outcomes(connection: sa.Connection | None = None) -> int:
    """An alert closes with the outcome of its task once staff complete or cancel that task."""
    connection = connection or db.session.connection()
    return connection.execute(
        sa.text("""
        UPDATE alerts SET state = 'closed', closed_at = t.completed_at, outcome = t.outcome
        FROM tasks t WHERE t.id = alerts.task_id AND alerts.state = 'open' AND t.state <> 'open'
          AND t.completed_at IS NOT NULL""")
    ).rowcount
