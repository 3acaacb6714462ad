"""The life cycle edition by edition: how many customers stood in each stage when a show closed
(the funnel), and where the customers of one edition stood at the next (the flow).

A customer's stage at a moment is its last stage transition up to then, found by the database
(a window over the transitions), so the figures are those the system held at that time, not
today's. The database also counts them: a page never loads every customer's stage.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time

import sqlalchemy as sa
from flask_babel import gettext as _

from expo_crm import charts
from expo_crm.db import db
from expo_crm.relationships.models import LifecycleStage, StageTransition
from expo_crm.shows.models import Show
from expo_crm.shows.services import previous_edition


def _closing_moment(show: Show) -> datetime:
    return datetime.combine(show.move_out_date, time.max, tzinfo=show.tz).astimezone(UTC)


def _stages_at(moment: datetime):
    """Every customer's stage at the moment (its last transition up to then), as a subquery
    of (state_id, stage)."""
    latest = (
        sa.select(
            StageTransition.state_id,
            StageTransition.to_stage,
            sa.func.row_number()
            .over(
                partition_by=StageTransition.state_id,
                order_by=(StageTransition.at.desc(), StageTransition.id.desc()),
            )
            .label("rank"),
        )
        .where(StageTransition.at <= moment)
        .subquery()
    )
    return (
        sa.select(latest.c.state_id, latest.c.to_stage.label("stage"))
        .where(latest.c.rank == 1)
        .subquery()
    )


def stages_at(moment: datetime) -> dict[int, LifecycleStage]:
    """Every customer's stage at the moment, by life-cycle state id."""
    stages = _stages_at(moment)
    return dict(db.session.execute(sa.select(stages.c.state_id, stages.c.stage)).all())


def stage_counts(moment: datetime) -> Counter:
    """How many customers stood in each stage at the moment (counted by the database)."""
    stages = _stages_at(moment)
    return Counter(
        dict(
            db.session.execute(
                sa.select(stages.c.stage, sa.func.count()).group_by(stages.c.stage)
            ).all()
        )
    )


def moves_between(then: datetime, now: datetime) -> Counter:
    """(stage then, stage now): how many customers, of those known at both moments."""
    before, after = _stages_at(then), _stages_at(now)
    return Counter(
        {
            (a, b): n
            for a, b, n in db.session.execute(
                sa.select(before.c.stage, after.c.stage, sa.func.count())
                .join(after, after.c.state_id == before.c.state_id)
                .group_by(before.c.stage, after.c.stage)
            ).all()
        }
    )


def funnel(show: Show) -> dict:
    counts = stage_counts(_closing_moment(show))
    return charts.funnel_chart(
        _("Life cycle when %(show)s closed", show=show.name),
        [(stage.label, counts.get(stage, 0)) for stage in LifecycleStage],
        value_name=_("Customers"),
    )


def flow(show: Show) -> dict | None:
    """From the previous edition of the series to this one; None for a first edition."""
    before = previous_edition(show)
    if before is None:
        return None
    moves = moves_between(_closing_moment(before), _closing_moment(show))
    return charts.flow_chart(
        _("From %(before)s to %(after)s", before=before.name, after=show.name),
        [
            (f"{a.label} · {before.name}", f"{b.label} · {show.name}", moves[(a, b)])
            for a in LifecycleStage
            for b in LifecycleStage
        ],
        source_name=before.name,
        target_name=show.name,
        value_name=_("Customers"),
    )
