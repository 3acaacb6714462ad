"""Badge exports for print vendors (codes included, so audited) and visitor imports."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from sqlalchemy.orm import selectinload

from expo_crm import audit
from expo_crm.db import db
from expo_crm.shows.models import Show
from expo_crm.visitors import services
from expo_crm.visitors.models import Registration, RegistrationSource, RegistrationState

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
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    _audit_export(show, rows, "csv", actor)
    return out.getvalue()


def badges_xlsx(show: Show) -> bytes:
    rows = badge_rows(show)
    book = Workbook()
    sheet = book.active
    sheet.title = "badges"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row[c] for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    _audit_export(show, rows, "xlsx")
    return out.getvalue()


@dataclass
class ImportReport:
    created: int = 0
    existing: int = 0
    errors: list[str] | None = None


HEADERS = {
    "name": "name",
    "姓名": "name",
    "email": "email",
    "邮箱": "email",
    "company": "company",
    "公司": "company",
    "job_title": "job_title",
    "职位": "job_title",
    "mobile": "mobile",
    "手机": "mobile",
    "country": "country",
    "industry": "industry",
    "job_function": "job_function",
    "purchasing_authority": "purchasing_authority",
    "locale": "locale",
    "category": "category",
}


def read_table(filename: str, content: bytes) -> list[dict]:
    if filename.lower().endswith(".xlsx"):
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        values = [
            [("" if v is None else str(v)).strip() for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    else:
        text = content.decode("utf-8-sig")
        values = [[v.strip() for v in row] for row in csv.reader(io.StringIO(text))]
    if not values:
        return []
    header = [HEADERS.get(h.strip().lower(), HEADERS.get(h.strip(), "")) for h in values[0]]
    return [
        {key: value for key, value in zip(header, row, strict=False) if key}
        for row in values[1:]
        if any(row)
    ]


def import_visitors(show: Show, rows: list[dict]) -> ImportReport:
    """Each row in its own savepoint: a bad row is reported and skipped, the others land."""
    report = ImportReport(errors=[])
    for number, row in enumerate(rows, start=2):
        try:
            with db.session.begin_nested():
                outcome = services.register(
                    show,
                    email=row.get("email", ""),
                    details={k: v for k, v in row.items() if k in services.DETAIL_FIELDS},
                    terms_accepted=True,
                    source=RegistrationSource.imported,
                    category=row.get("category") or None,
                    send_email=False,
                    check_open=False,
                )
        except (services.RegistrationError, ValueError) as problem:
            report.errors.append(_("Row %(n)d: %(problem)s", n=number, problem=str(problem)))
            continue
        if outcome.created:
            report.created += 1
        else:
            report.existing += 1
    audit.record(
        "visitors.import",
        show,
        after={
            "created": report.created,
            "existing": report.existing,
            "errors": len(report.errors),
        },
    )
    return report
