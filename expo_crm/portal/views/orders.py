"""Service orders: the catalogue of the shows the exhibitor takes part in, ordering, cancelling."""

from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm.actions import user_action
from expo_crm.auth.permissions import portal
from expo_crm.db import db
from expo_crm.exhibitors import participation
from expo_crm.portal.forms import ActionForm
from expo_crm.portal.views import bp
from expo_crm.suppliers import services as suppliers
from expo_crm.suppliers.forms import OrderForm
from expo_crm.suppliers.models import CatalogueItem, OrderState


def _orderable_item_or_404(item_id: int) -> CatalogueItem:
    """An active item of a show the company exhibits at, still running or ahead."""
    item = suppliers.get_item_or_404(item_id)
    shows = participation.upcoming_shows(current_user.company_id)
    if not item.active or item.show_id not in {show.id for show in shows}:
        abort(404)
    return item


@bp.route("/portal/services")
@portal
def service_catalogue():
    shows = participation.upcoming_shows(current_user.company_id)
    orders = db.session.scalars(
        suppliers.order_query(company_id=current_user.company_id, sort="-ordered")
    )
    return render_template(
        "portal/services.html",
        catalogues=[(show, suppliers.catalogue(show.id, active_only=True)) for show in shows],
        orders=list(orders),
        today={show.id: suppliers.local_today(show) for show in shows},
        cancel_form=ActionForm(),
    )


@bp.route("/portal/services/<int:item_id>/order", methods=["GET", "POST"])
@portal
def order_service(item_id: int):
    """First submit: the price (with the late surcharge, if any) to confirm; second submit: the order."""
    item = _orderable_item_or_404(item_id)
    form = OrderForm()
    quote = None
    refused = None
    try:
        late_check = suppliers.quote(item, 1)
    except suppliers.SupplierError as error:
        refused, late_check = str(error), None
    if refused is None and form.validate_on_submit():
        order = None
        with user_action() as action:
            quote = suppliers.quote(item, form.quantity.data)
            if form.confirm.data == "1":
                order = suppliers.place_order(
                    current_user.company_id,
                    item,
                    form.quantity.data,
                    channel="portal",
                    notes=form.notes.data or "",
                    accepted_amount=_amount(form.accepted_amount.data),
                )
                action.succeeded_with(_("Your order %(id)d was sent to the supplier.", id=order.id))
        if action.done and order is not None:
            return redirect(url_for("portal.service_catalogue"))
        if action.refused:
            quote = None
    return render_template(
        "portal/order.html",
        item=item,
        form=form,
        quote=quote,
        refused=refused,
        late=late_check.late if late_check else True,
    )


@bp.route("/portal/services/orders/<int:order_id>/cancel", methods=["POST"])
@portal
def cancel_order(order_id: int):
    order = suppliers.get_order_or_404(order_id, company_id=current_user.company_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if order.state is not OrderState.ordered:  # once the supplier confirmed, staff cancel it
        flash(_("Only an order the supplier has not yet confirmed can be cancelled here."), "error")
    else:
        with user_action(_("Order %(id)d cancelled.", id=order.id)):
            suppliers.move_order(order, OrderState.cancelled)
    return redirect(url_for("portal.service_catalogue"))


def _amount(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return Decimal(-1)
