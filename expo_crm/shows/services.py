"""Show set-up and queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask_babel import gettext as _

from expo_crm import audit, clock
from expo_crm.db import db
from expo_crm.errors import UserError
from expo_crm.shows.models import ServiceStage, Show

SHOW_FIELDS = (
    "code",
    "series",
    "name_zh",
    "name_en",
    "venue",
    "timezone",
    "move_in_date",
    "move_in_opens",
    "move_in_closes",
    "open_from",
    "open_to",
    "move_out_date",
    "rebooking_deadline",
    "reentry_allowed",
    "registration_open",
)


class ShowError(UserError):
    """Show data refused; str(error) is a message for the user."""


def date_problems(
    move_in: date, open_from: date, open_to: date, move_out: date, rebooking: date | None = None
) -> list[str]:
    problems = []
    if open_to < open_from:
        problems.append(_("The last open day is before the first open day."))
    if open_from < move_in:
        problems.append(_("The open days start before move-in."))
    if move_out < open_to:
        problems.append(_("Move-out is before the last open day."))
    if rebooking is not None and rebooking < open_from:
        problems.append(_("The rebooking deadline is before the show opens."))
    return problems


def _check(values: dict, show_id: int | None) -> None:
    try:
        ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError, KeyError):
        raise ShowError(_("Unknown time zone.")) from None
    problems = date_problems(
        values["move_in_date"],
        values["open_from"],
        values["open_to"],
        values["move_out_date"],
        values.get("rebooking_deadline"),
    )
    opens, closes = values.get("move_in_opens"), values.get("move_in_closes")
    if opens is not None and closes is not None and opens >= closes:
        problems.append(_("Move-in must open before it closes."))
    if problems:
        raise ShowError(" ".join(problems))
    clash = db.session.scalar(
        sa.select(Show.id).where(Show.code == values["code"], Show.id != (show_id or -1))
    )
    if clash:
        raise ShowError(_("Another show already has the code %(code)s.", code=values["code"]))


def create_show(**values) -> Show:
    values.setdefault("series", values.get("code", "").rstrip("0123456789-_") or values.get("code"))
    values.setdefault("timezone", "Asia/Shanghai")
    _check(values, None)
    show = Show(**values)
    db.session.add(show)
    db.session.flush()
    audit.record("show.create", show, after={f: getattr(show, f) for f in SHOW_FIELDS})
    return show


def update_show(show: Show, **values) -> Show:
    merged = {f: getattr(show, f) for f in SHOW_FIELDS} | values
    _check(merged, show.id)
    before = {f: getattr(show, f) for f in SHOW_FIELDS}
    for key, value in values.items():
        setattr(show, key, value)
    after = {f: getattr(show, f) for f in SHOW_FIELDS}
    changed = {k for k in SHOW_FIELDS if before[k] != after[k]}
    if changed:
        audit.record(
            "show.update",
            show,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return show


# --- closed for sale ---------------------------------------------------------------------------


def ensure_open_for_sale(show: Show) -> None:
    """Refuse a new application, booth or contract for a show that is over, unless reopened."""
    if show.closed_for_sale_at(clock.now()):
        raise ShowError(
            _(
                "%(show)s is over and closed for sale: no new applications, booths or contracts. "
                "An administrator can reopen it for sale, with a reason, on the show's page.",
                show=show.name,
            )
        )


def reopen_for_sale(show: Show, reason: str, by_id: int | None) -> Show:
    """An administrator lets sales go on for a show that is over (a late contract, a correction)."""
    reason = reason.strip()
    if not reason:
        raise ShowError(_("Please give a reason for reopening the show for sale."))
    if not show.is_over_at(clock.now()):
        raise ShowError(_("This show is not over: it is open for sale."))
    show.sales_reopened_at = clock.now()
    show.sales_reopened_by_id = by_id
    show.sales_reopened_reason = reason
    audit.record("show.reopen_for_sale", show, after={"reason": reason})
    return show


def close_for_sale(show: Show) -> Show:
    """Undo a reopening: the show that is over is closed for sale again."""
    if show.sales_reopened_at is None:
        raise ShowError(_("This show is not reopened for sale."))
    before = {"reason": show.sales_reopened_reason, "reopened_by_id": show.sales_reopened_by_id}
    show.sales_reopened_at, show.sales_reopened_by_id, show.sales_reopened_reason = None, None, ""
    audit.record("show.close_for_sale", show, before=before)
    return show


@contextmanager
def entering_history(*shows: Show) -> Iterator[None]:
    """Sales of past editions entered as they were made at the time (demo data, test data): the
    shows are on sale inside the block only, and nothing about it is kept."""
    closed = [s for s in shows if s.closed_for_sale_at(clock.now())]
    for show in closed:
        show.sales_reopened_at = clock.now()
    try:
        yield
    finally:
        for show in closed:
            show.sales_reopened_at = None


def list_shows() -> list[Show]:
    return list(db.session.scalars(sa.select(Show).order_by(Show.open_from.desc(), Show.id)))


def current_show() -> Show | None:
    """The show staff most likely work on now: open or in move-in/out, else the next, else the last."""
    moment = clock.now()
    shows = list_shows()
    for wanted in (ServiceStage.in_show, ServiceStage.pre_show):
        candidates = [s for s in shows if s.stage_at(moment) is wanted]
        if candidates:
            return min(candidates, key=lambda s: s.open_from)
    return shows[0] if shows else None


def previous_edition(show: Show) -> Show | None:
    """The edition of the same series that opened last before this one."""
    return db.session.scalar(
        sa.select(Show)
        .where(Show.series == show.series, Show.open_from < show.open_from)
        .order_by(Show.open_from.desc())
        .limit(1)
    )


def editions_of(show: Show) -> list[Show]:
    """Every edition of the show's series, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Show).where(Show.series == show.series).order_by(Show.open_from, Show.id)
        )
    )


def get_show_or_404(show_id: int) -> Show:
    return db.get_or_404(Show, show_id)
