"""Service catalogue, service orders (staff side) and the supplier's work list."""

from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm import lists
from expo_crm.actions import user_action
from expo_crm.audit.models import AuditEvent
from expo_crm.auth.permissions import requires
from expo_crm.db import db
from expo_crm.documents.excel import xlsx_response
from expo_crm.shows import services as shows
from expo_crm.suppliers import evaluations, services
from expo_crm.suppliers.forms import CatalogueItemForm, OrderStateForm, StaffOrderForm
from expo_crm.suppliers.models import ORDER_TRANSITIONS, OrderState
from expo_crm.suppliers.views import bp


def _show_from_args():
    """The show chosen with ?show_id=, else the next one still running or ahead, else None."""
    show_id = request.args.get("show_id", type=int)
    if show_id:
        return shows.get_show_or_404(show_id)
    today = services.clock.now().date()
    every = shows.list_shows()
    upcoming = sorted((s for s in every if s.move_out_date >= today), key=lambda s: s.open_from)
    return upcoming[0] if upcoming else (every[0] if every else None)


def _order_rows(orders):
    return [
        (
            o.id,
            o.show.code,
            o.company.name,
            o.supplier.name,
            o.item.name,
            o.quantity,
            o.unit_price,
            o.surcharge_pct,
            o.amount,
            o.state.label,
            o.ordered_at,
        )
        for o in orders
    ]


def ORDER_HEADERS():
    return [
        _("Order"),
        _("Show"),
        _("Exhibitor"),
        _("Supplier"),
        _("Service"),
        _("Quantity"),
        _("Unit price"),
        _("Late surcharge (per cent)"),
        _("Amount"),
        _("State"),
        _("Ordered at"),
    ]


@bp.route("/suppliers/catalogue")
@requires("suppliers.view")
def catalogue():
    show = _show_from_args()
    stmt = services.catalogue_query(
        show.id if show else -1,
        q=request.args.get("q", ""),
        supplier_id=request.args.get("supplier_id", type=int),
        sort=request.args.get("sort", "deadline"),
    )
    if lists.wants_excel() and show:
        rows = [
            (
                i.name_zh,
                i.name_en,
                i.supplier.name,
                i.unit_label,
                i.price,
                i.order_deadline,
                i.late_surcharge_pct,
                _("Yes") if i.late_orders_allowed else _("No"),
            )
            for i in lists.all_rows(stmt)
        ]
        return xlsx_response(
            f"catalogue-{show.code}",
            [
                _("Item (Chinese)"),
                _("Item (English)"),
                _("Supplier"),
                _("Unit"),
                _("Price (CNY)"),
                _("Order deadline"),
                _("Late surcharge (per cent)"),
                _("Accept late orders (with the surcharge)"),
            ],
            rows,
            title=_("Catalogue"),
        )
    return render_template(
        "suppliers/catalogue.html",
        show=show,
        pagination=lists.page_of(stmt),
        shows=shows.list_shows(),
        suppliers=[(s.id, s.name) for s in services.shows_suppliers(show.id)] if show else [],
        args=lists.args(),
        today=services.clock.now().date(),
    )


def _item_form(item=None) -> CatalogueItemForm:
    form = CatalogueItemForm(obj=item)
    form.supplier_id.choices = evaluations.supplier_choices()
    return form


@bp.route("/suppliers/catalogue/new/<int:show_id>", methods=["GET", "POST"])
@requires("suppliers.manage")
def item_create(show_id: int):
    show = shows.get_show_or_404(show_id)
    form = _item_form()
    if form.validate_on_submit():
        supplier = (
            services.get_supplier_or_404(form.supplier_id.data) if form.supplier_id.data else None
        )
        with user_action() as action:
            if supplier is None:
                raise services.SupplierError(_("Choose a supplier."))
            values = form.values()
            values.pop("supplier_id")
            item = services.create_item(show, supplier, **values)
            action.succeeded_with(_("Service %(name)s added to the catalogue.", name=item.name))
        if action.done:
            return redirect(url_for("suppliers.catalogue", show_id=show.id))
    return render_template("suppliers/item_form.html", form=form, show=show, item=None)


@bp.route("/suppliers/catalogue/<int:item_id>/edit", methods=["GET", "POST"])
@requires("suppliers.manage")
def item_edit(item_id: int):
    item = services.get_item_or_404(item_id)
    form = _item_form(item)
    if form.validate_on_submit():
        with user_action(_("Service saved.")) as action:
            services.get_supplier_or_404(form.supplier_id.data)
            services.update_item(item, **form.values())
        if action.done:
            return redirect(url_for("suppliers.catalogue", show_id=item.show_id))
    return render_template("suppliers/item_form.html", form=form, show=item.show, item=item)


