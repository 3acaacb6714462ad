"""The exhibitor portal's service ordering; every query is scoped to current_user.company_id."""

from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from expo_crm.auth.permissions import portal
from expo_crm.db import db
from expo_crm.navigation import nav_item
from expo_crm.shows.models import Show
from expo_crm.suppliers import services
from expo_crm.suppliers.forms import OrderForm, OrderStateForm
from expo_crm.suppliers.models import OrderState
from expo_crm.suppliers.views import bp

nav_item(_l("Services"), "suppliers.portal_catalogue", audience="exhibitor", order=40)


def _my_shows() -> list[Show]:
    """Shows this exhibitor has a live contract for, still running or ahead."""
    from expo_crm.exhibitors.models import Contract, ContractState

    today = services.clock.now().date()
    return list(
        db.session.scalars(
            sa.select(Show)
            .join(Contract, Contract.show_id == Show.id)
            .where(
                Contract.company_id == current_user.company_id,
                Contract.state != ContractState.cancelled,
                Show.move_out_date >= today,
            )
            .distinct()
            .order_by(Show.open_from)
        )
    )


def _my_item(item_id: int):
    item = services.get_item_or_404(item_id)
    if item.show_id not in {s.id for s in _my_shows()} or not item.active:
        abort(404)
    return item


@bp.route("/suppliers/portal/services")
@portal
def portal_catalogue():
    my_shows = _my_shows()
    catalogues = [(show, services.catalogue(show.id, active_only=True)) for show in my_shows]
    orders = list(
        db.session.scalars(
            services.order_query(company_id=current_user.company_id, sort="-ordered")
        )
    )
    return render_template(
        "suppliers/portal/catalogue.html",
        catalogues=catalogues,
        orders=orders,
        today={s.id: services.local_today(s) for s in my_shows},
        state_form=OrderStateForm(),
    )


@bp.route("/suppliers/portal/services/<int:item_id>/order", methods=["GET", "POST"])
@portal
def portal_order(item_id: int):
    """First submit: the price (with the late surcharge, if any) to confirm; second submit: the order."""
    item = _my_item(item_id)
    form = OrderForm()
    quote = None
    refused = None
    try:
        late_check = services.quote(item, 1)
    except services.SupplierError as error:
        refused, late_check = str(error), None
    if refused is None and form.validate_on_submit():
        try:
            quote = services.quote(item, form.quantity.data)
            if form.confirm.data == "1":
                order = services.place_order(
                    current_user.company_id,
                    item,
                    form.quantity.data,
                    channel="portal",
                    notes=form.notes.data or "",
                    accepted_amount=_amount(form.accepted_amount.data),
                )
                db.session.commit()
                flash(_("Your order %(id)d was sent to the supplier.", id=order.id), "success")
                return redirect(url_for("suppliers.portal_catalogue"))
        except services.SupplierError as error:
            db.session.rollback()
            flash(str(error), "error")
            quote = None
    return render_template(
        "suppliers/portal/order.html",
        item=item,
        form=form,
        quote=quote,
        refused=refused,
        late=late_check.late if late_check else True,
    )


@bp.route("/suppliers/portal/services/orders/<int:order_id>/cancel", methods=["POST"])
@portal
def portal_cancel(order_id: int):
    order = services.get_order_or_404(order_id, company_id=current_user.company_id)
    form = OrderStateForm()
    if not form.validate_on_submit():
        abort(400)
    if order.state is not OrderState.ordered:
        flash(_("Only an order the supplier has not yet confirmed can be cancelled here."), "error")
        return redirect(url_for("suppliers.portal_catalogue"))
    try:
        services.move_order(order, OrderState.cancelled)
    except services.SupplierError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Order %(id)d cancelled.", id=order.id), "success")
    return redirect(url_for("suppliers.portal_catalogue"))


def _amount(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return Decimal(-1)
