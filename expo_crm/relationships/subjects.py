"""The four kinds of customer a relationship belongs to, found by kind and id.

The blueprints own the customers' models and register them here, so that relationships
reads them without importing upward."""

from __future__ import annotations

from flask import abort

from expo_crm.db import db
from expo_crm.subjects import SubjectKind

# The model of each kind of customer; each blueprint registers its own (see its models.py).
_models: dict[SubjectKind, type] = {}


def register_kind(kind: SubjectKind, model: type) -> None:
    """A customer model: it has an id, a name and an owner_id."""
    _models[kind] = model


def model_of(kind: SubjectKind | str):
    kind = SubjectKind(kind)
    if kind not in _models:
        raise LookupError(f"no model registered for the customer kind {kind.value!r}")
    return _models[kind]


def registered_models() -> dict[SubjectKind, type]:
    return dict(_models)


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
