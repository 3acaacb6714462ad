"""Staff pages: applications, booths and the hall plan, contracts (with PDF) and payments."""

from datetime import datetime, time

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm import clock, lists
from expo_crm.actions import user_action
from expo_crm.auth.permissions import requires
from expo_crm.db import db
from expo_crm.exhibitors.applications import (
    TRANSITIONS,
    create_application,
    get_application_or_404,
    move_application,
)
from expo_crm.exhibitors.booths import (
    assign_booth,
    assigned_booths,
    booth_totals,
    booths_for_show,
    booths_query,
    create_booth,
    halls,
    release_booth,
    set_booth_blocked,
)
from expo_crm.exhibitors.companies import get_company_or_404
from expo_crm.exhibitors.contract_pdf import render_contract_pdf
from expo_crm.exhibitors.contracts import (
    badge_quota,
    cancel_contract,
    create_contract,
    get_contract_or_404,
    live_contract,
    recalculate_contract,
    service_orders,
    set_badge_quota,
    sign_contract,
)
from expo_crm.exhibitors.forms import (
    ApplicationForm,
    AssignBoothForm,
    BadgeQuotaForm,
    BoothForm,
    ContractForm,
    MoveApplicationForm,
    PaymentForm,
    SimpleActionForm,
)
from expo_crm.exhibitors.models import BoothAssignment, BoothStatus
from expo_crm.exhibitors.online import documents_of
from expo_crm.exhibitors.payments import outstanding, paid_amount, record_payment
from expo_crm.exhibitors.views import bp
from expo_crm.shows import services as shows
from expo_crm.shows.choice import chosen_show


def _back(application_id: int):
    """Done or refused, the answer is 303 back to the application; the flashed message says which."""
    return redirect(
        url_for("exhibitors.application_detail", application_id=application_id), code=303
    )


# --- applications ----------------------------------------------------------------------------


@bp.route("/<int:company_id>/applications/new", methods=["GET", "POST"])
@requires("exhibitors.manage")
def application_create(company_id: int):
    company = get_company_or_404(company_id)
    form = ApplicationForm(shows=shows.list_shows())
    if form.validate_on_submit():
        shows.get_show_or_404(form.show_id.data)
        with user_action(_("Application recorded.")) as action:
            application = create_application(
                company,
                form.show_id.data,
                requested_area_m2=form.requested_area_m2.data,
                booth_type=form.booth_type.data,
                preferred_hall=form.preferred_hall.data or "",
                notes=form.notes.data or "",
            )
        if action.done:
            return _back(application.id)
    return render_template("exhibitors/application_form.html", form=form, company=company)


@bp.route("/applications/<int:application_id>")
@requires("exhibitors.view")
def application_detail(application_id: int):
    return _detail_page(get_application_or_404(application_id))


def _detail_page(application, move_form: MoveApplicationForm | None = None):
    allowed = sorted(TRANSITIONS[application.state], key=lambda s: list(type(s)).index(s))
    booths = assigned_booths(application.company_id, application.show_id)
    free = [b for b, _c in booths_for_show(application.show_id, status="available")]
    assign_form = AssignBoothForm()
    assign_form.booth_id.choices = [
        (b.id, f"{b.hall} · {b.number} · {b.area_m2} m² · {b.booth_type.label}") for b in free
    ]
    return render_template(
        "exhibitors/application_detail.html",
        application=application,
        move_form=move_form or MoveApplicationForm(allowed=allowed),
        booths=booths,
        assign_form=assign_form,
        action_form=SimpleActionForm(),
        contract_form=ContractForm(),
        contract=live_contract(application.company_id, application.show_id),
        documents=documents_of(application.id),
        assignments={
            a.booth_id: a
            for a in db.session.scalars(
                db.select(BoothAssignment).where(BoothAssignment.application_id == application.id)
            )
        },
    )


