"""Reading the stored customer values: the value matrix (current × potential), the list of each
class, a customer's value explained, and the tier and class that drive the work."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm.db import db
from expo_crm.relationships import settings, subjects
from expo_crm.relationships.models import CustomerValueState, ValueClass, ValueTier
from expo_crm.subjects import SUBJECT_COLUMNS, SubjectKind

VALUE_KINDS = (SubjectKind.exhibitor, SubjectKind.visitor, SubjectKind.partner)

# What each class of the matrix asks of the work (the seeds' strategy per class).
STRATEGY = {
    ValueClass.value: _l("Keep at all costs: a named owner, personal contact, fastest service."),
    ValueClass.potential: _l("Develop: invest to raise what they buy now."),
    ValueClass.maintain: _l("Keep at low cost: standard service, no extra effort."),
    ValueClass.low: _l("Low value: mail only; serve within the standard terms."),
}


@dataclass(frozen=True)
class Thresholds:
    current: Decimal
    potential: Decimal


def thresholds(kind: SubjectKind | str) -> Thresholds:
    values = settings.current()
    kind = SubjectKind(kind).value
    return Thresholds(values[f"class_current_{kind}"], values[f"class_potential_{kind}"])


def value_of(kind: SubjectKind | str, subject_id: int) -> CustomerValueState | None:
    column = getattr(CustomerValueState, SUBJECT_COLUMNS[SubjectKind(kind)])
    return db.session.scalar(sa.select(CustomerValueState).where(column == subject_id))


def tier_of(kind: SubjectKind | str, subject_id: int) -> ValueTier | None:
    """The customer's tier in the pyramid as last computed; None before the first computation."""
    if SubjectKind(kind) not in VALUE_KINDS:
        return None
    column = getattr(CustomerValueState, SUBJECT_COLUMNS[SubjectKind(kind)])
    return db.session.scalar(sa.select(CustomerValueState.tier).where(column == subject_id))


def in_target(target: str, kind: str, ids: set[int]) -> set[int]:
    """Which of these customers a plan step aimed at `class:<c>` or `tier:<t>` reaches."""
    what, _, code = target.partition(":")
    column = getattr(CustomerValueState, SUBJECT_COLUMNS[SubjectKind(kind)])
    if what == "class":
        condition = CustomerValueState.value_class == ValueClass(code)
    elif what == "tier":
        condition = CustomerValueState.tier == ValueTier(code)
    else:
        raise ValueError(f"unknown plan step target {target!r}")
    found = db.session.scalars(sa.select(column).where(condition, column.in_(ids)))
    return set(found)


def target_options() -> list[tuple[str, str]]:
    """The targets a plan step may aim at: each value class, then each tier of the pyramid."""
    classes = [
        (f"class:{c.value}", str(_l("Value class: %(label)s", label=c.label))) for c in ValueClass
    ]
    tiers = [(f"tier:{t.value}", str(_l("Tier: %(label)s", label=t.label))) for t in ValueTier]
    return classes + tiers


def class_counts(kind: SubjectKind) -> dict[ValueClass, int]:
    counts = dict(
        db.session.execute(
            sa.select(CustomerValueState.value_class, sa.func.count())
            .where(CustomerValueState.kind == kind)
            .group_by(CustomerValueState.value_class)
        ).all()
    )
    return {c: counts.get(c, 0) for c in ValueClass}


def customers(
    kind: SubjectKind, value_class: ValueClass | None = None, limit: int | None = 100
) -> list[tuple[CustomerValueState, str]]:
    """Rows of one kind (and class), most valuable first, each with the customer's name."""
    query = sa.select(CustomerValueState).where(CustomerValueState.kind == kind)
    if value_class is not None:
        query = query.where(CustomerValueState.value_class == value_class)
    query = query.order_by(
        (CustomerValueState.current + CustomerValueState.potential).desc(), CustomerValueState.id
    )
    rows = list(db.session.scalars(query.limit(limit) if limit else query))
    model = subjects.model_of(kind)
    column = SUBJECT_COLUMNS[kind]
    ids = [getattr(r, column) for r in rows]
    names: dict[int, str] = {}
    for start in range(0, len(ids), 1000):
        for subject in db.session.scalars(
            sa.select(model).where(model.id.in_(ids[start : start + 1000]))
        ):
            names[subject.id] = subjects.display_name(subject)
    return [(r, names.get(getattr(r, column), "")) for r in rows]


