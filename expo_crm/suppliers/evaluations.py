"""Supplier evaluations: a score per show from ratings and complaints, and suppliers ranked by it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from expo_crm import audit
from expo_crm.db import db
from expo_crm.relationships.models import Complaint
from expo_crm.shows.models import Show
from expo_crm.suppliers.models import Supplier, SupplierCategory, SupplierEvaluation
from expo_crm.suppliers.services import CENT, SupplierError


def complaints_about(supplier_id: int, show_id: int) -> int:
    """Exhibitor complaints recorded against this supplier at this show."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(Complaint.id)).where(
                Complaint.supplier_id == supplier_id, Complaint.show_id == show_id
            )
        )
        or 0
    )


def evaluation_score(quality: int, punctuality: int, price: int, complaints: int) -> Decimal:
    """Mean of the three ratings, less a quarter point per complaint, never below 1."""
    mean = Decimal(quality + punctuality + price) / Decimal(3)
    return max(Decimal(1), mean - Decimal("0.25") * complaints).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


def evaluate(
    supplier: Supplier,
    show: Show,
    *,
    quality: int,
    punctuality: int,
    price: int,
    notes: str = "",
    staff_id: int | None = None,
) -> SupplierEvaluation:
    for rating in (quality, punctuality, price):
        if rating is None or not 1 <= int(rating) <= 5:
            raise SupplierError(_("Each rating is from 1 to 5."))
    complaints = complaints_about(supplier.id, show.id)
    evaluation = db.session.scalar(
        sa.select(SupplierEvaluation).where(
            SupplierEvaluation.supplier_id == supplier.id, SupplierEvaluation.show_id == show.id
        )
    )
    before = (
        audit.snapshot(evaluation, "quality", "punctuality", "price", "score")
        if evaluation
        else None
    )
    if evaluation is None:
        evaluation = SupplierEvaluation(supplier_id=supplier.id, show_id=show.id)
        db.session.add(evaluation)
    evaluation.quality, evaluation.punctuality, evaluation.price = (
        int(quality),
        int(punctuality),
        int(price),
    )
    evaluation.complaints = complaints
    evaluation.score = evaluation_score(int(quality), int(punctuality), int(price), complaints)
    evaluation.notes = notes
    evaluation.evaluated_by_id = staff_id
    db.session.flush()
    audit.record(
        "supplier.evaluate",
        evaluation,
        before=before,
        after=audit.snapshot(evaluation, "quality", "punctuality", "price", "complaints", "score"),
    )
    return evaluation


def evaluation_history(supplier_id: int) -> list[SupplierEvaluation]:
    return list(
        db.session.scalars(
            sa.select(SupplierEvaluation)
            .join(Show)
            .where(SupplierEvaluation.supplier_id == supplier_id)
            .order_by(Show.open_from.desc())
        )
    )


def average_scores(supplier_ids: list[int] | None = None) -> dict[int, tuple[Decimal, int]]:
    """supplier id -> (mean score over its evaluated shows, number of shows)."""
    stmt = sa.select(
        SupplierEvaluation.supplier_id,
        sa.func.avg(SupplierEvaluation.score),
        sa.func.count(SupplierEvaluation.id),
    ).group_by(SupplierEvaluation.supplier_id)
    if supplier_ids is not None:
        stmt = stmt.where(SupplierEvaluation.supplier_id.in_(supplier_ids))
    return {sid: (Decimal(avg).quantize(CENT), n) for sid, avg, n in db.session.execute(stmt)}


def supplier_choices(category: str | None = None) -> list[tuple[int, str]]:
    """Active suppliers for a select box, each with its average score, best first."""
    stmt = sa.select(Supplier).where(Supplier.active.is_(True))
    if category:
        stmt = stmt.where(Supplier.category == SupplierCategory(category))
    suppliers = list(db.session.scalars(stmt))
    scores = average_scores([s.id for s in suppliers])
    suppliers.sort(key=lambda s: (-(scores.get(s.id, (Decimal(0), 0))[0]), s.name))
    choices = []
    for supplier in suppliers:
        score = scores.get(supplier.id)
        suffix = (
            _(" — score %(score)s over %(n)d shows", score=score[0], n=score[1])
            if score
            else _(" — not yet evaluated")
        )
        choices.append((supplier.id, f"{supplier.name} ({supplier.category.label}){suffix}"))
    return choices
