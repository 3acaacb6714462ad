"""Scheduled work: meeting reminders, and recommendations recomputed every night."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm.db import db, writing
from expo_crm.matchmaking import recommend, services
from expo_crm.scheduler.registry import periodic_job
from expo_crm.shows.models import Show


@periodic_job(
    "matchmaking.reminders", label=_l("Meeting reminders with calendar files"), minutes=15
)
def meeting_reminders(at: datetime) -> int:
    with writing():
        sent = services.send_reminders(at)
        db.session.commit()
    return sent


@periodic_job(
    "matchmaking.recommendations", label=_l("Matchmaking recommendations"), hour=3, minute=0
)
def nightly_recommendations(at: datetime) -> int:
    """Every show not yet over is scored again (profiles and contracts change every day)."""
    stored = 0
    shows = db.session.scalars(
        sa.select(Show.id).where(Show.open_to >= (at - timedelta(days=1)).date())
    ).all()
    db.session.rollback()
    for show_id in shows:
        with writing():
            stored += recommend.compute_recommendations(show_id, at=at)
            db.session.commit()
    return stored
