"""Why customers leave and who comes back (流失原因, 顾客赢取率, 顾客获利率).

- the reasons: an editable list (zh/en) staff pick from when a customer declines or is lost;
- the churn-reason report: per edition the customer left, how many gave each reason;
- the win-back rate 顾客赢取率 per edition and segment: of the customers who were lost when the
  edition opened (their last life-cycle stage before it was loss), the share who took part in it;
- profitability 顾客获利率 per segment (and per customer): profit over revenue, both from the
  nightly customer values (profit after the cost to serve; revenue what the customer paid).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm import audit, clock
from expo_crm.db import db
from expo_crm.errors import UserError
from expo_crm.relationships import value as values
from expo_crm.relationships.models import (
    ChurnOutcome,
    ChurnReason,
    ChurnRecord,
    CustomerValueState,
    LifecycleStage,
    RelationshipState,
    StageTransition,
)
from expo_crm.shows.models import Show
from expo_crm.subjects import SUBJECT_COLUMNS, SubjectKind


class ChurnError(UserError):
    """A reason list edit or a churn record staff may not make."""


# --- the reasons ----------------------------------------------------------------------------


def reasons(include_inactive: bool = False) -> list[ChurnReason]:
    query = sa.select(ChurnReason).order_by(ChurnReason.position, ChurnReason.id)
    if not include_inactive:
        query = query.where(ChurnReason.active.is_(True))
    return list(db.session.scalars(query))


def save_reason(
    reason: ChurnReason | None,
    *,
    code: str,
    label_zh: str,
    label_en: str,
    active: bool = True,
    position: int = 0,
    staff_id: int | None = None,
) -> ChurnReason:
    """Add a reason (reason None) or change one. A reason in use is retired, never deleted."""
    code = (code or "").strip().lower()
    label_zh, label_en = (label_zh or "").strip(), (label_en or "").strip()
    if not code or not label_zh or not label_en:
        raise ChurnError(str(_l("A reason needs a code and a label in Chinese and English.")))
    taken = db.session.scalar(
        sa.select(ChurnReason.id).where(
            ChurnReason.code == code, ChurnReason.id != (reason.id if reason else -1)
        )
    )
    if taken:
        raise ChurnError(str(_l("The code %(code)s is already used.", code=code)))
    before = None
    if reason is None:
        reason = ChurnReason()
        db.session.add(reason)
    else:
        before = {"code": reason.code, "zh": reason.label_zh, "en": reason.label_en}
    reason.code, reason.label_zh, reason.label_en = code, label_zh, label_en
    reason.active, reason.position = bool(active), int(position or 0)
    db.session.flush()
    audit.record(
        "churn.reason",
        reason,
        before=before,
        after={"code": code, "zh": label_zh, "en": label_en, "active": reason.active},
    )
    return reason


def active_reason(reason_id: int | None) -> ChurnReason:
    reason = db.session.get(ChurnReason, reason_id) if reason_id else None
    if reason is None or not reason.active:
        raise ChurnError(str(_l("Choose why the customer left.")))
    return reason


def edition_left(kind: SubjectKind | str, subject_id: int) -> int | None:
    """The edition the customer is not coming to: the next one of the series after its latest
    participation (or the next one to open, for a customer who never took part)."""
    column = getattr(RelationshipState, SUBJECT_COLUMNS[SubjectKind(kind)])
    last = db.session.scalar(
        sa.select(Show)
        .join(RelationshipState, RelationshipState.last_show_id == Show.id)
        .where(column == subject_id)
    )
    query = sa.select(Show.id).order_by(Show.open_from, Show.id).limit(1)
    if last is not None:
        query = query.where(Show.series == last.series, Show.open_from > last.open_from)
    else:
        query = query.where(Show.open_from >= clock.now().date())
    return db.session.scalar(query)


def record(
    kind: SubjectKind | str,
    subject_id: int,
    *,
    reason_id: int | None,
    outcome: ChurnOutcome | str,
    note: str = "",
    staff_id: int | None = None,
    show_id: int | None = None,
) -> ChurnRecord:
    """Why the customer declined or was lost, as staff heard it."""
    reason = active_reason(reason_id)
    kind = SubjectKind(kind)
    entry = ChurnRecord(
        reason_id=reason.id,
        outcome=ChurnOutcome(outcome),
        recorded_at=clock.now(),
        note=(note or "").strip(),
        staff_id=staff_id,
        show_id=show_id if show_id is not None else edition_left(kind, subject_id),
    )
    setattr(entry, SUBJECT_COLUMNS[kind], subject_id)
    db.session.add(entry)
    db.session.flush()
    audit.record("churn.record", entry, after={"reason": reason.code, "outcome": str(outcome)})
    return entry


# --- reports --------------------------------------------------------------------------------


@dataclass
class ReasonCount:
    reason: ChurnReason
    declined: int = 0
    lost: int = 0

    @property
    def total(self) -> int:
        return self.declined + self.lost


def report_by_edition() -> list[tuple[Show | None, list[ReasonCount]]]:
    """Per edition left (latest first, records without one last): the count of each reason."""
    rows = db.session.execute(
        sa.select(
            ChurnRecord.show_id, ChurnRecord.reason_id, ChurnRecord.outcome, sa.func.count()
        ).group_by(ChurnRecord.show_id, ChurnRecord.reason_id, ChurnRecord.outcome)
    ).all()
    by_show: dict[int | None, dict[int, ReasonCount]] = defaultdict(dict)
    known = {r.id: r for r in reasons(include_inactive=True)}
    for show_id, reason_id, outcome, n in rows:
        count = by_show[show_id].setdefault(reason_id, ReasonCount(known[reason_id]))
        setattr(count, ChurnOutcome(outcome).value, n)
    shows = {
        s.id: s
        for s in db.session.scalars(
            sa.select(Show).where(Show.id.in_([i for i in by_show if i is not None]))
        )
    }
    ordered = sorted(
        by_show, key=lambda i: (i is None, -(shows[i].open_from.toordinal()) if i else 0)
    )
    return [
        (
            shows.get(show_id),
            sorted(by_show[show_id].values(), key=lambda c: (-c.total, c.reason.position)),
        )
        for show_id in ordered
    ]


def _segments() -> dict[tuple[str, int], str]:
    rows = db.session.execute(
        sa.select(
            CustomerValueState.kind,
            CustomerValueState.company_id,
            CustomerValueState.visitor_id,
            CustomerValueState.partner_id,
            CustomerValueState.segment,
        )
    ).all()
    return {
        (kind.value, company or visitor or partner): segment
        for kind, company, visitor, partner, segment in rows
    }


def _participants() -> dict[str, dict[int, set[int]]]:
    """Who took part in each show, per kind: exhibitors by signed contract, visitors by entry."""
    taken: dict[str, dict[int, set[int]]] = {
        "exhibitor": defaultdict(set),
        "visitor": defaultdict(set),
    }
    for row in values.participations():
        taken["exhibitor"][row.show_id].add(row.company_id)
    for visitor_id, show_id, _category in values._source("checked_in_visitors")():
        taken["visitor"][show_id].add(visitor_id)
    return taken


def win_back(today: date | None = None) -> list[dict]:
    """顾客赢取率 per held edition, kind and segment: lost when the edition opened → took part."""
    today = today or clock.now().date()
    history: dict[tuple[str, int], list[tuple[datetime, LifecycleStage]]] = defaultdict(list)
    for transition in db.session.scalars(
        sa.select(StageTransition).order_by(StageTransition.at, StageTransition.id)
    ):
        if transition.subject_kind is not None:
            history[(transition.subject_kind.value, transition.subject_id)].append(
                (transition.at, transition.to_stage)
            )
    segments = _segments()
    taken = _participants()
    rows = []
    for show in db.session.scalars(
        sa.select(Show).where(Show.open_to < today).order_by(Show.open_from, Show.id)
    ):
        opened = datetime.combine(show.open_from, time(), UTC)
        groups: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for (kind, sid), steps in history.items():
            if kind not in taken:
                continue
            before = [stage for at, stage in steps if at < opened]
            if before and before[-1] is LifecycleStage.loss:
                group = groups[(kind, segments.get((kind, sid), ""))]
                group[0] += 1
                group[1] += sid in taken[kind].get(show.id, set())
        for (kind, segment), (lost, back) in sorted(groups.items()):
            rows.append(
                {
                    "show": show,
                    "kind": SubjectKind(kind),
                    "segment": segment,
                    "lost": lost,
                    "back": back,
                    "rate": back / lost,
                }
            )
    return rows


def profitability_of(row: CustomerValueState) -> float | None:
    """顾客获利率 of one customer: its profit (after the cost to serve) over its revenue."""
    revenue = row.revenue_historical + row.revenue_current
    return float((row.historical + row.current) / revenue) if revenue else None


def profitability() -> list[dict]:
    """顾客获利率 per kind and segment: the segment's profit over its revenue. Visitors and
    partners pay nothing themselves: their profit is shown, the rate is none."""
    rows = db.session.execute(
        sa.select(
            CustomerValueState.kind,
            CustomerValueState.segment,
            sa.func.count(),
            sa.func.sum(CustomerValueState.historical + CustomerValueState.current),
            sa.func.sum(CustomerValueState.revenue_historical + CustomerValueState.revenue_current),
        )
        .group_by(CustomerValueState.kind, CustomerValueState.segment)
        .order_by(CustomerValueState.kind, CustomerValueState.segment)
    ).all()
    return [
        {
            "kind": kind,
            "segment": segment,
            "customers": n,
            "profit": Decimal(profit or 0),
            "revenue": Decimal(revenue or 0),
            "rate": float(Decimal(profit or 0) / Decimal(revenue)) if revenue else None,
        }
        for kind, segment, n, profit, revenue in rows
    ]
