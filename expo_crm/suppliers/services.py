"""Suppliers: directory, catalogue, service orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _

from expo_crm import audit, clock
from expo_crm.db import db
from expo_crm.errors import UserError
from expo_crm.exhibitors.contracts import ServiceOrderSource, charge_service_orders_from
from expo_crm.relationships.value import value_source
from expo_crm.shows.models import Show
from expo_crm.suppliers.models import (
    ORDER_TRANSITIONS,
    CatalogueItem,
    OrderState,
    ServiceOrder,
    Supplier,
    SupplierCategory,
    SupplierContact,
)

CENT = Decimal("0.01")


class SupplierError(UserError):
    """A refused change; str(error) is a translated message for the user."""


# --- contract for the exhibitor contract page ---------------------------------------------


def orders_for(company_id: int, show_id: int) -> list[ServiceOrder]:
    """Every service order of a company for a show, cancelled ones too, oldest first."""
    return list(
        db.session.scalars(
            sa.select(ServiceOrder)
            .where(ServiceOrder.company_id == company_id, ServiceOrder.show_id == show_id)
            .order_by(ServiceOrder.ordered_at, ServiceOrder.id)
        )
    )


def orders_total(company_id: int, show_id: int) -> Decimal:
    """The sum of a company's non-cancelled service orders for a show."""
    total = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ServiceOrder.amount), 0)).where(
            ServiceOrder.company_id == company_id,
            ServiceOrder.show_id == show_id,
            ServiceOrder.state != OrderState.cancelled,
        )
    )
    return Decimal(total or 0).quantize(CENT)


def order_deadline(show_id: int, day: date) -> date | None:
    """The first order deadline of the show's active catalogue on or after `day`; once all have
    passed, the last one; None when the show's suppliers offer nothing."""
    deadlines = sorted(
        set(
            db.session.scalars(
                sa.select(CatalogueItem.order_deadline).where(
                    CatalogueItem.show_id == show_id, CatalogueItem.active.is_(True)
                )
            )
        )
    )
    if not deadlines:
        return None
    return next((d for d in deadlines if d >= day), deadlines[-1])


charge_service_orders_from(
    ServiceOrderSource(orders=orders_for, total=orders_total, deadline=order_deadline)
)


# --- directory ----------------------------------------------------------------------------


def get_supplier_or_404(supplier_id: int) -> Supplier:
    return db.session.get(Supplier, supplier_id) or abort(404)


SUPPLIER_FIELDS = (
    "name_zh",
    "name_en",
    "category",
    "email",
    "phone",
    "locale",
    "address",
    "notes",
    "owner_id",
    "active",
)


def create_supplier(
    *, name_zh: str = "", name_en: str = "", category: SupplierCategory | str, **values
) -> Supplier:
    if not (name_zh.strip() or name_en.strip()):
        raise SupplierError(_("Give the supplier a Chinese or English name."))
    supplier = Supplier(
        name_zh=name_zh.strip(), name_en=name_en.strip(), category=SupplierCategory(category)
    )
    for key, value in values.items():
        if key in SUPPLIER_FIELDS:
            setattr(supplier, key, value)
    db.session.add(supplier)
    db.session.flush()
    audit.record(
        "supplier.create",
        supplier,
        after=audit.snapshot(supplier, "name_zh", "name_en", "category"),
    )
    return supplier


def update_supplier(supplier: Supplier, **values) -> Supplier:
    before = audit.snapshot(supplier, *SUPPLIER_FIELDS)
    if "category" in values:
        values["category"] = SupplierCategory(values["category"])
    for key, value in values.items():
        if key in SUPPLIER_FIELDS:
            setattr(supplier, key, value)
    if not (supplier.name_zh.strip() or supplier.name_en.strip()):
        raise SupplierError(_("Give the supplier a Chinese or English name."))
    audit.record(
        "supplier.update", supplier, before=before, after=audit.snapshot(supplier, *SUPPLIER_FIELDS)
    )
    return supplier


