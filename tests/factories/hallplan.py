"""Drawn hall plans, valid tax ids and rebooking windows."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from expo_crm import clock
from expo_crm.db import db
from expo_crm.exhibitors import hallplan, rebooking
from expo_crm.taxids import check_character

_seq = itertools.count(1)

__all__ = ["create_hall", "create_placed_booth", "create_rebooking_plan", "valid_tax_id"]


def valid_tax_id(n: int | None = None) -> str:
    """A unified social credit code with a correct check character."""
    body = f"91330784MA{(n if n is not None else next(_seq)) % 10**7:07d}"
    return body + check_character(body)


def create_hall(show, hall: str = "W1", width: float = 60, depth: float = 40, commit: bool = True):
    outline = hallplan.set_outline(show.id, hall, [[0, 0], [width, 0], [width, depth], [0, depth]])
    if commit:
        db.session.commit()
    return outline


def create_placed_booth(
    show,
    x: float,
    y: float,
    width: float = 3,
    depth: float = 3,
    hall: str = "W1",
    number: str | None = None,
    rotation: int = 0,
    price: str = "1500",
    commit: bool = True,
):
    booth = hallplan.draw_booth(
        show.id,
        hall=hall,
        number=number or f"{hall}-P{next(_seq):03d}",
        x=x,
        y=y,
        width=width,
        depth=depth,
        rotation=rotation,
        price_per_m2=price,
    )
    if commit:
        db.session.commit()
    return booth


def create_rebooking_plan(
    show,
    starts_at: datetime | None = None,
    window_hours: int = 24,
    companies_per_window: int = 1,
    hold_minutes: int = 30,
    compute: bool = True,
    commit: bool = True,
):
    plan = rebooking.save_plan(
        show,
        starts_at=starts_at or clock.now() + timedelta(days=1),
        window_hours=window_hours,
        companies_per_window=companies_per_window,
        hold_minutes=hold_minutes,
    )
    if compute:
        rebooking.compute_windows(show)
    if commit:
        db.session.commit()
    return plan
