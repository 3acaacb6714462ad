"""What relationships hears from the layers below: sent mail and first entries go on the
customer's timeline, in the sender's transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from expo_crm import signals
from expo_crm.db import db
from expo_crm.relationships.models import Channel, Direction, Interaction
from expo_crm.relationships.services import record_new_interaction
from expo_crm.security import mask_personal_links
from expo_crm.subjects import SubjectKind


def _mail_key(message_id: int) -> str:
    return f"mail:{message_id}"


@signals.mail_handed_over.connect
def record_sent_mail(
    message_id: int,
    *,
    subject_ref: tuple[SubjectKind, int] | None,
    subject: str,
    notes: str,
    show_id: int | None,
    at: datetime,
) -> None:
    # The hand-over is written once per message, so the source key is new.
    if subject_ref is None:
        return
    kind, subject_id = subject_ref
    record_new_interaction(
        kind,
        subject_id,
        channel=Channel.email,
        direction=Direction.outbound,
        event="mail.sent",
        params={"subject": subject},
        notes=mask_personal_links(notes),  # staff read the timeline: no usable personal link
        show_id=show_id,
        source_key=_mail_key(message_id),
        occurred_at=at,
    )


@signals.mail_handover_undone.connect
def remove_sent_mail(message_id: int) -> None:
    db.session.execute(
        sa.delete(Interaction).where(Interaction.source_key == _mail_key(message_id))
    )


@signals.badge_admitted.connect
def record_first_entry(
    registration_id: int,
    *,
    visitor_id: int,
    show_id: int,
    gate: str,
    at: datetime,
    execute: Callable | None = None,
) -> None:
    # `execute` runs a statement in the scan's own transaction (the check-in fast path's
    # connection); without it, the session's.
    record_new_interaction(
        SubjectKind.visitor,
        visitor_id,
        channel=Channel.gate,
        direction=Direction.inbound,
        event="visitors.checked_in",
        params={"gate": gate},
        show_id=show_id,
        source_key=f"checkin:{registration_id}",
        occurred_at=at,
        execute=execute,
    )