@bp.route("/suppliers/orders")
@requires("suppliers.view")
def order_list():
    args = request.args
    stmt = services.order_query(
        show_id=args.get("show_id", type=int),
        supplier_id=args.get("supplier_id", type=int),
        state=args.get("state", ""),
        q=args.get("q", ""),
        sort=args.get("sort", "-ordered"),
    )
    if lists.wants_excel():
        return xlsx_response(
            _("service-orders"),
            ORDER_HEADERS(),
            _order_rows(lists.all_rows(stmt)),
            title=_("Service orders"),
        )
    return render_template(
        "suppliers/orders.html",
        pagination=lists.page_of(stmt),
        args=lists.args(),
        shows=shows.list_shows(),
        states=OrderState,
    )


@bp.route("/suppliers/<int:supplier_id>/work")
@requires("suppliers.view")
def work_list(supplier_id: int):
    """What one supplier has to deliver at one show: its live orders, by exhibitor."""
    supplier = services.get_supplier_or_404(supplier_id)
    show = _show_from_args()
    state = request.args.get("state", "")
    stmt = services.order_query(
        show_id=show.id if show else -1,
        supplier_id=supplier.id,
        state=state,
        q=request.args.get("q", ""),
        sort=request.args.get("sort", "ordered"),
    )
    if not state:
        stmt = stmt.where(services.ServiceOrder.state != OrderState.cancelled)
    if lists.wants_excel():
        return xlsx_response(
            f"work-{supplier.id}-{show.code if show else ''}",
            ORDER_HEADERS(),
            _order_rows(lists.all_rows(stmt)),
            title=_("Work list"),
        )
    return render_template(
        "suppliers/work.html",
        supplier=supplier,
        show=show,
        pagination=lists.page_of(stmt, 100),
        args=lists.args(),
        shows=services.shows_served(supplier.id),
        states=OrderState,
        transitions=ORDER_TRANSITIONS,
        state_form=OrderStateForm(),
    )


@bp.route("/suppliers/orders/<int:order_id>")
@requires("suppliers.view")
def order_detail(order_id: int):
    order = services.get_order_or_404(order_id)
    history = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity_type == "service_orders", AuditEvent.entity_id == str(order.id))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return render_template(
        "suppliers/order.html",
        order=order,
        history=list(history),
        transitions=ORDER_TRANSITIONS[order.state],
        state_form=OrderStateForm(),
    )


@bp.route("/suppliers/orders/<int:order_id>/state", methods=["POST"])
@requires("suppliers.manage")
def order_state(order_id: int):
    order = services.get_order_or_404(order_id)
    form = OrderStateForm()
    if not form.validate_on_submit() or form.state.data not in OrderState.__members__:
        abort(400)
    with user_action() as action:
        services.move_order(order, form.state.data)
        action.succeeded_with(
            _("Order %(id)d is now %(state)s.", id=order.id, state=order.state.label)
        )
    target = request.form.get("next")
    return redirect(
        target if _safe_next(target) else url_for("suppliers.order_detail", order_id=order.id)
    )


def _safe_next(target: str | None) -> bool:
    return bool(target) and target.startswith("/") and not target.startswith("//")


def _participants(show_id: int) -> list[tuple[int, str]]:
    from expo_crm.exhibitors.models import Company, Contract, ContractState

    companies = db.session.scalars(
        sa.select(Company)
        .join(Contract, Contract.company_id == Company.id)
        .where(Contract.show_id == show_id, Contract.state != ContractState.cancelled)
        .distinct()
    )
    return sorted(((c.id, c.name) for c in companies), key=lambda pair: pair[1])


@bp.route("/suppliers/orders/new/<int:show_id>", methods=["GET", "POST"])
@requires("suppliers.manage")
def order_create(show_id: int):
    """Staff order for an exhibitor: the first submit shows the price (with any surcharge), the second places it."""
    show = shows.get_show_or_404(show_id)
    form = StaffOrderForm()
    form.company_id.choices = _participants(show.id)
    form.item_id.choices = [
        (i.id, f"{i.name} · {i.supplier.name}")
        for i in services.catalogue(show.id, active_only=True)
    ]
    quote = None
    if form.validate_on_submit():
        company_ids = {cid for cid, _name in form.company_id.choices}
        if not form.item_id.data or not form.company_id.data:
            flash(_("Choose an exhibitor and a service."), "error")
            return render_template("suppliers/order_form.html", form=form, show=show, quote=None)
        item = services.get_item_or_404(form.item_id.data)
        if item.show_id != show.id or form.company_id.data not in company_ids:
            abort(404)
        order = None
        with user_action() as action:
            quote = services.quote(item, form.quantity.data)
            if form.confirm.data == "1":
                order = services.place_order(
                    form.company_id.data,
                    item,
                    form.quantity.data,
                    channel="staff",
                    staff_id=current_user.id,
                    notes=form.notes.data or "",
                    accepted_amount=_amount(form.accepted_amount.data),
                )
                action.succeeded_with(_("Order %(id)d placed.", id=order.id))
        if action.refused:
            quote = None
        elif order is not None:
            return redirect(url_for("suppliers.order_detail", order_id=order.id))
    return render_template("suppliers/order_form.html", form=form, show=show, quote=quote)


def _amount(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return Decimal(-1)