@bp.route("/applications/<int:application_id>/state", methods=["POST"])
@requires("exhibitors.manage")
def application_move(application_id: int):
    application = get_application_or_404(application_id)
    form = MoveApplicationForm(allowed=TRANSITIONS[application.state])
    if not form.validate_on_submit():
        # Shown beside the fields, the reason typed so far kept.
        return _detail_page(application, move_form=form), 400
    with user_action() as action:
        move_application(application, form.state.data, form.reason.data)
        action.succeeded_with(
            _("The application is now “%(state)s”.", state=application.state.label)
        )
    return _back(application_id)


@bp.route("/applications/<int:application_id>/booths", methods=["POST"])
@requires("exhibitors.manage")
def application_assign_booth(application_id: int):
    application = get_application_or_404(application_id)
    booth_id = request.form.get("booth_id", type=int)
    if not SimpleActionForm().validate_on_submit() or not booth_id:
        flash(_("Choose a booth."), "error")
        return _back(application_id)
    with user_action() as action:
        assignment = assign_booth(application, booth_id, assigned_by_id=current_user.id)
        action.succeeded_with(_("Booth %(number)s assigned.", number=assignment.booth.number))
    return _back(application_id)


@bp.route("/applications/<int:application_id>/booths/<int:booth_id>/release", methods=["POST"])
@requires("exhibitors.manage")
def application_release_booth(application_id: int, booth_id: int):
    assignment = db.session.scalar(
        db.select(BoothAssignment).where(
            BoothAssignment.application_id == application_id, BoothAssignment.booth_id == booth_id
        )
    )
    if assignment is None:
        abort(404)
    if not SimpleActionForm().validate_on_submit():
        abort(400)
    with user_action(_("Booth released.")):
        release_booth(assignment)
    return _back(application_id)


# --- booths and hall plan -------------------------------------------------------------------


BOOTHS_PER_PAGE = 100  # a hall's worth; a Canton-sized show has tens of thousands


def _show_from_args():
    show_id = request.args.get("show", type=int)
    show = shows.get_show_or_404(show_id) if show_id else chosen_show()
    return show


@bp.route("/booths", methods=["GET", "POST"])
@requires("exhibitors.view")
def booth_list():
    show = _show_from_args()
    form = BoothForm()
    if request.method == "POST":
        if show is None or not current_user.can("exhibitors.manage"):
            abort(403)
        if form.validate_on_submit():
            with user_action() as action:
                booth = create_booth(
                    show.id,
                    hall=form.hall.data,
                    number=form.number.data,
                    area_m2=form.area_m2.data,
                    booth_type=form.booth_type.data,
                    price_per_m2=form.price_per_m2.data,
                    corner=form.corner.data,
                    island=form.island.data,
                )
                action.succeeded_with(_("Booth %(number)s added.", number=booth.number))
            if action.done:
                return redirect(url_for("exhibitors.booth_list", show=show.id))
    hall, status = request.args.get("hall", ""), request.args.get("status", "")
    pagination = (
        lists.page_of_rows(booths_query(show.id, hall, status), BOOTHS_PER_PAGE) if show else None
    )
    return render_template(
        "exhibitors/booth_list.html",
        show=show,
        pagination=pagination,
        rows=pagination.items if pagination else [],
        form=form,
        shows=shows.list_shows(),
        halls=halls(show.id) if show else [],
        hall=hall,
        status=status,
        statuses=BoothStatus,
        totals=booth_totals(show.id) if show else None,
        action_form=SimpleActionForm(),
    )


@bp.route("/booths/<int:booth_id>/block", methods=["POST"])
@requires("exhibitors.manage")
def booth_block(booth_id: int):
    from expo_crm.exhibitors.models import Booth

    booth = db.get_or_404(Booth, booth_id)
    if not SimpleActionForm().validate_on_submit():
        abort(400)
    with user_action():
        set_booth_blocked(booth, booth.status is not BoothStatus.blocked)
    return redirect(url_for("exhibitors.booth_list", show=booth.show_id))


# --- contracts and payments -------------------------------------------------------------------


