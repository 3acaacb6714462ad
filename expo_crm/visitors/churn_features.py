"""What the visitors area adds to the churn model: how often a visitor came, and whether the
edition before this one too (see relationships.churn_features)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm.db import db
from expo_crm.relationships.churn_features import Edition, churn_feature
from expo_crm.visitors.models import Registration


def _came(edition: Edition, ids: list[int], show_ids: list[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for visitor_id, n in db.session.execute(
            sa.select(Registration.visitor_id, sa.func.count(sa.distinct(Registration.show_id)))
            .where(
                Registration.visitor_id.in_(chunk),
                Registration.show_id.in_(show_ids),
                Registration.first_checked_in_at.is_not(None),
                Registration.first_checked_in_at <= edition.cutoff,
            )
            .group_by(Registration.visitor_id)
        ):
            found[visitor_id] = n
    return found


@churn_feature("editions", "visitor", text=_l("Came to only %(value)s edition(s) so far"))
def editions_visited(edition: Edition, ids: list[int]) -> dict[int, float]:
    return _came(edition, ids, list(edition.series_so_far))


@churn_feature("skipped_previous", "visitor", text=_l("Did not come to the edition before"))
def skipped_previous(edition: Edition, ids: list[int]) -> dict[int, float]:
    previous = edition.previous_show_id
    if previous is None:
        return {}
    came = _came(edition, ids, [previous])
    return {i: 0 if came.get(i) else 1 for i in ids}
