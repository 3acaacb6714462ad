"""The twelve loyalty measures of the seeds (篇6, 客户忠诚度的度量), per customer and per segment,
and the seeds' two kinds of loyal customer: followers 跟随者 (repeat buyers) and advocates
拥护者 (repeat buyers who recommend us).

Each measure is defined from facts the system holds, computed every night for every customer
at once in SQL beside the customer's value (valuation.measures) and stored in
customer_values; stage, satisfaction and NPS are the life-cycle evaluation's:

 1 repeat participation  editions taken part in beyond the first
 2 cross-selling         service orders placed beside the booth (exhibitors)
 3 up-selling            editions with a larger booth than the customer's edition before
 4 decision time         days from the application (the answer to our invitation) to the
                         signed contract, averaged (exhibitors)
 5 attitude to competitors  survey answers, 1 = stays with us … 0 = considering a rival show
 6 price sensitivity     between two editions taken part in where the price per m² changed:
                         −(change in booth area %) / (change in price per m² %), averaged;
                         0 = did not react, 1 = cut area as much as the price rose
 7 quality tolerance     survey answers, 1 = would come again after a problem … 0 = would not
 8 life-cycle stage      the stage the nightly evaluation gave
 9 satisfaction          the latest survey satisfaction (of 5)
10 recommendations       registrations and applications brought through the customer's
                         referral links, and the latest NPS answer (9–10 recommends)
11 retention             the customer's own kept / opportunities (an edition followed by one)
12 churn                 1 − retention
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm.db import db
from expo_crm.relationships.models import (
    CustomerValueState,
    LoyaltyKind,
    RelationshipState,
    ValueRun,
)
from expo_crm.subjects import SUBJECT_COLUMNS, SubjectKind

ADVOCATE_NPS = 9

DEFINITIONS = {
    "repeat": _l("Repeat participation: editions taken part in beyond the first."),
    "cross_selling": _l("Cross-selling: service orders placed beside the booth."),
    "up_selling": _l("Up-selling: editions with a larger booth than the edition before."),
    "decision_days": _l("Decision time: days from the application to the signed contract."),
    "competitors": _l(
        "Attitude to competitors: survey answers, 1 stays with us, 0 considers a rival show."
    ),
    "price_sensitivity": _l(
        "Price sensitivity: booth area change against price per m² change between editions;"
        " 0 did not react, 1 cut the area as much as the price rose."
    ),
    "quality": _l(
        "Tolerance of quality problems: survey answers, 1 would come again after a problem, 0"
        " would not."
    ),
    "stage": _l("Life-cycle stage: as the nightly evaluation gave it."),
    "satisfaction": _l("Satisfaction: the latest survey satisfaction (of 5)."),
    "recommendations": _l("Recommendations: referrals brought, and the latest NPS answer."),
    "retention": _l("Retention: editions followed by a participation in the next one, of all."),
    "churn": _l("Churn: 1 − retention."),
}


@dataclass
class Measures:
    """One customer's twelve measures, as the nightly run stored them (life-cycle stage,
    satisfaction and NPS as the life-cycle evaluation stored them)."""

    kind: str
    subject_id: int
    segment: str = ""
    editions: int = 0
    cross_selling: int = 0
    up_selling: int = 0
    decision_days: float | None = None
    competitors: float | None = None
    price_sensitivity: float | None = None
    quality: float | None = None
    stage: object = None
    satisfaction: float | None = None
    nps: int | None = None
    referrals: int = 0
    retention: float | None = None
    loyalty_kind: LoyaltyKind = LoyaltyKind.none
    computed_at: datetime | None = None

    @property
    def repeat(self) -> int:
        return max(self.editions - 1, 0)

    @property
    def churn(self) -> float | None:
        return None if self.retention is None else 1 - self.retention

    @property
    def loyalty(self) -> str:
        """拥护者 advocate: repeat participant who recommends; 跟随者 follower: repeat only."""
        return self.loyalty_kind.value

    @property
    def loyalty_label(self) -> str:
        return str(self.loyalty_kind.label)


def _float(number) -> float | None:
    return None if number is None else float(number)


def _state_join(query: sa.Select) -> sa.Select:
    cv, state = CustomerValueState, RelationshipState
    return query.outerjoin(
        state,
        sa.or_(
            sa.and_(cv.company_id.is_not(None), state.company_id == cv.company_id),
            sa.and_(cv.visitor_id.is_not(None), state.visitor_id == cv.visitor_id),
        ),
    ).where(cv.kind.in_(LOYALTY_KINDS))


def measures_of(kind: SubjectKind | str, subject_id: int) -> Measures:
    """The customer's stored measures (all empty before the first nightly run)."""
    kind = SubjectKind(kind)
    cv, state = CustomerValueState, RelationshipState
    found = db.session.execute(
        _state_join(sa.select(cv, state.stage, state.satisfaction, state.nps)).where(
            getattr(cv, SUBJECT_COLUMNS[kind]) == subject_id
        )
    ).first()
    if found is None:
        return Measures(kind.value, subject_id)
    row, stage, satisfaction, nps = found
    return Measures(
        kind.value,
        subject_id,
        segment=row.segment,
        editions=row.editions + row.current_editions,
        cross_selling=row.cross_selling,
        up_selling=row.up_selling,
        decision_days=_float(row.decision_days),
        competitors=_float(row.competitors),
        price_sensitivity=_float(row.price_sensitivity),
        quality=_float(row.quality),
        stage=stage,
        satisfaction=_float(satisfaction),
        nps=nps,
        referrals=row.referrals,
        retention=_float(row.retention_own),
        loyalty_kind=row.loyalty,
        computed_at=row.computed_at,
    )


