"""The exhibitor's invoices, credit notes and receipts, and its fapiao requests. Every query is
scoped to current_user.company_id: another company's document is a 404."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm.actions import user_action
from expo_crm.auth.permissions import portal
from expo_crm.converters import bounded_int
from expo_crm.db import db
from expo_crm.exhibitors.models import Contract
from expo_crm.invoicing import fapiao, services
from expo_crm.invoicing.accounts import company_accounts
from expo_crm.invoicing.forms import FapiaoRequestForm
from expo_crm.invoicing.models import Invoice
from expo_crm.invoicing.views import bp
from expo_crm.invoicing.views.staff import pdf_response


def _page(form: FapiaoRequestForm | None = None, field_errors: dict | None = None, status=200):
    company_id = current_user.company_id
    accounts = company_accounts(company_id, services.organiser_today())
    form = form or FapiaoRequestForm(formdata=None)
    if not request.form:
        company = current_user.company
        form.title.data = form.title.data or company.name_zh or company.name_en
        form.tax_id.data = form.tax_id.data or company.tax_id or ""
    for name, message in (field_errors or {}).items():
        if name in form:
            form[name].errors = [*form[name].errors, message]
    live = [a for a in accounts if not a.cancelled and a.net_invoiced > 0]
    return (
        render_template(
            "invoicing/portal_invoices.html",
            accounts=accounts,
            requestable=[a for a in live if fapiao.open_request(a.contract.id) is None],
            requests=fapiao.requests_of_company(company_id),
            form=form,
            general_error=(field_errors or {}).get("contract"),
        ),
        status,
    )


@bp.route("/portal/invoices")
@portal
def portal_invoices():
    return _page()


@bp.route("/portal/invoices/fapiao", methods=["POST"])
@portal
def portal_fapiao_request():
    form = FapiaoRequestForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    contract_id = request.form.get("contract_id", type=bounded_int)
    contract = db.session.get(Contract, contract_id) if contract_id else None
    if contract is None or contract.company_id != current_user.company_id:
        abort(404)
    with user_action(
        _("Thank you: your fapiao request has been sent to our finance team."),
        flash_refusal=False,
    ) as action:
        fapiao.request_fapiao(
            current_user.company_id,
            contract.id,
            {name: form[name].data for name in ("kind", "title", "tax_id", *fapiao.SPECIAL_FIELDS)},
            current_user.id,
        )
    if action.refused is not None:
        return _page(form, getattr(action.refused, "fields", {}), status=400)
    return redirect(url_for("invoicing.portal_invoices") + "#fapiao", 303)


@bp.route("/portal/invoices/<int:document_id>/<any(zh,en):language>.pdf")
@portal
def portal_document_pdf(document_id: int, language: str):
    document = db.session.get(Invoice, document_id)
    if document is None or document.company_id != current_user.company_id:
        abort(404)
    return pdf_response(document, language)
