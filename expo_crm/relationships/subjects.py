"""The four kinds of customer a relationship belongs to, found by kind and id."""

from __future__ import annotations

from flask import abort

from expo_crm.db import db
from expo_crm.subjects import SubjectKind


def model_of(kind: SubjectKind | str):
    from expo_crm.exhibitors.models import Company
    from expo_crm.partners.models import Partner
    from expo_crm.suppliers.models import Supplier
    from expo_crm.visitors.models import Visitor

    return {
        SubjectKind.exhibitor: Company,
        SubjectKind.visitor: Visitor,
        SubjectKind.supplier: Supplier,
        SubjectKind.partner: Partner,
    }[SubjectKind(kind)]


def parse_kind(text: str) -> SubjectKind | None:
    try:
        return SubjectKind(text)
    except ValueError:
        return None


def get_subject(kind: SubjectKind | str, subject_id: int):
    return db.session.get(model_of(kind), subject_id)


def get_subject_or_404(kind_text: str, subject_id: int):
    kind = parse_kind(kind_text)
    if kind is None:
        abort(404)
    subject = get_subject(kind, subject_id)
    if subject is None:
        abort(404)
    return kind, subject


def owner_of(kind: SubjectKind | str, subject_id: int) -> int | None:
    subject = get_subject(kind, subject_id)
    return getattr(subject, "owner_id", None) if subject is not None else None


def display_name(subject) -> str:
    return getattr(subject, "name", "") or f"#{subject.id}"
