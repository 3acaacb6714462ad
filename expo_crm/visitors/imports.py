"""Import of visitors (registrations for one show) from Excel or CSV, as the exhibitor import:
the file is read within limits (expo_crm.documents.tabular), every row is checked and shown
before anything is written, and a file with any bad row imports nothing (all or nothing)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from expo_crm import audit
from expo_crm.db import db
from expo_crm.documents import tabular
from expo_crm.documents.tabular import ImportCheck, RowResult, header_key
from expo_crm.documents.tabular import text as _text
from expo_crm.shows.models import Show
from expo_crm.visitors import services
from expo_crm.visitors.models import (
    Registration,
    RegistrationCategory,
    RegistrationSource,
    RegistrationState,
    Visitor,
)

MAX_ROWS = tabular.MAX_ROWS

# column key -> header spellings accepted (compared lowercased, without spaces, _ or -)
COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "邮箱", "电子邮件", "e-mail"),
    "name": ("name", "姓名"),
    "company": ("company", "公司"),
    "job_title": ("job_title", "职位"),
    "mobile": ("mobile", "手机"),
    "country": ("country", "国家"),
    "industry": ("industry", "行业"),
    "job_function": ("job_function", "职能"),
    "purchasing_authority": ("purchasing_authority", "采购权限"),
    "locale": ("locale", "语言", "language"),
    "category": ("category", "类别"),
}
TEMPLATE_HEADER = list(COLUMNS)
_HEADER_LOOKUP = {
    header_key(spelling): column for column, spellings in COLUMNS.items() for spelling in spellings
}


def check(show: Show, filename: str, content: bytes) -> ImportCheck:
    """Read and check every row; nothing is written. A row's action is "register", or
    "existing" when that email is already registered for the show."""
    result = ImportCheck()
    registered = _registered_emails(show)
    seen: dict[str, int] = {}
    needs = ((("email",), _("The file needs an email column.")),)
    for line, raw in tabular.read_columns(
        result, filename, content, _HEADER_LOOKUP, TEMPLATE_HEADER, needs=needs, max_rows=MAX_ROWS
    ):
        row = RowResult(line=line, values={})
        _check_row(row, {key: _text(value) for key, value in raw.items()})
        email = row.values.get("email")
        if email and email in seen:
            row.errors.append(_("This row repeats row %(line)d (same email).", line=seen[email]))
        elif email:
            seen[email] = line
        if not row.errors:
            row.action = "existing" if email in registered else "register"
        result.rows.append(row)
    if not result.rows and not result.file_errors:
        result.file_errors.append(_("The file has a header row but no data rows."))
    return result


def _check_row(row: RowResult, values: dict) -> None:
    try:
        row.values["email"] = services.normalise_email(values.get("email", ""))
    except services.RegistrationError:
        row.errors.append(
            _("The email address “%(value)s” is not valid.", value=values.get("email", ""))
        )
    try:
        row.values["details"] = services.clean_details(
            {k: v for k, v in values.items() if k in services.DETAIL_FIELDS}
        )
    except services.RegistrationError as problem:
        row.errors.append(str(problem))
    category = values.get("category", "")
    if category and category not in RegistrationCategory._value2member_map_:
        row.errors.append(
            _(
                "The category “%(value)s” is not one of %(known)s.",
                value=category,
                known=", ".join(m.value for m in RegistrationCategory),
            )
        )
    row.values["category"] = category or None


def _registered_emails(show: Show) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(Visitor.email)
            .join(Registration, Registration.visitor_id == Visitor.id)
            .where(
                Registration.show_id == show.id,
                Registration.state == RegistrationState.active,
            )
        )
    )


def apply(show: Show, result: ImportCheck) -> tuple[int, int]:
    """Register every row of a checked file: (registered, already registered). Call only when
    result.ok; a row refused now (the data changed since the check) refuses the whole file."""
    if not result.ok:
        raise ValueError("import has errors")
    created = existing = 0
    for row in result.rows:
        try:
            outcome = services.register(
                show,
                email=row.values["email"],
                details=row.values["details"],
                terms_accepted=True,
                source=RegistrationSource.imported,
                category=row.values["category"],
                send_email=False,
                check_open=False,
            )
        except services.RegistrationError as problem:
            raise services.RegistrationError(
                _("Row %(n)d: %(problem)s", n=row.line, problem=str(problem))
            ) from None
        if outcome.created:
            created += 1
        else:
            existing += 1
    audit.record("visitors.import", show, after={"created": created, "existing": existing})
    return created, existing
