"""Loyalty edition by edition (篇6): per held edition and audience the repeat participants,
retention and churn (保持率, 流失率), up-selling (增加销售), cross-selling (交叉销售), satisfaction and
referrals; and retention per segment. The nightly value run computes them set-based, a few
INSERT … SELECT over the value sources' queries, and stores them in edition_loyalty and
edition_retention; the loyalty page and its export read the stored rows.

An edition is held once it has closed (open_to before the run's day) and is compared with the
held edition before it in its series: retention = those of the previous edition who came back /
those of the previous edition; churn = 1 − retention. Exhibitors are segmented by company size,
visitors by their registration category at the previous edition; a segment is stored as its
code and labelled in the reader's language when shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from expo_crm import charts
from expo_crm.db import UTCDateTime, db
from expo_crm.relationships import subjects
from expo_crm.relationships.models import EditionAudience, EditionLoyalty, EditionRetention
from expo_crm.relationships.value import _source
from expo_crm.shows.models import Show
from expo_crm.subjects import SubjectKind

# Serialises two runs on PostgreSQL, so the second replaces the first's rows (SQLite: writers
# already take the database lock when they begin).
LOCK_KEY = 7311021
UNKNOWN_SEGMENT = "?"


def _editions(today: date) -> sa.Subquery:
    """Every held edition and the held edition before it in its series (None: the first)."""
    previous = sa.func.lag(Show.id).over(
        partition_by=Show.series, order_by=(Show.open_from, Show.id)
    )
    return (
        sa.select(Show.id.label("show_id"), previous.label("previous_id"))
        .where(Show.open_to < today)
        .subquery("editions")
    )


def _members(audience: EditionAudience, name: str) -> sa.Subquery:
    """(show_id, member, segment, area) once per participant of an edition; area is the booth
    area (exhibitors) and 0 for visitors."""
    if audience is EditionAudience.exhibitors:
        signed = _source("participation_query")().subquery(f"{name}_signed")
        sizes = _source("company_size_query")().subquery(f"{name}_sizes")
        query = (
            sa.select(
                signed.c.show_id,
                signed.c.company_id.label("member"),
                sa.func.max(sizes.c.segment).label("segment"),
                sa.func.sum(sa.func.coalesce(signed.c.area, 0)).label("area"),
            )
            .select_from(signed)
            .join(sizes, sizes.c.company_id == signed.c.company_id)
            .group_by(signed.c.show_id, signed.c.company_id)
        )
    else:
        came = _source("attendance_query")().subquery(f"{name}_came")
        query = sa.select(
            came.c.show_id,
            came.c.visitor_id.label("member"),
            sa.func.coalesce(sa.func.min(came.c.segment), UNKNOWN_SEGMENT).label("segment"),
            sa.literal(0).label("area"),
        ).group_by(came.c.show_id, came.c.visitor_id)
    return query.subquery(name)


def _returns(editions: sa.Subquery, audience: EditionAudience) -> sa.Subquery:
    """One row per participant of each edition's previous edition: its segment there, whether it
    came back, and whether with a larger booth."""
    before, now = _members(audience, "before"), _members(audience, "now")
    came_back = now.c.member.is_not(None)
    return (
        sa.select(
            editions.c.show_id,
            before.c.segment,
            sa.case((came_back, 1), else_=0).label("kept"),
            sa.case((sa.and_(came_back, now.c.area > before.c.area), 1), else_=0).label("larger"),
        )
        .select_from(editions)
        .join(before, before.c.show_id == editions.c.previous_id)
        .outerjoin(
            now, sa.and_(now.c.show_id == editions.c.show_id, now.c.member == before.c.member)
        )
        .subquery("returns")
    )


def _share(part, whole) -> sa.ColumnElement:
    """part / whole as a fraction (None when whole is 0), on both databases."""
    return sa.case((whole > 0, (part * sa.literal(1.0, sa.Float)) / whole))


def _survey(audience: EditionAudience) -> sa.Subquery:
    answers = _source("survey_query")().subquery("answers")
    who = answers.c.company_id if audience is EditionAudience.exhibitors else answers.c.visitor_id
    return (
        sa.select(
            answers.c.show_id,
            sa.func.avg(answers.c.satisfaction).label("satisfaction"),
            sa.func.avg(answers.c.nps).label("nps"),
            sa.func.count().label("answers"),
        )
        .where(who.is_not(None))
        .group_by(answers.c.show_id)
        .subquery("survey")
    )


def _loyalty_rows(today: date, at: datetime, audience: EditionAudience) -> sa.Select:
    editions = _editions(today)
    returns = _returns(editions, audience)
    kept = (
        sa.select(
            returns.c.show_id,
            sa.func.count().label("previous_participants"),
            sa.func.sum(returns.c.kept).label("repeat"),
            sa.func.sum(returns.c.larger).label("up_selling"),
        )
        .group_by(returns.c.show_id)
        .subquery("kept")
    )
    members = _members(audience, "members")
    taking_part = (
        sa.select(members.c.show_id, sa.func.count().label("participants"))
        .group_by(members.c.show_id)
        .subquery("taking_part")
    )
    survey = _survey(audience)
    first = editions.c.previous_id.is_(None)
    previous_participants = sa.case(
        (first, None), else_=sa.func.coalesce(kept.c.previous_participants, 0)
    )
    repeat = sa.func.coalesce(kept.c.repeat, 0)
    columns = {
        "show_id": editions.c.show_id,
        "audience": sa.literal(audience.value, sa.String),
        "previous_show_id": editions.c.previous_id,
        "computed_at": sa.literal(at, UTCDateTime()),
        "participants": sa.func.coalesce(taking_part.c.participants, 0),
        "previous_participants": previous_participants,
        "repeat": repeat,
        "retention": _share(repeat, previous_participants),
        "satisfaction": survey.c.satisfaction,
        "nps": survey.c.nps,
        "answers": sa.func.coalesce(survey.c.answers, 0),
    }
    joined = (
        editions.outerjoin(kept, kept.c.show_id == editions.c.show_id)
        .outerjoin(taking_part, taking_part.c.show_id == editions.c.show_id)
        .outerjoin(survey, survey.c.show_id == editions.c.show_id)
    )
    if audience is EditionAudience.exhibitors:
        ordered = _source("service_order_query")().subquery("ordered")
        orders = (
            sa.select(
                ordered.c.show_id,
                sa.func.count().label("orders"),
                sa.func.count(sa.distinct(ordered.c.company_id)).label("ordering"),
                sa.func.sum(ordered.c.amount).label("amount"),
            )
            .group_by(ordered.c.show_id)
            .subquery("orders")
        )
        joined = joined.outerjoin(orders, orders.c.show_id == editions.c.show_id)
        columns |= {
            "up_selling": sa.func.coalesce(kept.c.up_selling, 0),
            "cross_selling": sa.func.coalesce(orders.c.ordering, 0),
            "orders": sa.func.coalesce(orders.c.orders, 0),
            "order_amount": sa.func.coalesce(orders.c.amount, 0),
        }
    else:
        referred = _source("referral_query")().subquery("referred")
        referrals = (
            sa.select(referred.c.show_id, sa.func.count().label("referrals"))
            .group_by(referred.c.show_id)
            .subquery("referrals")
        )
        joined = joined.outerjoin(referrals, referrals.c.show_id == editions.c.show_id)
        columns["referrals"] = sa.func.coalesce(referrals.c.referrals, 0)
    return sa.select(*(c.label(name) for name, c in columns.items())).select_from(joined)


def _segment_rows(today: date, at: datetime, audience: EditionAudience) -> sa.Select:
    returns = _returns(_editions(today), audience)
    base, repeat = sa.func.count(), sa.func.sum(returns.c.kept)
    return sa.select(
        returns.c.show_id,
        sa.literal(audience.value, sa.String).label("audience"),
        returns.c.segment,
        sa.literal(at, UTCDateTime()).label("computed_at"),
        base.label("previous_participants"),
        repeat.label("repeat"),
        ((repeat * sa.literal(1.0, sa.Float)) / base).label("retention"),
    ).group_by(returns.c.show_id, returns.c.segment)


def store(at: datetime) -> int:
    """Replace the stored loyalty per edition with the figures at `at`, in the current
    transaction; returns how many edition rows were stored. Idempotent: a re-run replaces."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_KEY)))
    connection.execute(sa.delete(EditionRetention))
    connection.execute(sa.delete(EditionLoyalty))
    today, stored = at.date(), 0
    for audience in EditionAudience:
        rows = _loyalty_rows(today, at, audience)
        names = [column.name for column in rows.selected_columns]
        stored += connection.execute(sa.insert(EditionLoyalty).from_select(names, rows)).rowcount
        rows = _segment_rows(today, at, audience)
        names = [column.name for column in rows.selected_columns]
        connection.execute(sa.insert(EditionRetention).from_select(names, rows))
    return stored


