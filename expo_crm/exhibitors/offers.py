"""What an exhibitor offers: categories of the shared tree and its products, as typed."""

from __future__ import annotations

import sqlalchemy as sa

from expo_crm import audit
from expo_crm.categories import services as category_services
from expo_crm.db import db
from expo_crm.exhibitors.models import Company, CompanyCategory


def offered_category_ids(company_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(CompanyCategory.category_id)
            .where(CompanyCategory.company_id == company_id)
            .order_by(CompanyCategory.category_id)
        )
    )


def set_offer(company: Company, category_ids, products_offered: str) -> None:
    """Replace the company's categories (unknown ids dropped) and its product list."""
    wanted = set(category_services.known_ids(category_ids))
    current = set(offered_category_ids(company.id))
    if current - wanted:
        db.session.execute(
            sa.delete(CompanyCategory).where(
                CompanyCategory.company_id == company.id,
                CompanyCategory.category_id.in_(current - wanted),
            )
        )
    for category_id in sorted(wanted - current):
        db.session.add(CompanyCategory(company_id=company.id, category_id=category_id))
    before = {"categories": sorted(current), "products_offered": company.products_offered}
    company.products_offered = (products_offered or "").strip()[:4000]
    db.session.flush()
    audit.record(
        "company.offer",
        company,
        before=before,
        after={"categories": sorted(wanted), "products_offered": company.products_offered},
    )
