"""Nightly: a task for the partner's owner for each deliverable past its due date."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm.db import db, writing
from expo_crm.partners import services
from expo_crm.partners.models import DELIVERABLE_OVERDUE, Deliverable
from expo_crm.scheduler.registry import periodic_job
from expo_crm.tasks.models import Task, TaskKind
from expo_crm.tasks.services import create_task

KEY_PREFIX = "partner-deliverable:"


@periodic_job(
    "partners.deliverables_overdue", label=_l("Partner deliverables past their due date"), hours=24
)
def overdue_deliverable_alerts(at: datetime) -> int:
    """One task per overdue deliverable (source_key), so reruns add nothing."""
    created = 0
    with writing():
        existing = set(
            db.session.scalars(
                sa.select(Task.source_key).where(Task.source_key.like(KEY_PREFIX + "%"))
            )
        )
        for deliverable in services.overdue_deliverables(at.date()):
            key = f"{KEY_PREFIX}{deliverable.id}"
            if key in existing:
                continue
            partner = deliverable.agreement.partner
            create_task(
                event=DELIVERABLE_OVERDUE,
                params=_title_params(deliverable),
                owner_id=partner.owner_id,
                kind=TaskKind.deliverable,
                description=deliverable.description,
                due_date=at.date(),
                subject=("partner", partner.id),
                show_id=deliverable.agreement.show_id,
                source_key=key,
            )
            created += 1
        db.session.commit()
    return created


def _title_params(deliverable: Deliverable) -> dict:
    partner = deliverable.agreement.partner
    return {
        "partner": {"zh": partner.name_zh, "en": partner.name_en},
        "deliverable": deliverable.kind.value,
        "day": deliverable.due_date.isoformat(),
    }
