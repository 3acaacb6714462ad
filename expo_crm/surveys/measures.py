"""The surveys' figures of a show, for comparing editions (`dashboard.edition_measure`)."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm.dashboard import edition_measure
from expo_crm.db import db
from expo_crm.surveys.models import SurveyResponse
from expo_crm.surveys.results import nps_of


@edition_measure("nps", _l("Net promoter score"), order=60)
def nps(show_id: int) -> int | None:
    scores = db.session.scalars(
        sa.select(SurveyResponse.nps).where(
            SurveyResponse.show_id == show_id, SurveyResponse.nps.is_not(None)
        )
    )
    return nps_of(list(scores))


@edition_measure("satisfaction", _l("Mean satisfaction (1–5)"), order=61)
def satisfaction(show_id: int) -> Decimal | None:
    mean = db.session.scalar(
        sa.select(sa.func.avg(SurveyResponse.satisfaction)).where(
            SurveyResponse.show_id == show_id, SurveyResponse.satisfaction.is_not(None)
        )
    )
    return None if mean is None else Decimal(str(mean)).quantize(Decimal("0.01"))
