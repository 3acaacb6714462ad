"""Badge exports for print vendors (codes included, so audited)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from expo_crm import audit
from expo_crm.db import db
from expo_crm.documents.excel import csv_text, xlsx_bytes
from expo_crm.shows.models import Show
from expo_crm.visitors import services
from expo_crm.visitors.models import Registration, RegistrationState

COLUMNS = (
    "code",
    "name",
    "company",
    "category",
    "email",
    "job_title",
    "country",
    "registration_id",
    "registered_at",
)


def badge_rows(show: Show, category: str | None = None) -> list[dict]:
    query = (
        sa.select(Registration)
        .where(Registration.show_id == show.id, Registration.state == RegistrationState.active)
        .options(selectinload(Registration.badges))
        .order_by(Registration.id)
    )
    if category:
        query = query.where(Registration.category == category)
    rows = []
    for registration in db.session.scalars(query):
        badge = registration.active_badge
        if badge is None:
            continue
        visitor = registration.visitor
        rows.append(
            {
                "code": services.badge_code(badge),
                "name": visitor.name,
                "company": visitor.company,
                "category": registration.category.value,
                "email": visitor.email,
                "job_title": visitor.job_title,
                "country": visitor.country,
                "registration_id": registration.id,
                "registered_at": registration.created_at.isoformat(),
            }
        )
    return rows


def _audit_export(show: Show, rows: list[dict], fmt: str, actor=None) -> None:
    audit.record(
        "visitors.export_badges",
        show,
        after={"rows": len(rows), "format": fmt},
        actor=actor,
    )


def badges_csv(show: Show, actor=None) -> str:
    rows = badge_rows(show)
    content = csv_text(COLUMNS, ([row[c] for c in COLUMNS] for row in rows))
    _audit_export(show, rows, "csv", actor)
    return content


def badges_xlsx(show: Show) -> bytes:
    rows = badge_rows(show)
    content = xlsx_bytes(COLUMNS, ([row[c] for c in COLUMNS] for row in rows), title="badges")
    _audit_export(show, rows, "xlsx")
    return content