def scatter(kind: SubjectKind, limit: int = 2000) -> dict:
    """The points of the matrix chart: the most valuable customers of the kind."""
    limits = thresholds(kind)
    return {
        "kind": kind.value,
        "thresholds": {"current": float(limits.current), "potential": float(limits.potential)},
        "classes": {c.value: str(c.label) for c in ValueClass},
        "points": [
            {
                "id": row.subject_id,
                "name": name,
                "current": float(row.current),
                "potential": float(row.potential),
                "class": row.value_class.value,
                "estimated": row.estimated,
            }
            for row, name in customers(kind, limit=limit)
        ],
    }


def explain(row: CustomerValueState) -> list[str]:
    """Each part of the value in a sentence, with the numbers behind it."""
    values = settings.current()
    k = values["retention_credibility"]
    lines = [
        str(
            _l(
                "Historical value %(value)s: margin %(margin)s of %(n)d earlier edition(s) less "
                "%(cost)s cost to serve.",
                value=row.historical,
                margin=row.margin_historical,
                n=row.editions,
                cost=row.cost_historical,
            )
        ),
        str(
            _l(
                "Current value %(value)s: margin %(margin)s of this edition less %(cost)s cost to "
                "serve (%(complaints)d complaint(s) handled, %(contacts)d staff contact(s) in all).",
                value=row.current,
                margin=row.margin_current,
                cost=row.cost_current,
                complaints=row.complaints,
                contacts=row.contacts,
            )
        ),
    ]
    if values["retention_rate"] is not None:
        lines.append(str(_l("Retention r = %(r)s, set by an administrator.", r=row.retention)))
    elif row.opportunities:
        lines.append(
            str(
                _l(
                    "Retention r = %(r)s: own record %(own)s over %(n)d edition(s), weighed against "
                    "the segment's %(segment)s with credibility k = %(k)s: "
                    "r = (k·segment + kept) / (k + editions).",
                    r=row.retention,
                    own=row.retention_own,
                    n=row.opportunities,
                    segment=row.retention_segment,
                    k=k,
                )
            )
        )
    else:
        lines.append(
            str(
                _l(
                    "Retention r = %(r)s: no record of its own yet, so its segment's (%(segment)s).",
                    r=row.retention,
                    segment=subjects.segment_label(row.kind, row.segment),
                )
            )
        )
    if row.conversion is not None:
        lines.append(
            str(
                _l(
                    "Potential value %(value)s: never took part, so valued as similar customers "
                    "became: %(conversion)s of the segment took part, with %(m)s profit per "
                    "edition; CLV × conversion.",
                    value=row.potential,
                    conversion=row.conversion,
                    m=row.margin_per_edition,
                )
            )
        )
    else:
        lines.append(
            str(
                _l(
                    "Potential value (CLV) %(value)s = m·r / (1 + i − r) with m = %(m)s profit per "
                    "edition, r = %(r)s, i = %(i)s.",
                    value=row.potential,
                    m=row.margin_per_edition,
                    r=row.retention,
                    i=values["discount_rate"],
                )
            )
        )
    lines.append(word_of_mouth_line(row))
    if row.estimated:
        lines.append(str(_l("Estimated: too little history of its own to measure.")))
    return lines


def word_of_mouth_line(row: CustomerValueState) -> str:
    """口碑价值 = 影响力 × 影响范围 × 平均购买价, with the numbers behind it."""
    if not row.referrals:
        return str(
            _l("Word of mouth 0: nobody has registered or applied through its referral links yet.")
        )
    if not row.referrals_converted:
        return str(
            _l(
                "Word of mouth 0: %(reach)d registered or applied through its referral links, "
                "none of them has bought yet.",
                reach=row.referrals,
            )
        )
    influence = Decimal(row.referrals_converted) / row.referrals
    average = (row.word_of_mouth / row.referrals_converted).quantize(Decimal("0.01"))
    return str(
        _l(
            "Word of mouth %(value)s = influence %(influence)s (%(bought)d of %(reach)d brought "
            "through its referral links bought) × reach %(reach)d × average purchase %(average)s.",
            value=row.word_of_mouth,
            influence=f"{influence:.2f}",
            bought=row.referrals_converted,
            reach=row.referrals,
            average=average,
        )
    )
