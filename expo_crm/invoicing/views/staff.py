"""Staff pages: a show's accounts, a contract's documents, issuing and crediting, PDFs, the
accountant's workbook, the organiser's invoicing details and the fapiao requests."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm import lists
from expo_crm.actions import user_action
from expo_crm.auth.permissions import requires
from expo_crm.converters import bounded_int
from expo_crm.db import db
from expo_crm.documents.excel import xlsx_response
from expo_crm.exhibitors.contracts import get_contract_or_404
from expo_crm.invoicing import fapiao, services
from expo_crm.invoicing.accounts import (
    accounts_for,
    contract_account,
    show_contracts_query,
    show_totals,
)
from expo_crm.invoicing.documents import accountant_rows, pdf_filename, render_document_pdf
from expo_crm.invoicing.forms import (
    ActionForm,
    CreditForm,
    FapiaoIssuedForm,
    InvoiceForm,
    IssuerForm,
)
from expo_crm.invoicing.models import CreditCause, DocumentKind, FapiaoRequest, FapiaoState
from expo_crm.invoicing.views import bp
from expo_crm.shows import services as shows


@bp.route("/invoicing/")
@requires("invoicing.view")
def overview():
    show_id = request.args.get("show", type=bounded_int)
    show = shows.get_show_or_404(show_id) if show_id else shows.current_show()
    today = services.organiser_today()
    pagination = lists.page_of_rows(show_contracts_query(show.id)) if show else None
    contracts = [contract for contract, _company in pagination.items] if pagination else []
    return render_template(
        "invoicing/overview.html",
        show=show,
        shows=shows.list_shows(),
        pagination=pagination,
        accounts=accounts_for(contracts, today),
        totals=show_totals(show.id, today) if show else None,
        issuer=services.current_issuer(),
    )


@bp.route("/invoicing/contracts/<int:contract_id>")
@requires("invoicing.view")
def contract_documents(contract_id: int):
    contract = get_contract_or_404(contract_id)
    account = contract_account(contract, services.organiser_today())
    receipted = {d.payment_id for d in account.documents if d.kind is DocumentKind.receipt}
    return render_template(
        "invoicing/contract.html",
        contract=contract,
        account=account,
        receipted=receipted,
        balances={b.invoice.id: b for b in account.invoices},
        invoice_form=InvoiceForm(formdata=None),
        credit_form=CreditForm(formdata=None),
        action_form=ActionForm(),
        issuer=services.current_issuer(),
    )


def _back_to(contract_id: int):
    return redirect(url_for("invoicing.contract_documents", contract_id=contract_id), 303)


@bp.route("/invoicing/contracts/<int:contract_id>/invoices", methods=["POST"])
@requires("invoicing.manage")
def invoice_create(contract_id: int):
    contract = get_contract_or_404(contract_id)
    form = InvoiceForm()
    if not form.validate_on_submit():
        flash(_("Enter an amount above 0, or leave it empty, and a valid date."), "error")
        return _back_to(contract.id)
    with user_action() as action:
        invoice = services.issue_invoice(
            contract.id,
            amount=form.amount.data,
            due_on=form.due_on.data,
            issued_by_id=current_user.id,
        )
        action.succeeded_with(_("Invoice %(number)s issued.", number=invoice.number))
    return _back_to(contract.id)


@bp.route("/invoicing/payments/<int:payment_id>/receipt", methods=["POST"])
@requires("invoicing.manage")
def receipt_create(payment_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    contract_id = request.args.get("contract", type=bounded_int)
    with user_action() as action:
        receipt = services.issue_receipt(payment_id, issued_by_id=current_user.id)
        contract_id = receipt.contract_id
        action.succeeded_with(_("Receipt %(number)s issued.", number=receipt.number))
    if contract_id is None:
        return redirect(url_for("invoicing.overview"), 303)
    return _back_to(contract_id)


@bp.route("/invoicing/documents/<int:document_id>/credit", methods=["POST"])
@requires("invoicing.manage")
def credit_create(document_id: int):
    document = services.get_document_or_404(document_id)
    form = CreditForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for the credit note."), "error")
        return _back_to(document.contract_id)
    with user_action() as action:
        note = services.credit_invoice(
            document.id, CreditCause.corrected, form.reason.data, issued_by_id=current_user.id
        )
        action.succeeded_with(_("Credit note %(number)s issued.", number=note.number))
    return _back_to(document.contract_id)


def pdf_response(document, language: str) -> Response:
    response = Response(render_document_pdf(document, language), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="{pdf_filename(document, language)}"'
    )
    return response


@bp.route("/invoicing/documents/<int:document_id>/<any(zh,en):language>.pdf")
@requires("invoicing.view")
def document_pdf(document_id: int, language: str):
    return pdf_response(services.get_document_or_404(document_id), language)


@bp.route("/invoicing/shows/<int:show_id>/invoices.xlsx")
@requires("invoicing.view")
def show_export(show_id: int):
    show = shows.get_show_or_404(show_id)
    headers, rows = accountant_rows(show.id, services.organiser_today())
    return xlsx_response(f"invoices-{show.code}.xlsx", headers, rows, title=_("Invoices"))


@bp.route("/invoicing/organiser", methods=["GET", "POST"])
@requires("invoicing.manage")
def issuer_settings():
    issuer = services.current_issuer()
    form = IssuerForm(obj=issuer)
    if form.validate_on_submit():
        values = {
            name: form[name].data or ""
            for name in (
                "code",
                "name_zh",
                "name_en",
                "tax_id",
                "address",
                "phone",
                "bank",
                "account",
            )
        }
        if form.tax_rate.data is not None:
            values["tax_rate"] = form.tax_rate.data
        with user_action(_("Invoicing details saved.")) as action:
            services.save_issuer(**values)
        if action.done:
            return redirect(url_for("invoicing.issuer_settings"), 303)
    return render_template("invoicing/issuer.html", form=form, issuer=issuer)


@bp.route("/invoicing/fapiao")
@requires("invoicing.view")
def fapiao_requests():
    state_arg = request.args.get("state", "requested")
    state = FapiaoState(state_arg) if state_arg in FapiaoState._value2member_map_ else None
    return render_template(
        "invoicing/fapiao_requests.html",
        requests=fapiao.requests_for_finance(state),
        state=state,
        states=FapiaoState,
        form=FapiaoIssuedForm(formdata=None),
    )


@bp.route("/invoicing/fapiao/<int:request_id>/issued", methods=["POST"])
@requires("invoicing.manage")
def fapiao_issued(request_id: int):
    db.get_or_404(FapiaoRequest, request_id)
    form = FapiaoIssuedForm()
    form.validate_on_submit()  # the service names what is wrong, field by field
    with user_action() as action:
        recorded = fapiao.record_issued(
            request_id, form.fapiao_number.data, form.issued_on.data, current_user.id
        )
        action.succeeded_with(_("Fapiao %(number)s recorded.", number=recorded.fapiao_number))
    return redirect(url_for("invoicing.fapiao_requests"), 303)