def add_contact(
    supplier: Supplier, *, name: str, position: str = "", email: str = "", phone: str = ""
) -> SupplierContact:
    if not name.strip():
        raise SupplierError(_("A contact needs a name."))
    contact = SupplierContact(
        supplier=supplier,
        name=name.strip(),
        position=position,
        email=email.strip().lower(),
        phone=phone,
    )
    db.session.add(contact)
    db.session.flush()
    audit.record("supplier.contact_add", supplier, after={"contact": contact.name})
    return contact


SUPPLIER_SORTS = {
    "name": (Supplier.name_en, Supplier.name_zh),
    "category": (Supplier.category,),
    "created": (Supplier.created_at,),
}


def supplier_query(
    *, q: str = "", category: str = "", active: str = "", sort: str = "name"
) -> sa.Select:
    stmt = sa.select(Supplier)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            sa.or_(
                Supplier.name_zh.ilike(like),
                Supplier.name_en.ilike(like),
                Supplier.email.ilike(like),
            )
        )
    if category in SupplierCategory.__members__:
        stmt = stmt.where(Supplier.category == SupplierCategory(category))
    if active in ("1", "0"):
        stmt = stmt.where(Supplier.active.is_(active == "1"))
    return stmt.order_by(*_order(SUPPLIER_SORTS, sort, "name"), Supplier.id)


def _order(sorts: dict, sort: str, default: str) -> list:
    descending = sort.startswith("-")
    columns = sorts.get(sort.lstrip("-")) or sorts[default]
    return [c.desc() for c in columns] if descending else list(columns)


# --- catalogue ----------------------------------------------------------------------------


def shows_served(supplier_id: int, from_day: date | None = None) -> list[Show]:
    """Shows with catalogue items of this supplier (ending on or after from_day)."""
    stmt = (
        sa.select(Show)
        .join(CatalogueItem, CatalogueItem.show_id == Show.id)
        .where(CatalogueItem.supplier_id == supplier_id)
        .distinct()
        .order_by(Show.open_from)
    )
    if from_day is not None:
        stmt = stmt.where(Show.move_out_date >= from_day)
    return list(db.session.scalars(stmt))


def shows_suppliers(show_id: int) -> list[Supplier]:
    """Suppliers with catalogue items at this show, for a filter."""
    return list(
        db.session.scalars(
            sa.select(Supplier)
            .join(CatalogueItem, CatalogueItem.supplier_id == Supplier.id)
            .where(CatalogueItem.show_id == show_id)
            .distinct()
            .order_by(Supplier.name_en, Supplier.name_zh)
        )
    )


def get_item_or_404(item_id: int) -> CatalogueItem:
    return db.session.get(CatalogueItem, item_id) or abort(404)


ITEM_FIELDS = (
    "name_zh",
    "name_en",
    "unit",
    "price",
    "order_deadline",
    "late_surcharge_pct",
    "late_orders_allowed",
    "active",
    "supplier_id",
)


def create_item(show: Show, supplier: Supplier, **values) -> CatalogueItem:
    if not supplier.active:
        raise SupplierError(_("This supplier is inactive."))
    item = CatalogueItem(show_id=show.id, supplier_id=supplier.id)
    _apply_item(item, values)
    db.session.add(item)
    db.session.flush()
    audit.record("catalogue.create", item, after=audit.snapshot(item, *ITEM_FIELDS))
    return item


def update_item(item: CatalogueItem, **values) -> CatalogueItem:
    before = audit.snapshot(item, *ITEM_FIELDS)
    _apply_item(item, values)
    audit.record("catalogue.update", item, before=before, after=audit.snapshot(item, *ITEM_FIELDS))
    return item


