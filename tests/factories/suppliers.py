"""Suppliers, documents, catalogue items, service orders (and a contracted exhibitor to order)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from expo_crm import clock
from expo_crm.db import db
from expo_crm.suppliers import documents, services
from expo_crm.suppliers.models import DocumentKind, SupplierCategory

_seq = itertools.count(1)

__all__ = [
    "PDF_BYTES",
    "create_catalogue_item",
    "create_contracted_company",
    "create_service_order",
    "create_supplier",
    "create_supplier_document",
]

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def create_supplier(
    category: SupplierCategory | str = SupplierCategory.furniture,
    *,
    name_zh: str | None = None,
    name_en: str | None = None,
    owner=None,
    commit: bool = True,
    **values,
):
    n = next(_seq)
    supplier = services.create_supplier(
        name_zh=name_zh if name_zh is not None else f"供应商{n}",
        name_en=name_en if name_en is not None else f"Supplier {n}",
        category=category,
        owner_id=owner.id if owner is not None else None,
        **values,
    )
    if commit:
        db.session.commit()
    return supplier


def create_supplier_document(
    supplier,
    kind: DocumentKind | str = DocumentKind.business_licence,
    *,
    expires_on: date | None = None,
    commit: bool = True,
):
    document = documents.add_document(
        supplier,
        kind=kind,
        expires_on=expires_on or clock.now().date() + timedelta(days=800),
        filename="licence.pdf",
        content=PDF_BYTES,
    )
    if commit:
        db.session.commit()
    return document


def create_catalogue_item(
    show,
    supplier=None,
    *,
    price: str = "100.00",
    deadline: date | None = None,
    surcharge: str = "30",
    late_allowed: bool = True,
    name_en: str | None = None,
    name_zh: str | None = None,
    unit: str = "pcs",
    commit: bool = True,
):
    supplier = supplier or create_supplier(commit=False)
    n = next(_seq)
    item = services.create_item(
        show,
        supplier,
        name_zh=name_zh or f"服务{n}",
        name_en=name_en or f"Service {n}",
        unit=unit,
        price=Decimal(price),
        order_deadline=deadline or show.move_in_date - timedelta(days=10),
        late_surcharge_pct=Decimal(surcharge),
        late_orders_allowed=late_allowed,
    )
    if commit:
        db.session.commit()
    return item


def create_contracted_company(show, *, name_en: str | None = None, commit: bool = True):
    """A company with a signed contract for the show (made directly, without booths or pricing)."""
    from expo_crm.exhibitors.models import Application, BoothType, Company, Contract, ContractState

    n = next(_seq)
    company = Company(name_zh=f"参展商{n}", name_en=name_en or f"Exhibitor {n}")
    db.session.add(company)
    db.session.flush()
    application = Application(
        company_id=company.id,
        show_id=show.id,
        requested_area_m2=Decimal(18),
        booth_type=next(iter(BoothType)),
    )
    db.session.add(application)
    db.session.flush()
    db.session.add(
        Contract(
            number=f"SUP-TEST-{n}",
            company_id=company.id,
            show_id=show.id,
            application_id=application.id,
            state=ContractState.signed,
            signed_at=clock.now(),
        )
    )
    db.session.flush()
    if commit:
        db.session.commit()
    return company


def create_service_order(company, item, quantity: int = 1, *, commit: bool = True):
    order = services.place_order(company.id, item, quantity, channel="staff")
    if commit:
        db.session.commit()
    return order
