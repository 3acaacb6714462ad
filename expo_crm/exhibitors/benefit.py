""" "Benefit small, cost large" (参加展会的所得很小而成本却很大): the seeds' own words for an
exhibitor whose relationship is weakening. Fed to the life cycle as a warning signal: an
exhibitor whose cost per qualified lead on its last show was far above its hall's median, or
who paid for a booth and got no qualified lead where others did."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm import events
from expo_crm.db import db
from expo_crm.exhibitors import returns
from expo_crm.relationships.lifecycle import warning_source
from expo_crm.shows.models import Show

BENEFIT_LOW = events.register(
    "exhibitors.benefit_low",
    _l(
        "Benefit small, cost large at %(show)s: cost per qualified lead %(ratio)s× the median"
        " of hall %(hall)s."
    ),
).name
BENEFIT_NONE = events.register(
    "exhibitors.benefit_none",
    _l(
        "Benefit small, cost large at %(show)s: no qualified lead for %(cost)s CNY, where hall"
        " %(hall)s paid a median %(median)s CNY per qualified lead."
    ),
).name


def _amount(value: Decimal) -> str:
    return f"{value:,.0f}"


def findings(
    show: Show, show_returns: list[returns.ExhibitorReturn], ratio_limit: Decimal, min_peers: int
) -> dict[int, tuple[str, dict]]:
    """company_id -> (event, params) for the show's exhibitors whose return was small for its cost."""
    found: dict[int, tuple[str, dict]] = {}
    by_hall: dict[str, list[returns.ExhibitorReturn]] = defaultdict(list)
    for r in show_returns:
        by_hall[r.hall].append(r)
    name = {"zh": show.name_zh, "en": show.name_en}
    for hall, members in by_hall.items():
        costs = [r.cost_per_qualified for r in members if r.cost_per_qualified is not None]
        if not hall or len(costs) < min_peers:
            continue
        median = Decimal(statistics.median(costs))
        if median <= 0:
            continue
        for r in members:
            if r.cost_per_qualified is None:
                if r.cost > 0:
                    params = {"show": name, "hall": hall, "cost": _amount(r.cost)}
                    found[r.company_id] = (BENEFIT_NONE, params | {"median": _amount(median)})
                continue
            ratio = r.cost_per_qualified / median
            if ratio >= ratio_limit:
                params = {"show": name, "hall": hall, "ratio": f"{ratio:.1f}"}
                found[r.company_id] = (BENEFIT_LOW, params)
    return found


@warning_source("exhibitor")
def benefit_small_cost_large(at: datetime, values: dict) -> dict[int, list[tuple[str, dict]]]:
    """Each exhibitor judged on the last show it exhibited at that ended within the window of
    current value; a later show where the return was fine clears an earlier warning."""
    since = at.date() - timedelta(days=int(values["current_window_days"]))
    shows = [
        show
        for show in db.session.scalars(
            sa.select(Show)
            .where(Show.open_to >= since, Show.open_to <= at.date())
            .order_by(Show.open_from, Show.id)
        )
        if returns.is_over(show, at)
    ]
    ratio_limit = Decimal(values["benefit_cost_ratio"])
    min_peers = int(values["benefit_min_peers"])
    latest: dict[int, tuple[str, dict] | None] = {}
    for show in shows:
        show_returns = returns.show_returns(show)
        judged = findings(show, show_returns, ratio_limit, min_peers)
        for r in show_returns:
            latest[r.company_id] = judged.get(r.company_id)
    return {company_id: [found] for company_id, found in latest.items() if found is not None}
