"""The company's own complaints, a form to raise one, and its verdict on a resolution."""

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm.actions import user_action
from expo_crm.auth.permissions import portal
from expo_crm.exhibitors import participation
from expo_crm.portal.forms import ComplaintForm
from expo_crm.portal.views import bp
from expo_crm.relationships.complaints import (
    complaint_of_company,
    list_complaints,
    open_complaint,
    record_verdict,
)
from expo_crm.relationships.forms import VerdictForm
from expo_crm.relationships.models import ComplaintState


@bp.route("/portal/complaints", methods=["GET", "POST"])
@portal
def complaints():
    shows = participation.shows_of(current_user.company_id)
    form = ComplaintForm(shows=shows)
    if form.validate_on_submit():
        show_id = form.show_id.data or None
        if show_id is not None and show_id not in {show.id for show in shows}:
            abort(404)
        with user_action(
            _("Thank you. Your complaint was received and has an owner on our side.")
        ) as action:
            open_complaint(
                "exhibitor",
                current_user.company_id,
                description=form.description.data,
                category=form.category.data,
                show_id=show_id,
                source="portal",
            )
        if action.done:
            return redirect(url_for("portal.complaints"))
    return render_template(
        "portal/complaints.html",
        form=form,
        complaints=list_complaints(company_id=current_user.company_id),
        verdict_form=VerdictForm(),
        states=ComplaintState,
    )


@bp.route("/portal/complaints/<int:complaint_id>/verdict", methods=["POST"])
@portal
def complaint_verdict(complaint_id: int):
    complaint = complaint_of_company(current_user.company_id, complaint_id)
    if complaint is None:
        abort(404)
    form = VerdictForm()
    if form.validate_on_submit():
        with user_action(_("Thank you for your verdict.")):
            record_verdict(complaint, form.verdict.data, form.verdict_note.data)
    return redirect(url_for("portal.complaints"))
