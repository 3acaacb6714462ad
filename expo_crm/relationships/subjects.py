"""The four kinds of customer a relationship belongs to, found by kind and id.

The blueprints own the customers' models and register them here, so that relationships
reads them without importing upward."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from flask import abort
from flask_babel import lazy_gettext as _l

from expo_crm.db import db
from expo_crm.subjects import SubjectKind

# The model of each kind of customer; each blueprint registers its own (see its models.py).
_models: dict[SubjectKind, type] = {}
# What the customer picker searches in each kind, and the hint it shows beside the name.
_searchable: dict[SubjectKind, tuple] = {}
_hints: dict[SubjectKind, Callable[[object], str]] = {}
# The labelled enum behind each part of a customer segment ("large · hardware · CN"), or None
# for a part kept as stored (typed text, a country code).
_segment_parts: dict[SubjectKind, tuple] = {}
SEGMENT_SEPARATOR = " · "

SEARCH_LIMIT = 20


def register_kind(
    kind: SubjectKind,
    model: type,
    *,
    searchable: Sequence = (),
    hint: Callable[[object], str] | None = None,
    segment_parts: Sequence = (),
) -> None:
    """A customer model: it has an id, a name and an owner_id. `searchable` names the
    columns the customer picker looks in; `hint` tells two customers of one name apart;
    `segment_parts` the labelled enum of each part of its value segment (None: as stored)."""
    _models[kind] = model
    _segment_parts[kind] = tuple(segment_parts)
    _searchable[kind] = tuple(searchable)
    _hints[kind] = hint or (lambda subject: "")


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


def _like_pattern(text: str) -> str:
    """`text` anywhere, with the wildcards and the escape character taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_subjects(text: str, limit: int = SEARCH_LIMIT) -> list[dict]:
    """Customers of every kind whose searchable columns contain `text` (case-insensitive), or
    whose number it is; at most `limit`, each kind in turn, each kind by number."""
    text = (text or "").strip()[:100]
    if not text:
        return []
    pattern = _like_pattern(text)
    found: list[dict] = []
    for kind in SubjectKind:
        model, columns = _models.get(kind), _searchable.get(kind, ())
        if model is None or not columns or len(found) >= limit:
            continue
        conditions = [column.ilike(pattern, escape="\\") for column in columns]
        if text.isdigit() and len(text) <= 9:
            conditions.append(model.id == int(text))
        query = sa.select(model).where(sa.or_(*conditions)).order_by(model.id)
        for subject in db.session.scalars(query.limit(limit - len(found))):
            found.append(
                {
                    "kind": kind.value,
                    "kind_label": str(kind.label),
                    "id": subject.id,
                    "name": display_name(subject),
                    "hint": _hints[kind](subject) or "",
                }
            )
    return found


def segment_label(kind: SubjectKind | str, segment: str) -> str:
    """A stored segment ("large · hardware · CN") in the reader's language: each coded part by
    its label, an unknown part ("?") as such."""
    kind = SubjectKind(kind)
    if kind not in _segment_parts:
        raise LookupError(f"no customer kind {kind.value!r} is registered")
    parts = (segment or "").split(SEGMENT_SEPARATOR)
    labels = []
    for n, part in enumerate(parts):
        enum = _segment_parts[kind][n] if n < len(_segment_parts[kind]) else None
        if part == "?":
            labels.append(str(_l("unknown")))
        elif enum is not None and part in {m.value for m in enum}:
            labels.append(str(enum(part).label))
        else:
            labels.append(part)
    return SEGMENT_SEPARATOR.join(labels)