# --- reading what the nightly run stored ----------------------------------------------------


@dataclass
class Edition:
    """One held edition's stored loyalty, its exhibitors' and its visitors'."""

    show: Show
    exhibitors: EditionLoyalty | None
    visitors: EditionLoyalty | None


def computed_at() -> datetime | None:
    """When the figures per edition were computed (None: not yet)."""
    return db.session.scalar(sa.select(sa.func.max(EditionLoyalty.computed_at)))


def editions() -> list[Edition]:
    """The stored editions in the order they were held."""
    found: dict[int, Edition] = {}
    for row, show in db.session.execute(
        sa.select(EditionLoyalty, Show)
        .join(Show, Show.id == EditionLoyalty.show_id)
        .order_by(Show.open_from, Show.id)
    ):
        edition = found.setdefault(show.id, Edition(show, None, None))
        setattr(edition, row.audience.value, row)
    return list(found.values())


def segment_label(audience: EditionAudience, segment: str) -> str:
    """A stored segment code in the reader's language."""
    if segment == UNKNOWN_SEGMENT:
        return _("unknown")
    if audience is EditionAudience.exhibitors:
        return subjects.segment_label(SubjectKind.exhibitor, segment)
    return _source("registration_categories")().get(segment, segment)


@dataclass
class SegmentRetention:
    show: Show
    audience: EditionAudience
    segment: str  # the label, in the reader's language
    row: EditionRetention


def segments() -> list[SegmentRetention]:
    """The stored retention per edition, audience and segment."""
    return [
        SegmentRetention(show, row.audience, segment_label(row.audience, row.segment), row)
        for row, show in db.session.execute(
            sa.select(EditionRetention, Show)
            .join(Show, Show.id == EditionRetention.show_id)
            .order_by(Show.open_from, Show.id, EditionRetention.audience, EditionRetention.segment)
        )
    ]


def _percent(rate) -> float | None:
    return None if rate is None else round(float(rate) * 100, 1)


def retention_chart(held: list[Edition]) -> dict:
    """Exhibitor and visitor retention (%) over the editions that had one before them."""
    compared = [e for e in held if e.exhibitors and e.exhibitors.previous_show_id is not None]
    return charts.series_chart(
        "line",
        _("Retention over the editions"),
        [edition.show.name for edition in compared],
        [
            (_("Exhibitor retention (%)"), [_percent(e.exhibitors.retention) for e in compared]),
            (
                _("Visitor retention (%)"),
                [_percent(e.visitors.retention) if e.visitors else None for e in compared],
            ),
        ],
        category_name=_("Show"),
        value_name=_("Retention rate (%)"),
    )
