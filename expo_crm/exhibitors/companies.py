"""Companies and their contacts: create, update, find duplicates, and the staff list query."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from expo_crm import audit
from expo_crm.db import db
from expo_crm.exhibitors.models import (
    Application,
    ApplicationState,
    Booth,
    BoothAssignment,
    Company,
    Contact,
)
from expo_crm.exhibitors.services import ExhibitorError
from expo_crm.relationships.models import LifecycleStage, RelationshipState
from expo_crm.relationships.value import value_source
from expo_crm.subjects import SubjectKind

COMPANY_FIELDS = (
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
    "notes",
    "owner_id",
)
# Legal-form words that do not tell two firms apart.
_LEGAL_FORMS = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|集团|公司"
    r"|\b(?:co|company|corp|corporation|inc|incorporated|ltd|limited|llc|gmbh|ag|plc|group|sa|srl|bv)\b)"
)


def normalize_name(name: str | None) -> str:
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = _LEGAL_FORMS.sub(" ", text)
    return "".join(ch for ch in text if ch.isalnum())[:200]


def normalize_tax_id(tax_id: str | None) -> str | None:
    text = unicodedata.normalize("NFKC", tax_id or "").upper()
    text = "".join(ch for ch in text if ch.isalnum())
    return text or None


def find_duplicates(
    name_zh: str = "", name_en: str = "", tax_id: str | None = None, exclude_id: int | None = None
) -> list[Company]:
    """Existing companies with the same tax id or the same normalised name."""
    conditions = []
    tax = normalize_tax_id(tax_id)
    if tax:
        conditions.append(Company.tax_id == tax)
    names = {n for n in (normalize_name(name_zh), normalize_name(name_en)) if n}
    if names:
        conditions.append(Company.normalized_name.in_(names))
        conditions.append(Company.normalized_name_en.in_(names))
    if not conditions:
        return []
    query = sa.select(Company).where(sa.or_(*conditions)).order_by(Company.id).limit(10)
    if exclude_id is not None:
        query = query.where(Company.id != exclude_id)
    return list(db.session.scalars(query))


def _apply_company_values(company: Company, values: dict) -> None:
    for key in COMPANY_FIELDS:
        if key in values:
            setattr(company, key, values[key])
    company.name_zh = (company.name_zh or "").strip()
    company.name_en = (company.name_en or "").strip()
    company.tax_id = normalize_tax_id(company.tax_id)
    company.country = (company.country or "CN").strip().upper()[:2]
    company.normalized_name = normalize_name(company.name_zh or company.name_en)
    company.normalized_name_en = normalize_name(company.name_en)
    if not company.name_zh and not company.name_en:
        raise ExhibitorError(_("A company needs a Chinese or an English name."))


def create_company(**values) -> Company:
    company = Company()
    _apply_company_values(company, values)
    _check_tax_id_free(company.tax_id, None)
    db.session.add(company)
    db.session.flush()
    audit.record("company.create", company, after=audit.snapshot(company, *COMPANY_FIELDS))
    return company


def update_company(company: Company, **values) -> Company:
    before = audit.snapshot(company, *COMPANY_FIELDS)
    _apply_company_values(company, values)
    _check_tax_id_free(company.tax_id, company.id)
    after = audit.snapshot(company, *COMPANY_FIELDS)
    changed = {k for k in COMPANY_FIELDS if before[k] != after[k]}
    if changed:
        audit.record(
            "company.update",
            company,
            {k: before[k] for k in changed},
            {k: after[k] for k in changed},
        )
    return company


def _check_tax_id_free(tax_id: str | None, company_id: int | None) -> None:
    if not tax_id:
        return
    clash = db.session.scalar(
        sa.select(Company.id).where(Company.tax_id == tax_id, Company.id != (company_id or -1))
    )
    if clash:
        raise ExhibitorError(_("Another company already has the tax id %(tax_id)s.", tax_id=tax_id))


def get_company_or_404(company_id: int) -> Company:
    return db.get_or_404(Company, company_id)


def add_contact(
    company: Company,
    *,
    name: str,
    email: str = "",
    phone: str = "",
    title: str = "",
    locale: str = "zh",
    is_primary: bool = False,
) -> Contact:
    has_primary = any(c.is_primary for c in company.contacts)
    if is_primary:
        for other in company.contacts:
            other.is_primary = False
        db.session.flush()
    contact = Contact(
        company=company,
        name=name.strip(),
        email=(email or "").strip().lower(),
        phone=phone.strip(),
        title=title.strip(),
        locale=locale if locale in ("zh", "en") else "zh",
        is_primary=is_primary or not has_primary,
    )
    db.session.add(contact)
    db.session.flush()
    audit.record("contact.create", contact, after={"company_id": company.id, "name": contact.name})
    return contact


@dataclass
class CompanyFilters:
    q: str = ""
    show_id: int | None = None
    state: str = ""
    hall: str = ""
    owner_id: int | None = None
    stage: str = ""
    sort: str = "name"


SORTS = {
    "name": (Company.name_zh, Company.name_en),
    "name_en": (Company.name_en,),
    "city": (Company.city, Company.name_zh),
    "created": (Company.created_at,),
}


def company_query(filters: CompanyFilters) -> sa.Select:
    """The staff list, filtered and sorted in SQL (ten thousand companies stay fast)."""
    query = sa.select(Company)
    if filters.q:
        needle = f"%{filters.q.strip().lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(Company.name_zh).like(needle),
                sa.func.lower(Company.name_en).like(needle),
                Company.normalized_name.like(f"%{normalize_name(filters.q)}%")
                if normalize_name(filters.q)
                else sa.false(),
                sa.func.lower(Company.tax_id).like(needle),
                sa.func.lower(Company.city).like(needle),
            )
        )
    if filters.owner_id:
        query = query.where(Company.owner_id == filters.owner_id)
    if filters.show_id or filters.state:
        applied = sa.select(Application.company_id)
        if filters.show_id:
            applied = applied.where(Application.show_id == filters.show_id)
        if filters.state in ApplicationState.__members__:
            applied = applied.where(Application.state == ApplicationState(filters.state))
        query = query.where(Company.id.in_(applied))
    if filters.hall:
        in_hall = (
            sa.select(BoothAssignment.company_id).join(Booth).where(Booth.hall == filters.hall)
        )
        if filters.show_id:
            in_hall = in_hall.where(BoothAssignment.show_id == filters.show_id)
        query = query.where(Company.id.in_(in_hall))
    if filters.stage in LifecycleStage.__members__:
        in_stage = sa.select(RelationshipState.company_id).where(
            RelationshipState.kind == SubjectKind.exhibitor,
            RelationshipState.stage == LifecycleStage(filters.stage),
        )
        query = query.where(Company.id.in_(in_stage))
    key = filters.sort.lstrip("-")
    columns = SORTS.get(key, SORTS["name"])
    descending = filters.sort.startswith("-")
    order = [c.desc() if descending else c.asc() for c in columns]
    return query.order_by(*order, Company.id)


def lifecycle_stages(company_ids: list[int]) -> dict[int, LifecycleStage]:
    """The current life-cycle stage of each listed company that has been evaluated."""
    if not company_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(RelationshipState.company_id, RelationshipState.stage).where(
                RelationshipState.kind == SubjectKind.exhibitor,
                RelationshipState.company_id.in_(company_ids),
            )
        ).all()
    )


@value_source("company_names")
def company_names() -> dict[int, str]:
    return dict(
        db.session.execute(
            sa.select(
                Company.id, sa.func.coalesce(sa.func.nullif(Company.name_zh, ""), Company.name_en)
            )
        ).all()
    )


@value_source("company_size_query")
def company_size_query() -> sa.Select:
    """(company_id, size code or "?") of every company: the segment retention is measured in."""
    size = sa.type_coerce(Company.size, sa.String)
    return sa.select(Company.id.label("company_id"), sa.func.coalesce(size, "?").label("segment"))