def _apply_item(item: CatalogueItem, values: dict) -> None:
    for key, value in values.items():
        if key in ITEM_FIELDS:
            setattr(item, key, value)
    if not ((item.name_zh or "").strip() or (item.name_en or "").strip()):
        raise SupplierError(_("Give the item a Chinese or English name."))
    if item.price is None or Decimal(item.price) < 0:
        raise SupplierError(_("The price cannot be negative."))
    if item.order_deadline is None:
        raise SupplierError(_("Give the order deadline."))
    surcharge = Decimal(item.late_surcharge_pct or 0)
    if not Decimal(0) <= surcharge <= Decimal(200):
        raise SupplierError(_("The late surcharge must be between 0 and 200 %."))
    item.late_surcharge_pct = surcharge


ITEM_SORTS = {
    "deadline": (CatalogueItem.order_deadline,),
    "name": (CatalogueItem.name_en, CatalogueItem.name_zh),
    "price": (CatalogueItem.price,),
    "supplier": (Supplier.name_en, Supplier.name_zh),
}


def catalogue_query(
    show_id: int,
    *,
    active_only: bool = False,
    q: str = "",
    supplier_id: int | None = None,
    sort: str = "deadline",
) -> sa.Select:
    stmt = (
        sa.select(CatalogueItem)
        .join(Supplier, Supplier.id == CatalogueItem.supplier_id)
        .where(CatalogueItem.show_id == show_id)
    )
    if active_only:
        stmt = stmt.where(CatalogueItem.active.is_(True), Supplier.active.is_(True))
    if supplier_id:
        stmt = stmt.where(CatalogueItem.supplier_id == supplier_id)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            sa.or_(
                CatalogueItem.name_zh.ilike(like),
                CatalogueItem.name_en.ilike(like),
                Supplier.name_zh.ilike(like),
                Supplier.name_en.ilike(like),
            )
        )
    return stmt.order_by(*_order(ITEM_SORTS, sort, "deadline"), CatalogueItem.id)


def catalogue(
    show_id: int, *, active_only: bool = False, q: str = "", supplier_id: int | None = None
) -> list[CatalogueItem]:
    return list(
        db.session.scalars(
            catalogue_query(show_id, active_only=active_only, q=q, supplier_id=supplier_id)
        )
    )


# --- orders -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    item: CatalogueItem
    quantity: int
    late: bool
    surcharge_pct: Decimal
    amount: Decimal
    base_amount: Decimal


def local_today(show: Show, at: datetime | None = None) -> date:
    return (at or clock.now()).astimezone(show.tz).date()


