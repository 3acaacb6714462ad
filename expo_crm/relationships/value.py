"""Customer value (客户价值): historical, current and potential value, CLV, word-of-mouth value,
the value pyramid, and the loyalty measures of the seeds (重复购买, 保持率, 流失率, 交叉销售,
增加销售, 满意度, 推荐)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm import clock
from expo_crm.db import db
from expo_crm.relationships import settings, subjects
from expo_crm.relationships.models import CustomerValueState, ValueRun, ValueTier
from expo_crm.shows.models import Show
from expo_crm.subjects import SUBJECT_COLUMNS, SubjectKind

# What value is computed from, each fact given by the package that owns it (registered from
# its services): name -> function returning rows.
#   participations      (company_id, show_id, series, open_from, area, amount) per signed contract
#   company_names       {company_id: display name}
#   company_sizes       {company_id: size label}
#   service_orders      (company_id, show_id, orders, amount) of orders not cancelled
#   checked_in_visitors (visitor_id, show_id, category label) per registration that came
#   referrals_by_show   {show_id: registrations made through a referral code}
#   referral_reach      (partner_id, name_zh, name_en, registrations, came) per partner
#   survey_scores       (show_id, average satisfaction, average NPS, answers) per show
#   visitor_meetings    (visitor_id, show_id, meetings held) per trade visitor and edition
_sources: dict[str, Callable] = {}


def value_source(name: str) -> Callable:
    def register(fn: Callable) -> Callable:
        _sources[name] = fn
        return fn

    return register


def _source(name: str) -> Callable:
    if name not in _sources:
        raise LookupError(f"no value source {name!r} is registered")
    return _sources[name]


def clv(m: float | Decimal, r: float | Decimal, i: float | Decimal) -> float:
    """Customer lifetime value CLV = m·r / (1 + i − r): m margin per edition, r retention rate,
    i discount rate. Rounded to 2 places."""
    m, r, i = float(m), float(r), float(i)
    if not 0 <= r < 1 + i:
        raise ValueError("the retention rate must lie in [0, 1 + i)")
    return round(m * r / (1 + i - r), 2)


def word_of_mouth(
    influence: float | Decimal, reach: float | Decimal, avg_purchase: float | Decimal
) -> float:
    """Word-of-mouth value 口碑价值 = influence × reach × average purchase of those reached."""
    return round(float(influence) * float(reach) * float(avg_purchase), 2)


@dataclass
class CustomerValue:
    """One customer's row of the pyramid page, as the nightly computation stored it."""

    subject_id: int
    name: str
    historical: Decimal
    current: Decimal
    editions: int
    margin_per_edition: Decimal
    potential: Decimal
    word_of_mouth: Decimal
    tier: ValueTier

    @property
    def total(self) -> Decimal:
        return self.historical + self.current


@dataclass
class Pyramid:
    """The value pyramid of one kind of customer, read from the nightly `customer_values`."""

    customers: list[CustomerValue]
    count: int
    retention_rate: float | None  # the average r behind the customers' CLV
    retention_fixed: bool  # set by an administrator rather than measured per segment
    computed_at: datetime | None
    tiers: dict[ValueTier, dict] = field(default_factory=dict)


def participations():
    """(company_id, show_id, series, open_from, area, amount) of every signed contract."""
    return _source("participations")()


def service_orders():
    """(company_id, show_id, orders, amount) of the service orders not cancelled."""
    return _source("service_orders")()


def stored_pyramid(kind: SubjectKind = SubjectKind.exhibitor, top: int | None = 50) -> Pyramid:
    """The pyramid as SQL aggregates of the stored values: customers and value per tier (value =
    historical + current profit), their shares, and the `top` customers by value (all: None)."""
    cv = CustomerValueState
    total = cv.historical + cv.current
    per_tier = {
        tier: (customers, value or Decimal(0))
        for tier, customers, value in db.session.execute(
            sa.select(cv.tier, sa.func.count(cv.id), sa.func.sum(total))
            .where(cv.kind == kind)
            .group_by(cv.tier)
        )
    }
    count, grand, retention = db.session.execute(
        sa.select(
            sa.func.count(cv.id),
            sa.func.sum(sa.case((total > 0, total), else_=0)),
            sa.func.avg(cv.retention),
        ).where(cv.kind == kind)
    ).one()
    grand = Decimal(grand or 0)
    tiers = {}
    for tier in ValueTier:
        customers, value = per_tier.get(tier, (0, Decimal(0)))
        tiers[tier] = {
            "label": tier.label,
            "customers": customers,
            "value": value,
            "customer_share": customers / count if count else 0.0,
            "value_share": float(value / grand) if grand else 0.0,
        }
    model = subjects.model_of(kind)
    rows = db.session.execute(
        sa.select(
            getattr(cv, SUBJECT_COLUMNS[kind]),
            cv.historical,
            cv.current,
            cv.editions + cv.current_editions,
            cv.margin_per_edition,
            cv.potential,
            cv.word_of_mouth,
            cv.tier,
        )
        .where(cv.kind == kind)
        .order_by(total.desc(), getattr(cv, SUBJECT_COLUMNS[kind]))
        .limit(top)
    ).all()
    names = {
        subject.id: subjects.display_name(subject)
        for subject in db.session.scalars(
            sa.select(model).where(model.id.in_([row[0] for row in rows]))
        )
    }
    customers = [CustomerValue(row[0], names.get(row[0], ""), *row[1:]) for row in rows]
    return Pyramid(
        customers,
        count,
        float(retention) if retention is not None else None,
        settings.current()["retention_rate"] is not None,
        last_computed_at() if count else None,
        tiers,
    )


