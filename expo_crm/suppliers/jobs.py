"""Nightly: alert the owner of a supplier whose qualification document lapses before or during a show it serves."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from expo_crm.db import db, writing
from expo_crm.scheduler.registry import periodic_job
from expo_crm.suppliers import documents
from expo_crm.suppliers.models import Supplier
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
                create_task(
                    _bilingual_title(alert),
                    owner_id=supplier.owner_id,
                    kind=TaskKind.document_expiry,
                    description=_description(alert),
                    subject=("supplier", supplier.id),
                    show_id=alert.show.id,
                    due_date=max(today, alert.show.move_in_date - timedelta(days=14)),
                    source_key=key,
                )
                existing.add(key)
                created += 1
            db.session.commit()
    return created


def _title(alert: documents.DocumentAlert) -> str:
    if alert.missing:
        return _(
            "%(supplier)s: %(doc)s missing for %(show)s",
            supplier=alert.supplier.name,
            doc=alert.kind.label,
            show=alert.show.code,
        )
    return _(
        "%(supplier)s: %(doc)s expires %(day)s, before the end of %(show)s",
        supplier=alert.supplier.name,
        doc=alert.kind.label,
        day=alert.document.expires_on.isoformat(),
        show=alert.show.code,
    )


def _bilingual_title(alert: documents.DocumentAlert) -> str:
    """Tasks are read by staff in either language, so the system writes both."""
    with force_locale("zh"):
        zh = _title(alert)
    with force_locale("en"):
        en = _title(alert)
    return f"{zh} / {en}"


def _description(alert: documents.DocumentAlert) -> str:
    show = alert.show
    return f"{show.code}: {show.move_in_date.isoformat()} – {show.move_out_date.isoformat()}"
