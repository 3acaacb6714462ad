"""The twelve loyalty measures of the seeds (篇6, 客户忠诚度的度量), per customer and per segment,
and the seeds' two kinds of loyal customer: followers 跟随者 (repeat buyers) and advocates
拥护者 (repeat buyers who recommend us).

Each measure is defined from facts the system holds (value sources registered by the packages
that own them, the stored life-cycle state and customer value):

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
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm.db import db
from expo_crm.relationships import value as values
from expo_crm.relationships.models import CustomerValueState, RelationshipState
from expo_crm.subjects import SubjectKind

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

LOYALTY_LABELS = {
    "advocate": _l("Advocate (拥护者): takes part again and recommends us"),
    "follower": _l("Follower (跟随者): takes part again, does not recommend us"),
    "none": _l("Not yet loyal"),
}


@dataclass
class Measures:
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
    _price_moves: list = field(default_factory=list, repr=False)

    @property
    def repeat(self) -> int:
        return max(self.editions - 1, 0)

    @property
    def churn(self) -> float | None:
        return None if self.retention is None else 1 - self.retention

    @property
    def recommends(self) -> bool:
        return self.referrals > 0 or (self.nps is not None and self.nps >= ADVOCATE_NPS)

    @property
    def loyalty(self) -> str:
        """拥护者 advocate: repeat participant who recommends; 跟随者 follower: repeat only."""
        if self.editions < 2:
            return "none"
        return "advocate" if self.recommends else "follower"

    @property
    def loyalty_label(self) -> str:
        return str(LOYALTY_LABELS[self.loyalty])


def _mean(numbers: list) -> float | None:
    return sum(numbers) / len(numbers) if numbers else None


def measure_all(kind: SubjectKind | str | None = None) -> dict[tuple[str, int], Measures]:
    """Every customer's measures, keyed by (kind, id); exhibitors and visitors."""
    wanted = SubjectKind(kind).value if kind else None
    found: dict[tuple[str, int], Measures] = {}

    def of(k: str, sid: int) -> Measures:
        return found.setdefault((k, sid), Measures(k, sid))

    if wanted in (None, "exhibitor"):
        history: dict[int, list] = defaultdict(list)
        for row in values.participations():
            history[row.company_id].append(row)
        for company_id, rows in history.items():
            m = of("exhibitor", company_id)
            rows.sort(key=lambda r: r.open_from)
            m.editions = len(rows)
            for before, now in zip(rows, rows[1:], strict=False):
                if (now.area or 0) > (before.area or 0):
                    m.up_selling += 1
                if before.area and now.area and before.amount and now.amount:
                    p0, p1 = before.amount / before.area, now.amount / now.area
                    if p0 and abs(p1 - p0) / p0 >= Decimal("0.01"):
                        area_change = (now.area - before.area) / before.area
                        m._price_moves.append(float(-area_change / ((p1 - p0) / p0)))
            m.price_sensitivity = _mean(m._price_moves)
        for company_id, _show_id, n, _amount in values._source("service_orders")():
            of("exhibitor", company_id).cross_selling += n
        days: dict[int, list] = defaultdict(list)
        for company_id, _show_id, invited_at, signed_at in values._source("decisions")():
            if invited_at and signed_at:
                days[company_id].append((signed_at - invited_at).total_seconds() / 86400)
        for company_id, spans in days.items():
            of("exhibitor", company_id).decision_days = round(_mean(spans), 1)
    if wanted in (None, "visitor"):
        for visitor_id, _show_id, _category in values._source("checked_in_visitors")():
            of("visitor", visitor_id).editions += 1
    answers: dict[tuple[str, int, str], list] = defaultdict(list)
    for k, sid, measure, score in values._source("loyalty_answers")():
        if wanted in (None, k) and k in ("exhibitor", "visitor"):
            answers[(k, sid, measure)].append(score)
    for (k, sid, measure), scores in answers.items():
        setattr(of(k, sid), measure, _mean(scores))
    for state in db.session.scalars(sa.select(RelationshipState)):
        k = state.subject_kind.value if state.subject_kind else None
        if k in ("exhibitor", "visitor") and wanted in (None, k):
            m = of(k, state.subject_id)
            m.stage = state.stage
            m.satisfaction = float(state.satisfaction) if state.satisfaction is not None else None
            m.nps = state.nps
    for row in db.session.scalars(sa.select(CustomerValueState)):
        k = row.kind.value
        if k in ("exhibitor", "visitor") and wanted in (None, k):
            m = of(k, row.subject_id)
            m.segment = row.segment
            m.retention = float(row.retention_own) if row.retention_own is not None else None
            m.referrals = row.referrals
    return found


def measures_of(kind: SubjectKind | str, subject_id: int) -> Measures:
    return measure_all(kind).get((SubjectKind(kind).value, subject_id)) or Measures(
        SubjectKind(kind).value, subject_id
    )


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
    "churn",
)


def by_segment() -> list[dict]:
    """Per kind and segment: each measure averaged over the customers who have it, the
    referrals summed, the followers and advocates counted, the stages counted."""
    groups: dict[tuple[str, str], list[Measures]] = defaultdict(list)
    for m in measure_all().values():
        groups[(m.kind, m.segment)].append(m)
    rows = []
    for (kind, segment), members in sorted(groups.items()):
        row = {"kind": SubjectKind(kind), "segment": segment, "customers": len(members)}
        for name in NUMERIC:
            row[name] = _mean([getattr(m, name) for m in members if getattr(m, name) is not None])
        row["referrals"] = sum(m.referrals for m in members)
        row["followers"] = sum(1 for m in members if m.loyalty == "follower")
        row["advocates"] = sum(1 for m in members if m.loyalty == "advocate")
        stages: dict = defaultdict(int)
        for m in members:
            if m.stage is not None:
                stages[m.stage] += 1
        row["stages"] = dict(stages)
        rows.append(row)
    return rows
