"""Surveys, campaigns, and crowds of checked-in visitors to send them to."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.surveys import campaigns, services
from expo_crm.visitors.models import Registration, Visitor

_seq = itertools.count(1)

__all__ = ["create_checked_in_visitors", "create_survey_campaign", "create_default_survey"]


def create_checked_in_visitors(
    show,
    count: int,
    *,
    at: datetime | None = None,
    locale: str = "en",
    category: str = "professional",
    prefix: str | None = None,
) -> list[int]:
    """`count` visitors registered for the show and checked in at `at` (bulk insert: fast for thousands)."""
    batch = next(_seq)
    prefix = prefix or f"guest{batch}"
    at = at or show.local_start(show.open_from) + timedelta(hours=10)
    now = clock.now()
    visitor_rows = [
        {
            "name": f"Guest {batch}-{n}",
            "email": f"{prefix}-{n}@example.com",
            "company": "Acme",
            "locale": locale,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(count)
    ]
    db.session.execute(sa.insert(Visitor), visitor_rows)
    ids = list(
        db.session.scalars(
            sa.select(Visitor.id)
            .where(Visitor.email.like(f"{prefix}-%@example.com"))
            .order_by(Visitor.id)
        )
    )
    db.session.execute(
        sa.insert(Registration),
        [
            {
                "visitor_id": vid,
                "show_id": show.id,
                "category": category,
                "state": "active",
                "source": "online",
                "first_checked_in_at": at,
                "inside": False,
                "entry_count": 1,
                "created_at": now,
                "updated_at": now,
            }
            for vid in ids
        ],
    )
    db.session.commit()
    return ids


def create_default_survey(commit: bool = True):
    survey = services.default_survey()
    if commit:
        db.session.commit()
    return survey


def create_survey_campaign(
    show,
    *,
    audience: str = "visitors",
    survey=None,
    send: bool = False,
    closes_at: datetime | None = None,
    commit: bool = True,
):
    survey = survey or services.default_survey()
    at = clock.now()
    campaign = campaigns.create_campaign(
        survey,
        show,
        audience,
        closes_at or at + timedelta(days=14),
        at=at,
    )
    if send:
        campaigns.send_campaign(campaign, at)
    if commit:
        db.session.commit()
    return campaign
