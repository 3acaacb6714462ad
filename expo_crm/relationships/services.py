"""Interactions and timelines. The life cycle, value and complaints build on these."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.relationships.models import Channel, Direction, Interaction, Tone
from expo_crm.subjects import SUBJECT_COLUMNS, SubjectKind


def subject_filter(model, kind: SubjectKind | str, subject_id: int):
    return getattr(model, SUBJECT_COLUMNS[SubjectKind(kind)]) == subject_id


def log_interaction(
    kind: SubjectKind | str,
    subject_id: int,
    *,
    channel: Channel | str,
    subject: str = "",
    direction: Direction | str = Direction.outbound,
    notes: str = "",
    tone: Tone | str = Tone.neutral,
    next_step: str = "",
    next_step_due: date | None = None,
    show_id: int | None = None,
    staff_id: int | None = None,
    occurred_at: datetime | None = None,
    source_key: str | None = None,
    event: str | None = None,
    params: dict | None = None,
) -> Interaction:
    """Add an interaction to the current transaction. With a source_key, a repeat adds nothing.

    A person's words go in `subject`; the system passes an event kind and its parameters."""
    if source_key is not None:
        existing = db.session.scalar(
            sa.select(Interaction).where(Interaction.source_key == source_key)
        )
        if existing is not None:
            return existing
    interaction = Interaction(
        occurred_at=occurred_at or clock.now(),
        channel=Channel(channel),
        direction=Direction(direction),
        subject=subject[:200],
        notes=notes,
        tone=Tone(tone),
        next_step=next_step,
        next_step_due=next_step_due,
        show_id=show_id,
        staff_id=staff_id,
        source_key=source_key,
        event=event,
        params=params,
    )
    setattr(interaction, SUBJECT_COLUMNS[SubjectKind(kind)], subject_id)
    db.session.add(interaction)
    return interaction


_INSERT_INTERACTION = sa.insert(Interaction.__table__)  # built once: hot paths only bind values


def record_new_interaction(
    kind: SubjectKind,
    subject_id: int,
    *,
    channel: Channel,
    direction: Direction,
    event: str,
    params: dict,
    source_key: str,
    occurred_at: datetime,
    show_id: int | None = None,
    notes: str = "",
    execute: Callable | None = None,
) -> None:
    """Add an interaction whose source key the caller knows to be new (a first check-in, a mail
    in the transaction that marks it sent): one prebuilt INSERT, no lookup, no ORM unit of work.
    `execute(statement, params)` runs it in a transaction of the caller's (default: the session)."""
    (execute or db.session.execute)(
        _INSERT_INTERACTION,
        {
            SUBJECT_COLUMNS[kind]: subject_id,
            "occurred_at": occurred_at,
            "channel": channel,
            "direction": direction,
            "subject": "",
            "event": event,
            "params": params,
            "notes": notes,
            "tone": Tone.neutral,
            "next_step": "",
            "next_step_done": False,
            "show_id": show_id,
            "source_key": source_key,
            "created_at": occurred_at,
            "updated_at": occurred_at,
        },
    )


def timeline(kind: SubjectKind | str, subject_id: int, limit: int = 200) -> list[Interaction]:
    return list(
        db.session.scalars(
            sa.select(Interaction)
            .where(subject_filter(Interaction, kind, subject_id))
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
            .limit(limit)
        )
    )


def where_we_left_off(
    kind: SubjectKind | str, subject_id: int
) -> tuple[Interaction | None, Interaction | None]:
    """The last contact, and the earliest next step still open."""
    base = sa.select(Interaction).where(subject_filter(Interaction, kind, subject_id))
    last = db.session.scalar(
        base.order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(1)
    )
    open_step = db.session.scalar(
        base.where(Interaction.next_step != "", Interaction.next_step_done.is_(False))
        .order_by(Interaction.next_step_due.is_(None), Interaction.next_step_due, Interaction.id)
        .limit(1)
    )
    return last, open_step


def mark_next_step_done(interaction: Interaction) -> Interaction:
    from expo_crm import audit

    if not interaction.next_step_done:
        interaction.next_step_done = True
        audit.record(
            "interaction.next_step_done", interaction, after={"next_step": interaction.next_step}
        )
    return interaction


__all__ = [
    "evaluate_all",
    "log_interaction",
    "mark_next_step_done",
    "subject_filter",
    "timeline",
    "where_we_left_off",
]


def evaluate_all(at: datetime | None = None) -> int:
    """The nightly life-cycle evaluation of every relationship (set-based; see lifecycle.py).

    One transaction, committed here. Idempotent: a second run with the same data changes no
    stage and raises no alert. Returns the number of stage changes."""
    from expo_crm.db import writing
    from expo_crm.relationships.lifecycle import evaluate

    at = at or clock.now()
    with writing():
        db.session.commit()  # start the writing transaction afresh (BEGIN IMMEDIATE on SQLite)
        try:
            changes = evaluate(at)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return changes


def sync_alert_outcomes() -> int:
    """Close alerts whose follow-up task staff completed, with the task's outcome."""
    from expo_crm.relationships.lifecycle import sync_alert_outcomes as sync

    return sync()


def evaluate_values(at: datetime | None = None) -> dict[str, int]:
    """The nightly customer value computation (set-based; see valuation.py) and the loyalty per
    edition (edition_loyalty.py), one transaction, committed here. Idempotent: a second run with
    the same data changes no class and replaces the figures per edition."""
    from expo_crm.db import writing
    from expo_crm.relationships import edition_loyalty
    from expo_crm.relationships.valuation import evaluate

    at = at or clock.now()
    with writing():
        db.session.commit()
        try:
            result = evaluate(at)
            edition_loyalty.store(at)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return result
