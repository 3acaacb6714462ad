"""What surveys add to the churn model: the latest satisfaction and NPS answers given by the
edition's cut-off (see relationships.churn_features)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm.db import db
from expo_crm.relationships.churn_features import PREDICTED_KINDS, Edition, churn_feature
from expo_crm.subjects import SUBJECT_COLUMNS
from expo_crm.surveys.models import SurveyResponse


def _latest(kind, attribute: str):
    def feature(edition: Edition, ids: list[int]) -> dict[int, float]:
        column = getattr(SurveyResponse, SUBJECT_COLUMNS[kind])
        value = getattr(SurveyResponse, attribute)
        found: dict[int, float] = {}
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            # Oldest first: the latest answer by the cut-off is the one that stays.
            for sid, answer in db.session.execute(
                sa.select(column, value)
                .where(
                    column.in_(chunk),
                    value.is_not(None),
                    SurveyResponse.submitted_at <= edition.cutoff,
                )
                .order_by(SurveyResponse.submitted_at, SurveyResponse.id)
            ):
                found[sid] = float(answer)
        return found

    return feature


for _kind in PREDICTED_KINDS:
    churn_feature("satisfaction", _kind, text=_l("Latest survey satisfaction %(value)s (1–5)"))(
        _latest(_kind, "satisfaction")
    )
    churn_feature("nps", _kind, text=_l("Latest likelihood to recommend %(value)s (0–10)"))(
        _latest(_kind, "nps")
    )