def last_computed_at() -> datetime | None:
    """When the nightly run last computed the values (a stored row changes only when its
    values do, so its own computed_at may be older)."""
    return db.session.scalar(sa.select(sa.func.max(ValueRun.ran_at)))


def partner_word_of_mouth() -> list[dict]:
    """Per partner: registrations through its referral codes (reach), the share who came (influence)."""
    avg = settings.current()["visitor_value"]
    rows = _source("referral_reach")()
    result = []
    for partner_id, name_zh, name_en, reach, came in rows:
        influence = came / reach if reach else 0
        result.append(
            {
                "partner_id": partner_id,
                "name": name_zh or name_en,
                "reach": reach,
                "came": came,
                "influence": influence,
                "value": word_of_mouth(influence, reach, avg),
            }
        )
    return result


def loyalty_by_show(today: date | None = None) -> list[dict]:
    """Per held edition: exhibitors, repeat, retention/churn, cross- and up-selling, satisfaction,
    referrals, and the same for visitors."""
    today = today or clock.now().date()
    exhibitors: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in participations():
        exhibitors[row.show_id][row.company_id] = row.area or Decimal(0)
    visitors: dict[int, set[int]] = defaultdict(set)
    for visitor_id, show_id, _category in _source("checked_in_visitors")():
        visitors[show_id].add(visitor_id)
    orders: dict[int, list] = {}
    for company_id, show_id, n, amount in _source("service_orders")():
        count, companies, total = orders.setdefault(show_id, [0, set(), Decimal(0)])
        orders[show_id][0] = count + n
        companies.add(company_id)
        orders[show_id][2] = total + (amount or 0)
    orders = {
        show_id: (n, len(companies), total) for show_id, (n, companies, total) in orders.items()
    }
    surveys = {show_id: (sat, nps, n) for show_id, sat, nps, n in _source("survey_scores")()}
    referrals = _source("referrals_by_show")()
    result = []
    previous: dict[str, int] = {}
    for show in db.session.scalars(
        sa.select(Show).where(Show.open_to < today).order_by(Show.open_from)
    ):
        now_ex = exhibitors.get(show.id, {})
        prev_id = previous.get(show.series)
        before_ex = exhibitors.get(prev_id, {}) if prev_id else {}
        repeat = set(now_ex) & set(before_ex)
        up = sum(1 for c in repeat if now_ex[c] > before_ex[c])
        now_vi, before_vi = (
            visitors.get(show.id, set()),
            visitors.get(prev_id, set()) if prev_id else set(),
        )
        n_orders, ordering, order_amount = orders.get(show.id, (0, 0, 0))
        sat, nps, answers = surveys.get(show.id, (None, None, 0))
        retention = len(repeat) / len(before_ex) if before_ex else None
        v_retention = len(now_vi & before_vi) / len(before_vi) if before_vi else None
        result.append(
            {
                "show": show,
                "exhibitors": len(now_ex),
                "repeat": len(repeat),
                "retention": retention,
                "churn": None if retention is None else 1 - retention,
                "up_selling": up,
                "cross_selling": ordering,
                "orders": n_orders,
                "order_amount": order_amount or 0,
                "satisfaction": float(sat) if sat is not None else None,
                "nps": float(nps) if nps is not None else None,
                "answers": answers,
                "referrals": referrals.get(show.id, 0),
                "visitors": len(now_vi),
                "returning_visitors": len(now_vi & before_vi),
                "visitor_retention": v_retention,
                "visitor_churn": None if v_retention is None else 1 - v_retention,
            }
        )
        previous[show.series] = show.id
    return result


def retention_by_segment(today: date | None = None) -> list[dict]:
    """Retention and churn per held edition and segment: exhibitors by company size, visitors by category."""
    today = today or clock.now().date()
    sizes = _source("company_sizes")()
    ex: dict[int, set[int]] = defaultdict(set)
    for row in participations():
        ex[row.show_id].add(row.company_id)
    vi: dict[int, dict[int, str]] = defaultdict(dict)
    for visitor_id, show_id, category in _source("checked_in_visitors")():
        vi[show_id][visitor_id] = category
    rows = []
    previous: dict[str, int] = {}
    for show in db.session.scalars(
        sa.select(Show).where(Show.open_to < today).order_by(Show.open_from)
    ):
        prev_id = previous.get(show.series)
        if prev_id:
            groups: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
            for company in ex.get(prev_id, set()):
                bucket = groups[(str(_l("Exhibitors")), sizes.get(company, ""))]
                bucket[0] += 1
                bucket[1] += company in ex.get(show.id, set())
            for visitor, category in vi.get(prev_id, {}).items():
                bucket = groups[(str(_l("Visitors")), category)]
                bucket[0] += 1
                bucket[1] += visitor in vi.get(show.id, {})
            for (audience, segment), (base, kept) in sorted(groups.items()):
                rows.append(
                    {
                        "show": show,
                        "audience": audience,
                        "segment": segment,
                        "base": base,
                        "kept": kept,
                        "retention": kept / base,
                        "churn": 1 - kept / base,
                    }
                )
        previous[show.series] = show.id
    return rows
