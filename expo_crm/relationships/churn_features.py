"""What the churn model reads (数据挖掘): a registry of features, each given by the package that
holds the facts, and the examples it learns from.

An example is a customer who took part in an edition; its label is whether the customer stayed
away from the next edition of the series (exhibitors: no signed contract; visitors: never came
in). Its features are computed as they stood at the edition's cut-off, the rebooking deadline
(or, without one, some weeks after the show): a feature reads only records dated at or before
`edition.cutoff`, so what happened later cannot leak into what the model learns.

A package adds a feature with

    @churn_feature("open_complaints", "exhibitor", text=_l("%(value)s complaint(s) still open"))
    def open_complaints(edition: Edition, ids: list[int]) -> dict[int, float]: ...

returning a value per customer of `ids` (missing ones are unknown and imputed). `text` is the
sentence staff read when the feature is among those that raise a customer's risk most; it is
registered as an event kind, so the factors are stored as kind + parameters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm import events
from expo_crm.db import db
from expo_crm.relationships import value as values
from expo_crm.relationships.models import Complaint, CustomerValueState, Interaction, ValueClass
from expo_crm.shows.models import Show
from expo_crm.subjects import SUBJECT_COLUMNS, SubjectKind

PREDICTED_KINDS = (SubjectKind.exhibitor, SubjectKind.visitor)
# Without a rebooking deadline, an edition's facts are taken as they stood this long after it.
CUTOFF_WITHOUT_DEADLINE = timedelta(days=60)


@dataclass(frozen=True)
class Feature:
    name: str
    kind: SubjectKind
    fn: Callable
    event: str  # the event kind its sentence is rendered from
    display: Callable  # the feature's value as the sentence's parameter


_features: dict[tuple[str, str], Feature] = {}


def plain(value: float) -> str:
    return str(int(round(value))) if abs(value - round(value)) < 1e-9 else f"{value:.2f}"


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def churn_feature(
    name: str,
    kind: SubjectKind | str,
    *,
    text,
    display: Callable = plain,
    codes: dict | None = None,
) -> Callable:
    """Register a feature for one kind of customer (or "all" the predicted kinds)."""
    kinds = PREDICTED_KINDS if kind == "all" else (SubjectKind(kind),)

    def register(fn: Callable) -> Callable:
        for k in kinds:
            event = events.register(f"churn_factor.{k.value}.{name}", text, codes=codes).name
            _features[(k.value, name)] = Feature(name, k, fn, event, display)
        return fn

    return register


def features(kind: SubjectKind | str) -> list[Feature]:
    kind = SubjectKind(kind)
    found = [f for (k, _n), f in sorted(_features.items()) if k == kind.value]
    if not found:
        raise LookupError(f"no churn feature is registered for {kind.value}")
    return found


@dataclass(frozen=True)
class Edition:
    """One edition as the model sees it: its series, and the moment its facts are read."""

    show_id: int
    series: str
    open_from: date
    open_to: date
    cutoff: datetime
    series_so_far: tuple[int, ...]  # the series' editions up to and including this one
    next_show_id: int | None
    next_open_from: date | None
    next_open_to: date | None

    @property
    def previous_show_id(self) -> int | None:
        return self.series_so_far[-2] if len(self.series_so_far) > 1 else None


def cutoff_of(show: Show) -> datetime:
    day = show.rebooking_deadline or (show.open_to + CUTOFF_WITHOUT_DEADLINE)
    return datetime.combine(day, time.max, tzinfo=show.tz).astimezone(UTC)


def editions() -> list[Edition]:
    """Every edition, oldest first, with its next one in the series."""
    shows = list(db.session.scalars(sa.select(Show).order_by(Show.open_from, Show.id)))
    by_series: dict[str, list[Show]] = defaultdict(list)
    for show in shows:
        by_series[show.series].append(show)
    result = []
    for series in by_series.values():
        for n, show in enumerate(series):
            following = series[n + 1] if n + 1 < len(series) else None
            result.append(
                Edition(
                    show.id,
                    show.series,
                    show.open_from,
                    show.open_to,
                    cutoff_of(show),
                    tuple(s.id for s in series[: n + 1]),
                    following.id if following else None,
                    following.open_from if following else None,
                    following.open_to if following else None,
                )
            )
    return sorted(result, key=lambda e: (e.open_from, e.show_id))


def participants(kind: SubjectKind | str) -> dict[int, set[int]]:
    """Who took part in each edition: exhibitors by signed contract, visitors by coming in."""
    taken: dict[int, set[int]] = defaultdict(set)
    if SubjectKind(kind) is SubjectKind.exhibitor:
        for row in values.participations():
            taken[row.show_id].add(row.company_id)
    else:
        for visitor_id, show_id, _category in values._source("checked_in_visitors")():
            taken[show_id].add(visitor_id)
    return taken


def outcome_known(kind: SubjectKind | str, edition: Edition, at: datetime) -> bool:
    """Whether it is known who came back: exhibitors once the next edition has opened (all who
    exhibit have signed), visitors once it has closed (all who came have come)."""
    if edition.next_show_id is None:
        return False
    if SubjectKind(kind) is SubjectKind.exhibitor:
        return edition.next_open_from <= at.date()
    return edition.next_open_to < at.date()


def feature_matrix(
    kind: SubjectKind | str, edition: Edition, ids: list[int], names: list[str] | None = None
) -> list[list[float]]:
    """One row per customer of `ids`, one column per feature (NaN where unknown)."""
    chosen = features(kind)
    if names is not None:
        known = {f.name: f for f in chosen}
        chosen = [known[n] for n in names if n in known]
    columns = [f.fn(edition, ids) for f in chosen]
    nan = float("nan")
    return [[float(c[i]) if c.get(i) is not None else nan for c in columns] for i in ids]


# --- what relationships itself holds: complaints, contacts, their tone, the value class -------


def _subject_column(model, kind: SubjectKind):
    return getattr(model, SUBJECT_COLUMNS[kind])


def _chunks(ids: list[int], size: int = 5000):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _grouped(query_for, ids: list[int]) -> dict[int, float]:
    found: dict[int, float] = {}
    for chunk in _chunks(ids):
        found.update({sid: value for sid, value in db.session.execute(query_for(chunk))})
    return found


def _complaints_open_at_cutoff(kind: SubjectKind) -> Callable:
    def feature(edition: Edition, ids: list[int]) -> dict[int, float]:
        column = _subject_column(Complaint, kind)
        counted = _grouped(
            lambda chunk: (
                sa.select(column, sa.func.count())
                .where(
                    column.in_(chunk),
                    Complaint.opened_at <= edition.cutoff,
                    sa.or_(Complaint.resolved_at.is_(None), Complaint.resolved_at > edition.cutoff),
                )
                .group_by(column)
            ),
            ids,
        )
        return {i: counted.get(i, 0) for i in ids}

    return feature


def _complaints_in_year(kind: SubjectKind) -> Callable:
    def feature(edition: Edition, ids: list[int]) -> dict[int, float]:
        column = _subject_column(Complaint, kind)
        counted = _grouped(
            lambda chunk: (
                sa.select(column, sa.func.count())
                .where(
                    column.in_(chunk),
                    Complaint.opened_at <= edition.cutoff,
                    Complaint.opened_at > edition.cutoff - timedelta(days=365),
                )
                .group_by(column)
            ),
            ids,
        )
        return {i: counted.get(i, 0) for i in ids}

    return feature


def _contact(kind: SubjectKind) -> tuple[Callable, Callable]:
    """Days since the last contact before the cut-off, and the share of negative tone in the
    year before it (of contacts whose tone staff judged)."""

    def rows(edition: Edition, ids: list[int]):
        column = _subject_column(Interaction, kind)
        since = edition.cutoff - timedelta(days=365)
        for chunk in _chunks(ids):
            yield from db.session.execute(
                sa.select(
                    column,
                    sa.func.max(Interaction.occurred_at),
                    sa.func.sum(
                        sa.case(
                            (
                                sa.and_(
                                    Interaction.occurred_at > since, Interaction.tone == "negative"
                                ),
                                1,
                            ),
                            else_=0,
                        )
                    ),
                    sa.func.sum(
                        sa.case(
                            (
                                sa.and_(
                                    Interaction.occurred_at > since, Interaction.tone != "neutral"
                                ),
                                1,
                            ),
                            else_=0,
                        )
                    ),
                )
                .where(column.in_(chunk), Interaction.occurred_at <= edition.cutoff)
                .group_by(column)
            )

    def days_since(edition: Edition, ids: list[int]) -> dict[int, float]:
        found = {}
        for sid, last, _neg, _toned in rows(edition, ids):
            if last is not None:
                if last.tzinfo is None:
                    last = last.replace(tzinfo=UTC)
                found[sid] = (edition.cutoff - last).days
        return found

    def negative_share(edition: Edition, ids: list[int]) -> dict[int, float]:
        return {sid: (neg or 0) / toned for sid, _last, neg, toned in rows(edition, ids) if toned}

    return days_since, negative_share


CLASS_RANK = {"value": 4, "potential": 3, "maintain": 2, "low": 1}
RANK_CLASS = {rank: code for code, rank in CLASS_RANK.items()}


def _value_class(kind: SubjectKind) -> Callable:
    """The value class as it stood at the cut-off: from the timeline's class changes, or the
    class computed now if it has not changed since before the cut-off."""

    def feature(edition: Edition, ids: list[int]) -> dict[int, float]:
        column = _subject_column(Interaction, kind)
        found: dict[int, float] = {}
        for chunk in _chunks(ids):
            changes = db.session.execute(
                sa.select(column, Interaction.occurred_at, Interaction.params)
                .where(
                    column.in_(chunk),
                    Interaction.event == "relationships.value_class",
                    Interaction.occurred_at <= edition.cutoff,
                )
                .order_by(Interaction.occurred_at, Interaction.id)
            )
            for sid, _at, params in changes:
                rank = CLASS_RANK.get((params or {}).get("after"))
                if rank is not None:
                    found[sid] = rank
            value_column = _subject_column(CustomerValueState, kind)
            for sid, value_class in db.session.execute(
                sa.select(value_column, CustomerValueState.value_class).where(
                    value_column.in_(chunk),
                    CustomerValueState.class_since <= edition.cutoff,
                )
            ):
                if sid not in found:
                    found[sid] = CLASS_RANK[ValueClass(value_class).value]
        return found

    return feature


for _kind in PREDICTED_KINDS:
    churn_feature(
        "open_complaints",
        _kind,
        text=_l("%(value)s complaint(s) still open at the rebooking deadline"),
    )(_complaints_open_at_cutoff(_kind))
    churn_feature("complaints_year", _kind, text=_l("%(value)s complaint(s) in the year before"))(
        _complaints_in_year(_kind)
    )
    _days, _negative = _contact(_kind)
    churn_feature("days_since_contact", _kind, text=_l("No contact for %(value)s days"))(_days)
    churn_feature(
        "negative_tone",
        _kind,
        text=_l("%(value)s of the contacts with a tone were negative"),
        display=percent,
    )(_negative)
    churn_feature(
        "value_class",
        _kind,
        text=_l("Value class at the time: %(value)s"),
        display=lambda rank: RANK_CLASS.get(int(round(rank)), "low"),
        codes={"value": ValueClass},
    )(_value_class(_kind))