def quote(item: CatalogueItem, quantity: int, at: datetime | None = None) -> Quote:
    """The price of an order now; after the deadline with the surcharge, or refused."""
    if quantity is None or quantity < 1:
        raise SupplierError(_("Order at least one."))
    if quantity > 10000:
        raise SupplierError(_("That quantity is too large."))
    if not item.active or not item.supplier.active:
        raise SupplierError(_("This service can no longer be ordered."))
    late = local_today(item.show, at) > item.order_deadline
    if late and not item.late_orders_allowed:
        raise SupplierError(
            _(
                "The order deadline for this service has passed (%(day)s); late orders are not accepted.",
                day=item.order_deadline.isoformat(),
            )
        )
    pct = Decimal(item.late_surcharge_pct or 0) if late else Decimal(0)
    base = (Decimal(item.price) * quantity).quantize(CENT)
    amount = (base * (Decimal(100) + pct) / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
    return Quote(item, quantity, late, pct, amount, base)


def place_order(
    company_id: int,
    item: CatalogueItem,
    quantity: int,
    *,
    channel: str = "portal",
    staff_id: int | None = None,
    notes: str = "",
    accepted_amount: Decimal | None = None,
    at: datetime | None = None,
) -> ServiceOrder:
    """Record an order at the price of that moment (default now); accepted_amount is what the orderer saw and confirmed."""
    at = at or clock.now()
    priced = quote(item, quantity, at)
    if accepted_amount is not None and Decimal(accepted_amount).quantize(CENT) != priced.amount:
        raise SupplierError(
            _(
                "The price changed since you looked (now %(amount)s). Please check and confirm again.",
                amount=priced.amount,
            )
        )
    order = ServiceOrder(
        company_id=company_id,
        show_id=item.show_id,
        supplier_id=item.supplier_id,
        catalogue_item_id=item.id,
        quantity=quantity,
        unit_price=item.price,
        surcharge_pct=priced.surcharge_pct,
        amount=priced.amount,
        late=priced.late,
        state=OrderState.ordered,
        ordered_at=at,
        channel=channel,
        ordered_by_staff_id=staff_id,
        notes=notes.strip(),
    )
    db.session.add(order)
    db.session.flush()
    audit.record(
        "service_order.create",
        order,
        after=audit.snapshot(
            order,
            "company_id",
            "show_id",
            "supplier_id",
            "catalogue_item_id",
            "quantity",
            "amount",
            "late",
            "channel",
        ),
    )
    return order


def move_order(
    order: ServiceOrder, to: OrderState | str, at: datetime | None = None
) -> ServiceOrder:
    target = OrderState(to)
    at = at or clock.now()
    if target not in ORDER_TRANSITIONS[order.state]:
        raise SupplierError(
            _(
                "An order that is %(state)s cannot become %(target)s.",
                state=order.state.label,
                target=target.label,
            )
        )
    before = order.state
    # The UPDATE only applies when nobody moved the order meanwhile.
    moved = db.session.execute(
        sa.update(ServiceOrder)
        .where(ServiceOrder.id == order.id, ServiceOrder.state == before)
        .values(state=target, state_changed_at=at, updated_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise SupplierError(_("Someone else changed this order meanwhile; please reload."))
    db.session.refresh(order)
    audit.record(
        "service_order.state", order, before={"state": before.value}, after={"state": target.value}
    )
    return order


def get_order_or_404(order_id: int, company_id: int | None = None) -> ServiceOrder:
    order = db.session.get(ServiceOrder, order_id)
    if order is None or (company_id is not None and order.company_id != company_id):
        abort(404)
    return order


ORDER_SORTS = {
    "ordered": (ServiceOrder.ordered_at,),
    "amount": (ServiceOrder.amount,),
    "state": (ServiceOrder.state,),
}


def order_query(
    *,
    show_id: int | None = None,
    supplier_id: int | None = None,
    company_id: int | None = None,
    state: str = "",
    q: str = "",
    sort: str = "-ordered",
) -> sa.Select:
    from expo_crm.exhibitors.models import Company

    stmt = sa.select(ServiceOrder).join(
        CatalogueItem, CatalogueItem.id == ServiceOrder.catalogue_item_id
    )
    if show_id:
        stmt = stmt.where(ServiceOrder.show_id == show_id)
    if supplier_id:
        stmt = stmt.where(ServiceOrder.supplier_id == supplier_id)
    if company_id:
        stmt = stmt.where(ServiceOrder.company_id == company_id)
    if state in OrderState.__members__:
        stmt = stmt.where(ServiceOrder.state == OrderState(state))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.join(Company, Company.id == ServiceOrder.company_id).where(
            sa.or_(
                Company.name_zh.ilike(like),
                Company.name_en.ilike(like),
                CatalogueItem.name_zh.ilike(like),
                CatalogueItem.name_en.ilike(like),
            )
        )
    return stmt.order_by(*_order(ORDER_SORTS, sort, "ordered"), ServiceOrder.id)


@value_source("service_order_query")
def service_order_query() -> sa.Select:
    """(company_id, show_id, amount) of every order not cancelled, as a query the nightly run
    builds on."""
    return sa.select(ServiceOrder.company_id, ServiceOrder.show_id, ServiceOrder.amount).where(
        ServiceOrder.state != "cancelled"
    )


@value_source("service_orders")
def orders_by_company_and_show() -> list:
    """(company_id, show_id, orders, amount) of the orders not cancelled."""
    return db.session.execute(
        sa.select(
            ServiceOrder.company_id,
            ServiceOrder.show_id,
            sa.func.count(),
            sa.func.sum(ServiceOrder.amount),
        )
        .where(ServiceOrder.state != "cancelled")
        .group_by(ServiceOrder.company_id, ServiceOrder.show_id)
    ).all()
