"""Shows and staff."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from expo_crm import clock
from expo_crm.auth import services as auth
from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.shows import services as shows

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)

__all__ = ["PASSWORD", "create_show", "create_staff", "create_open_show"]


def create_staff(
    role: Role | str = Role.admin,
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
    locale: str | None = "en",
    commit: bool = True,
):
    n = next(_seq)
    user = auth.create_staff(
        email or f"{Role(role).value}{n}@example.com",
        name or f"{Role(role).value.title()} {n}",
        password,
        role,
        locale=locale,
    )
    if commit:
        db.session.commit()
    return user


def create_show(
    open_from: date | None = None,
    days: int = 3,
    code: str | None = None,
    series: str = "EXPO",
    commit: bool = True,
    **values,
):
    """A show whose open days start at open_from (default: in 60 days), with a day of move-in
    before and a day of move-out after."""
    n = next(_seq)
    open_from = open_from or (clock.now().date() + timedelta(days=60))
    open_to = open_from + timedelta(days=days - 1)
    show = shows.create_show(
        code=code or f"{series}{n}",
        series=series,
        name_zh=values.pop("name_zh", f"测试展会 {n}"),
        name_en=values.pop("name_en", f"Test Expo {n}"),
        venue=values.pop("venue", "Shanghai New International Expo Centre"),
        timezone=values.pop("timezone", "Asia/Shanghai"),
        move_in_date=values.pop("move_in_date", open_from - timedelta(days=1)),
        open_from=open_from,
        open_to=open_to,
        move_out_date=values.pop("move_out_date", open_to + timedelta(days=1)),
        rebooking_deadline=values.pop("rebooking_deadline", None),
        **values,
    )
    if commit:
        db.session.commit()
    return show


def create_open_show(**values):
    """A show open today (in its own time zone)."""
    today = clock.now().astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).date()
    return create_show(open_from=today, **values)
