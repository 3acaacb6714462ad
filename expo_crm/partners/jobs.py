"""Nightly: a task for the partner's owner for each deliverable past its due date."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from expo_crm.db import db, writing
from expo_crm.partners import services
from expo_crm.partners.models import Deliverable
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
                _bilingual_title(deliverable),
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


def _bilingual_title(deliverable: Deliverable) -> str:
    """Tasks are read by staff in either language, so the system writes both."""
    titles = []
    for language in ("zh", "en"):
        with force_locale(language):
            titles.append(
                _(
                    "%(partner)s: %(deliverable)s overdue since %(day)s",
                    partner=deliverable.agreement.partner.name,
                    deliverable=deliverable.kind.label,
                    day=deliverable.due_date.isoformat(),
                )
            )
    return " / ".join(titles)
