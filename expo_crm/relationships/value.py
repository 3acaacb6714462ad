"""Customer value (客户价值): historical, current and potential value, CLV, word-of-mouth value,
the value pyramid; the sources the nightly value run and the loyalty per edition
(edition_loyalty.py) are computed from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from expo_crm.db import db
from expo_crm.relationships import settings, subjects
from expo_crm.relationships.models import CustomerValueState, ValueRun, ValueTier
from expo_crm.subjects import SUBJECT_COLUMNS, SubjectKind

# What value is computed from, each fact given by the package that owns it (registered from
# its services): name -> function returning rows, or (the *_query ones) a query the nightly run
# builds on in SQL.
#   participations      (company_id, show_id, series, open_from, area, amount) per signed contract
#   company_names       {company_id: display name}
#   service_orders      (company_id, show_id, orders, amount) of orders not cancelled
#   checked_in_visitors (visitor_id, show_id, category label) per registration that came
#   referral_reach      (partner_id, name_zh, name_en, registrations, came) per partner
#   visitor_meetings    (visitor_id, show_id, meetings held) per trade visitor and edition
#   participation_query (company_id, show_id, area) per signed contract
#   company_size_query  (company_id, segment: size code or "?") per company
#   attendance_query    (visitor_id, show_id, segment: category code) per registration that came
#   service_order_query (company_id, show_id, amount) per order not cancelled
#   survey_query        (show_id, company_id, visitor_id, satisfaction, nps) per response
#   referral_query      (show_id) per registration made through a referral code
#   registration_categories {category code: label in the reader's language}
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
