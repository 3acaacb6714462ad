"""Exhibitors' scheduled work: the rebooking offer (a step of the show's plan) and the release
of booth holds that lapsed (every minute)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from expo_crm.exhibitors import rebooking
from expo_crm.scheduler.registry import periodic_job, plan_action
from expo_crm.shows.models import Show


@plan_action(
    "exhibitors.rebooking_offer",
    label=_l("Rebooking offer to past exhibitors, with their priority window"),
    audience="exhibitors",
    anchor="open_from",
    offset_days=-180,
    until=("open_from", -1),
    hour=10,
)
def send_rebooking_offers(show: Show, at: datetime) -> int:
    return rebooking.send_offers(show, at)


@periodic_job(
    "exhibitors.release_lapsed_holds", label=_l("Free the booths whose hold lapsed"), minutes=1
)
def release_lapsed_holds(at: datetime) -> int:
    return rebooking.release_lapsed(at)
