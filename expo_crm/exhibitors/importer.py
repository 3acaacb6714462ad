"""Import of exhibitors from Excel or CSV: check everything first, write only when confirmed.

A re-import updates: a row matches an existing company by tax id, else by normalised name.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from expo_crm import audit
from expo_crm.db import db
from expo_crm.documents import tabular
from expo_crm.documents.tabular import ImportCheck, RowResult, header_key
from expo_crm.documents.tabular import text as _text
from expo_crm.exhibitors.companies import normalize_name, normalize_tax_id
from expo_crm.exhibitors.models import Company, CompanySize, Contact

MAX_ROWS = tabular.MAX_ROWS
CONTACT_NAME_MAX = Contact.__table__.c.name.type.length
BATCH = 1_000

# column key -> header spellings accepted (compared lowercased, without spaces, _ or -)
COLUMNS: dict[str, tuple[str, ...]] = {
    "name_zh": ("name_zh", "中文名称", "公司名称", "企业名称", "chinesename"),
    "name_en": ("name_en", "英文名称", "englishname", "companyname", "name"),
    "tax_id": ("tax_id", "统一社会信用代码", "税号", "taxid", "uscc"),
    "country": ("country", "国家"),
    "province": ("province", "省份", "省"),
    "city": ("city", "城市"),
    "industry": ("industry", "行业"),
    "product_categories": ("product_categories", "产品类别", "products"),
    "size": ("size", "规模"),
    "website": ("website", "网站", "网址"),
    "established_on": ("established_on", "成立日期", "founded"),
    "contact_name": ("contact_name", "联系人", "contact"),
    "contact_email": ("contact_email", "联系人邮箱", "邮箱", "email"),
    "contact_phone": ("contact_phone", "联系电话", "电话", "phone"),
    "contact_locale": ("contact_locale", "语言", "language"),
}
TEMPLATE_HEADER = list(COLUMNS)


_HEADER_LOOKUP = {
    header_key(spelling): column for column, spellings in COLUMNS.items() for spelling in spellings
}


def _parse_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    for pattern in ("%Y-%m-%d", "%Y%m%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


_SIZES = {m.value: m for m in CompanySize} | {
    "微型": CompanySize.micro,
    "小型": CompanySize.small,
    "中型": CompanySize.medium,
    "大型": CompanySize.large,
}


def check(filename: str, content: bytes) -> ImportCheck:
    """Read and check every row; nothing is written."""
    result = ImportCheck()
    existing_tax, existing_name = _existing_companies()
    seen_tax: dict[str, int] = {}
    seen_name: dict[str, int] = {}
    matched: dict[int, int] = {}  # existing company id -> the row that updates it
    needs = (
        (
            ("name_zh", "name_en"),
            _("The file needs a name_zh or a name_en column (the company name)."),
        ),
    )
    for line, values in tabular.read_columns(
        result, filename, content, _HEADER_LOOKUP, TEMPLATE_HEADER, needs=needs, max_rows=MAX_ROWS
    ):
        row = RowResult(line=line, values={})
        _check_row(row, values)
        tax, name = row.values.get("tax_id"), row.values.get("normalized_name")
        first = (seen_tax.get(tax) if tax else None) or (
            seen_name.get(name) if name and not tax else None
        )
        if first:
            row.errors.append(_("This row repeats row %(line)d (same company).", line=first))
        else:
            if tax:
                seen_tax[tax] = line
            if name:
                seen_name.setdefault(name, line)
        if not row.errors:
            row.existing_id = _match(row.values, existing_tax, existing_name)
            row.action = "update" if row.existing_id else "create"
            if row.existing_id and row.existing_id in matched:
                # Two rows would overwrite one company, and the last would win unseen.
                row.errors.append(
                    _(
                        "This row and row %(line)d would both update the same company.",
                        line=matched[row.existing_id],
                    )
                )
            elif row.existing_id:
                matched[row.existing_id] = line
        result.rows.append(row)
    if not result.rows and not result.file_errors:
        result.file_errors.append(_("The file has a header row but no data rows."))
    return result


def _match(values: dict, by_tax: dict[str, int], by_name: dict[str, int]) -> int | None:
    tax, name = values.get("tax_id"), values.get("normalized_name")
    return (by_tax.get(tax) if tax else None) or by_name.get(name)


def _existing_companies() -> tuple[dict[str, int], dict[str, int]]:
    """Existing companies by tax id and by normalised name. A company's own name (Chinese, else
    English) wins over another company's English name that normalises the same, then the
    oldest company: the same file always matches the same companies, on either database."""
    by_tax, by_name, by_name_en = {}, {}, {}
    for company_id, tax_id, name, name_en in db.session.execute(
        sa.select(
            Company.id, Company.tax_id, Company.normalized_name, Company.normalized_name_en
        ).order_by(Company.id)
    ):
        if tax_id:
            by_tax[tax_id] = company_id
        if name:
            by_name.setdefault(name, company_id)
        if name_en:
            by_name_en.setdefault(name_en, company_id)
    for key, company_id in by_name_en.items():
        by_name.setdefault(key, company_id)
    return by_tax, by_name


def _check_row(row: RowResult, values: dict) -> None:
    out = {key: _text(values.get(key)) for key in COLUMNS if key not in ("established_on",)}
    if not out["name_zh"] and not out["name_en"]:
        row.errors.append(_("The company name is missing (name_zh or name_en)."))
    elif not normalize_name(out["name_zh"] or out["name_en"]):
        # Matched on its letters and digits: a name of punctuation alone could never be found again.
        row.errors.append(
            _(
                "The company name “%(value)s” has no letters or digits.",
                value=out["name_zh"] or out["name_en"],
            )
        )
    for key, limit in (
        ("name_zh", 200),
        ("name_en", 200),
        ("city", 80),
        ("province", 80),
        ("industry", 120),
        ("product_categories", 500),
        ("website", 300),
        ("contact_name", 120),
        ("contact_phone", 40),
    ):
        if len(out[key]) > limit:
            row.errors.append(_("%(column)s is longer than %(n)d characters.", column=key, n=limit))
    out["tax_id"] = normalize_tax_id(out["tax_id"])
    if out["tax_id"] and not 6 <= len(out["tax_id"]) <= 40:
        row.errors.append(_("The tax id “%(value)s” is not valid.", value=out["tax_id"]))
    try:
        out["established_on"] = _parse_date(values.get("established_on"))
    except ValueError as bad:
        row.errors.append(
            _(
                "“%(value)s” in established_on is not a date; write it as 2024-03-31.",
                value=str(bad),
            )
        )
    country = (out["country"] or "CN").upper()
    if len(country) != 2 or not country.isalpha():
        row.errors.append(
            _(
                "The country “%(value)s” must be a two-letter code such as CN or DE.",
                value=out["country"],
            )
        )
    out["country"] = country
    size = out["size"].lower()
    if size and size not in _SIZES:
        row.errors.append(
            _("The size “%(value)s” is not one of micro, small, medium, large.", value=out["size"])
        )
    out["size"] = _SIZES.get(size)
    email = out["contact_email"].lower()
    if email and ("@" not in email or " " in email or len(email) > 254):
        row.errors.append(
            _("The email address “%(value)s” is not valid.", value=out["contact_email"])
        )
    out["contact_email"] = email
    locale = out["contact_locale"].lower()[:2] or "zh"
    out["contact_locale"] = locale if locale in ("zh", "en") else "zh"
    out["normalized_name"] = normalize_name(out["name_zh"] or out["name_en"])
    row.values = out


COMPANY_KEYS = (
    "name_zh",
    "name_en",
    "tax_id",
    "country",
    "province",
    "city",
    "industry",
    "product_categories",
    "size",
    "website",
    "established_on",
)


def apply(result: ImportCheck, owner_id: int | None = None) -> tuple[int, int]:
    """Write a checked file in batches: (created, updated). Call only when result.ok.

    Which rows update which company is decided again here, in the writing transaction: the
    check may have run in an earlier (reading) one, and companies may have come since."""
    if not result.ok:
        raise ValueError("import has errors")
    created = updated = 0
    rows = result.rows
    by_tax, by_name = _existing_companies()
    for row in rows:
        row.existing_id = _match(row.values, by_tax, by_name)
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        ids = [r.existing_id for r in batch if r.existing_id]
        known = (
            {c.id: c for c in db.session.scalars(sa.select(Company).where(Company.id.in_(ids)))}
            if ids
            else {}
        )
        contacts = _contacts_by_company(ids)
        for row in batch:
            values = row.values
            company = known.get(row.existing_id) if row.existing_id else None
            if company is None:
                company = Company(owner_id=owner_id)
                db.session.add(company)
                created += 1
            else:
                updated += 1
            for key in COMPANY_KEYS:
                value = values.get(key)
                # An empty cell keeps what is there; an import never wipes data.
                if value not in (None, "") or company.id is None:
                    setattr(
                        company,
                        key,
                        value
                        if value is not None
                        else ("" if key not in ("tax_id", "size", "established_on") else None),
                    )
            company.country = company.country or "CN"
            company.normalized_name = normalize_name(company.name_zh or company.name_en)
            company.normalized_name_en = normalize_name(company.name_en)
            if values["contact_name"] or values["contact_email"]:
                _merge_contact(company, contacts.get(company.id, []), values)
        db.session.flush()
    audit.record(
        "company.import", entity_type="companies", after={"created": created, "updated": updated}
    )
    return created, updated


def _contacts_by_company(ids: list[int]) -> dict[int, list[Contact]]:
    found: dict[int, list[Contact]] = {}
    if ids:
        for contact in db.session.scalars(sa.select(Contact).where(Contact.company_id.in_(ids))):
            found.setdefault(contact.company_id, []).append(contact)
    return found


def _merge_contact(company: Company, existing: list[Contact], values: dict) -> None:
    email, name = values["contact_email"], values["contact_name"]
    match = next((c for c in existing if email and c.email == email), None) or next(
        (c for c in existing if not email and name and c.name == name), None
    )
    if match is None:
        # Without a name the email stands in for it, cut to the name's column (emails run to 254).
        match = Contact(
            company=company,
            name=name or email[:CONTACT_NAME_MAX],
            email=email,
            is_primary=not any(c.is_primary for c in existing),
        )
        db.session.add(match)
        existing.append(match)
    if name:
        match.name = name
    if values["contact_phone"]:
        match.phone = values["contact_phone"]
    match.locale = values["contact_locale"]