def computed_at() -> datetime | None:
    """When the stored measures were computed (the latest nightly run; None before any)."""
    stored = db.session.scalar(
        sa.select(CustomerValueState.id).where(CustomerValueState.kind.in_(LOYALTY_KINDS)).limit(1)
    )
    return db.session.scalar(sa.select(sa.func.max(ValueRun.ran_at))) if stored else None


# The averaged measures of by_segment, in the order of its query.
NUMERIC = (
    "repeat",
    "cross_selling",
    "up_selling",
    "decision_days",
    "competitors",
    "price_sensitivity",
    "quality",
    "satisfaction",
    "retention",
)
LOYALTY_KINDS = (SubjectKind.exhibitor, SubjectKind.visitor)


def by_segment() -> list[dict]:
    """Per kind and segment, SQL aggregates of the stored measures: each measure averaged over
    the customers who have it, the referrals summed, the followers and advocates counted, the
    life-cycle stages counted."""
    cv, state = CustomerValueState, RelationshipState
    editions = cv.editions + cv.current_editions
    repeat = sa.case((editions > 1, editions - 1), else_=0)
    query = _state_join(
        sa.select(
            cv.kind,
            cv.segment,
            sa.func.count(cv.id),
            sa.func.avg(repeat),
            sa.func.avg(cv.cross_selling),
            sa.func.avg(cv.up_selling),
            sa.func.avg(cv.decision_days),
            sa.func.avg(cv.competitors),
            sa.func.avg(cv.price_sensitivity),
            sa.func.avg(cv.quality),
            sa.func.avg(state.satisfaction),
            sa.func.avg(cv.retention_own),
            sa.func.sum(cv.referrals),
            sa.func.sum(sa.case((cv.loyalty == LoyaltyKind.follower, 1), else_=0)),
            sa.func.sum(sa.case((cv.loyalty == LoyaltyKind.advocate, 1), else_=0)),
        )
    ).group_by(cv.kind, cv.segment)
    stages: dict = defaultdict(dict)
    for kind, segment, stage, n in db.session.execute(
        _state_join(sa.select(cv.kind, cv.segment, state.stage, sa.func.count(cv.id)))
        .where(state.stage.is_not(None))
        .group_by(cv.kind, cv.segment, state.stage)
    ):
        stages[(kind, segment)][stage] = n
    rows = []
    for kind, segment, customers, *averages, referrals, followers, advocates in db.session.execute(
        query
    ):
        row = {"kind": kind, "segment": segment, "customers": customers}
        row |= {name: _float(v) for name, v in zip(NUMERIC, averages, strict=True)}
        row["churn"] = None if row["retention"] is None else 1 - row["retention"]
        row |= {"referrals": referrals, "followers": followers, "advocates": advocates}
        row["stages"] = stages.get((kind, segment), {})
        rows.append(row)
    return sorted(rows, key=lambda r: (r["kind"].value, r["segment"]))