@bp.route("/applications/<int:application_id>/contract", methods=["POST"])
@requires("exhibitors.manage")
def contract_create(application_id: int):
    application = get_application_or_404(application_id)
    form = ContractForm()
    if not form.validate_on_submit():
        flash(_("Check the discount and the dates."), "error")
        return _back(application_id)
    with user_action() as action:
        contract = create_contract(
            application,
            discount=form.discount.data or 0,
            deposit_due=form.deposit_due.data,
            balance_due=form.balance_due.data,
        )
        action.succeeded_with(_("Contract %(number)s drawn up.", number=contract.number))
    if action.refused:
        return _back(application_id)
    return redirect(url_for("exhibitors.contract_detail", contract_id=contract.id))


@bp.route("/contracts/<int:contract_id>")
@requires("exhibitors.view")
def contract_detail(contract_id: int):
    contract = get_contract_or_404(contract_id)
    form = PaymentForm(formdata=None)
    form.paid_on.data = contract.show.local_date(clock.now())
    return render_template(
        "exhibitors/contract_detail.html",
        contract=contract,
        payment_form=form,
        booths=assigned_booths(contract.company_id, contract.show_id),
        orders=service_orders(contract.company_id, contract.show_id),
        paid=paid_amount(contract),
        outstanding=outstanding(contract),
        action_form=SimpleActionForm(),
        quota_form=BadgeQuotaForm(badge_quota=contract.badge_quota),
        quota=badge_quota(contract),
        discount_form=ContractForm(discount=contract.discount),
    )


@bp.route("/contracts/<int:contract_id>/<any(sign,cancel,recalculate):action>", methods=["POST"])
@requires("exhibitors.manage")
def contract_action(contract_id: int, action: str):
    contract = get_contract_or_404(contract_id)
    form = ContractForm()
    if not form.validate_on_submit():
        abort(400)
    with user_action() as attempt:
        if action == "sign":
            sign_contract(contract)
            attempt.succeeded_with(_("Contract signed."))
        elif action == "cancel":
            cancel_contract(contract, request.form.get("reason", ""))
            attempt.succeeded_with(_("Contract cancelled."))
        else:
            recalculate_contract(contract, form.discount.data)
            attempt.succeeded_with(_("Contract amounts updated."))
    return redirect(url_for("exhibitors.contract_detail", contract_id=contract_id))


@bp.route("/contracts/<int:contract_id>/badge-quota", methods=["POST"])
@requires("exhibitors.manage")
def contract_badge_quota(contract_id: int):
    contract = get_contract_or_404(contract_id)
    form = BadgeQuotaForm()
    if not form.validate_on_submit():
        flash(_("The quota must be a whole number from 0 to 500."), "error")
    else:
        with user_action(_("Staff badge quota saved.")):
            set_badge_quota(contract, form.badge_quota.data)
    return redirect(url_for("exhibitors.contract_detail", contract_id=contract_id))


@bp.route("/contracts/<int:contract_id>/payments", methods=["POST"])
@requires("exhibitors.finance")
def payment_create(contract_id: int):
    contract = get_contract_or_404(contract_id)
    form = PaymentForm()
    if not form.validate_on_submit():
        flash(_("Enter an amount above 0 and the payment date."), "error")
        return redirect(url_for("exhibitors.contract_detail", contract_id=contract_id)), 303
    paid_at = datetime.combine(form.paid_on.data, time(12), tzinfo=contract.show.tz)
    with user_action(_("Payment recorded.")):
        record_payment(
            contract.id,
            form.amount.data,
            paid_at=paid_at,
            method=form.method.data,
            reference=form.reference.data or "",
            recorded_by_id=current_user.id,
        )
    return redirect(url_for("exhibitors.contract_detail", contract_id=contract_id))


def contract_pdf_response(contract, language: str) -> Response:
    pdf = render_contract_pdf(contract, language)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="contract-{contract.number}-{language}.pdf"'
    )
    return response


@bp.route("/contracts/<int:contract_id>/contract-<any(zh,en):language>.pdf")
@requires("exhibitors.view")
def contract_pdf(contract_id: int, language: str):
    return contract_pdf_response(get_contract_or_404(contract_id), language)
