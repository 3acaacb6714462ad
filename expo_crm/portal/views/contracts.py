"""The exhibitor's participation: booth, contract and payments, the manual's checklist, staff badges."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm.actions import user_action
from expo_crm.auth.permissions import portal
from expo_crm.exhibitors import participation
from expo_crm.exhibitors.booths import assigned_booths
from expo_crm.exhibitors.contract_pdf import render_contract_pdf
from expo_crm.exhibitors.contracts import badge_quota
from expo_crm.exhibitors.models import DeliverableKind
from expo_crm.exhibitors.payments import outstanding, paid_amount
from expo_crm.portal.forms import StaffBadgeForm, SubmissionForm
from expo_crm.portal.views import bp, own_contract_or_404, participation_or_404
from expo_crm.visitors.views.public import referral_view


@bp.route("/portal/")
@portal
def home():
    contract = participation_or_404(request.args.get("show", type=int))
    context = {
        "contract": contract,
        "participations": participation.participations(current_user.company_id),
    }
    if contract is not None:
        context.update(
            booths=assigned_booths(contract.company_id, contract.show_id),
            paid=paid_amount(contract),
            outstanding=outstanding(contract),
            checklist=participation.checklist(contract),
            quota=badge_quota(contract),
            staff=participation.staff_badges(contract.company_id, contract.show_id),
            staff_form=StaffBadgeForm(),
            kinds=DeliverableKind,
            referral=referral_view("exhibitor", contract.company_id, contract.show_id),
            forms={
                kind: SubmissionForm(kind=kind.value, formdata=None)
                for kind in participation.TEXT_DELIVERABLES
            },
        )
    return render_template("portal/home.html", company=current_user.company, **context)


@bp.route("/portal/contracts/<int:contract_id>/contract-<any(zh,en):language>.pdf")
@portal
def contract_pdf(contract_id: int, language: str):
    contract = own_contract_or_404(contract_id)
    response = Response(render_contract_pdf(contract, language), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="contract-{contract.number}-{language}.pdf"'
    )
    return response


@bp.route("/portal/contracts/<int:contract_id>/submit", methods=["POST"])
@portal
def submit_deliverable(contract_id: int):
    contract = own_contract_or_404(contract_id)
    form = SubmissionForm()
    if not form.validate_on_submit():
        flash(_("Please fill in the text."), "error")
    else:
        kind = DeliverableKind(form.kind.data)
        with user_action(_("Thank you: %(item)s received.", item=kind.label)):
            participation.submit_deliverable(contract, kind, form.content.data, current_user.id)
    return redirect(url_for("portal.home", show=contract.show_id) + "#checklist")


@bp.route("/portal/contracts/<int:contract_id>/staff", methods=["POST"])
@portal
def add_staff_badge(contract_id: int):
    contract = own_contract_or_404(contract_id)
    form = StaffBadgeForm()
    if not form.validate_on_submit():
        flash(_("Please give a name and a valid email address."), "error")
    else:
        with user_action(_("Staff badge requested for %(name)s.", name=form.name.data)):
            participation.name_staff(contract, form.name.data, form.email.data, form.locale.data)
    return redirect(url_for("portal.home", show=contract.show_id) + "#staff")
