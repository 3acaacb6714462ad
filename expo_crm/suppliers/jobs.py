"""Nightly: alert the owner of a supplier whose qualification document lapses before or during a show it serves."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm.db import db, writing
from expo_crm.scheduler.registry import periodic_job
from expo_crm.suppliers import documents
from expo_crm.suppliers.models import DOCUMENT_EXPIRES, DOCUMENT_MISSING, Supplier
from expo_crm.tasks.models import Task, TaskKind
from expo_crm.tasks.services import create_task

KEY_PREFIX = "supplier-doc:"


@periodic_job(
    "suppliers.document_expiry", label=_l("Supplier documents expiring before a show"), hours=24
)
def document_expiry_alerts(at: datetime) -> int:
    """One task per (supplier, document kind, show, document version): a rerun adds nothing."""
    created = 0
    today = at.date()
    with writing():
        existing = set(
            db.session.scalars(
                sa.select(Task.source_key).where(Task.source_key.like(KEY_PREFIX + "%"))
            )
        )
        suppliers = list(
            db.session.scalars(
                sa.select(Supplier).where(Supplier.active.is_(True)).order_by(Supplier.id)
            )
        )
        for supplier in suppliers:
            for alert in documents.document_alerts(supplier, today):
                version = alert.document.id if alert.document else "missing"
                key = f"{KEY_PREFIX}{supplier.id}:{alert.kind.value}:{alert.show.id}:{version}"
                if key in existing:
                    continue
                event, params = _event(alert)
                create_task(
                    event=event,
                    params=params,
                    owner_id=supplier.owner_id,
                    kind=TaskKind.document_expiry,
                    subject=("supplier", supplier.id),
                    show_id=alert.show.id,
                    due_date=max(today, alert.show.move_in_date - timedelta(days=14)),
                    source_key=key,
                )
                existing.add(key)
                created += 1
            db.session.commit()
    return created


def _event(alert: documents.DocumentAlert) -> tuple[str, dict]:
    """The task's event kind and parameters; its title and description are rendered from them."""
    show = alert.show
    params = {
        "supplier": {"zh": alert.supplier.name_zh, "en": alert.supplier.name_en},
        "doc": alert.kind.value,
        "show": show.code,
        "move_in": show.move_in_date.isoformat(),
        "move_out": show.move_out_date.isoformat(),
    }
    if alert.missing:
        return DOCUMENT_MISSING, params
    return DOCUMENT_EXPIRES, params | {"day": alert.document.expires_on.isoformat()}
