"""The visitors' figures of a show, for comparing editions (`dashboard.edition_measure`)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm.dashboard import edition_measure
from expo_crm.db import db
from expo_crm.visitors.models import Registration, RegistrationState


@edition_measure("visitors_registered", _l("Visitors registered"), order=40)
def visitors_registered(show_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Registration.id)).where(
            Registration.show_id == show_id, Registration.state == RegistrationState.active
        )
    )


@edition_measure("visitors_checked_in", _l("Visitors who came"), order=41)
def visitors_checked_in(show_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Registration.first_checked_in_at)).where(
            Registration.show_id == show_id, Registration.state == RegistrationState.active
        )
    )
