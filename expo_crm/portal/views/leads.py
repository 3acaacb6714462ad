"""Leads: the exhibitor scans visitors' badges at its booth, reads and exports its list."""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm.actions import user_action
from expo_crm.auth.permissions import portal
from expo_crm.documents.excel import xlsx_response
from expo_crm.exhibitors import leads as lead_services
from expo_crm.portal.forms import LeadForm
from expo_crm.portal.views import bp, participation_or_404


@bp.route("/portal/leads", methods=["GET", "POST"])
@portal
def leads():
    contract = participation_or_404(request.args.get("show", type=int))
    form = LeadForm()
    if contract is not None and form.validate_on_submit():
        with user_action() as action:
            _lead, created = lead_services.record_lead(
                contract, form.code.data, form.rating.data, form.note.data or "", current_user.id
            )
            action.succeeded_with(
                _("Lead recorded.")
                if created
                else _("This visitor was already a lead: rating and note updated.")
            )
        if action.done:
            return redirect(url_for("portal.leads", show=contract.show_id))
    return render_template(
        "portal/leads.html",
        contract=contract,
        form=form,
        leads=lead_services.leads(contract.company_id, contract.show_id) if contract else [],
    )


@bp.route("/portal/leads.xlsx")
@portal
def leads_export():
    contract = participation_or_404(request.args.get("show", type=int))
    if contract is None:
        abort(404)
    headers, rows = lead_services.lead_table(contract.company_id, contract.show)
    return xlsx_response(f"leads-{contract.show.code}", headers, rows, title=_("Leads"))
