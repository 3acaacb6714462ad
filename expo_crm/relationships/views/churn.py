"""Why customers leave and who comes back: the reason list (admins), the churn report."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm.actions import user_action
from expo_crm.auth.permissions import requires
from expo_crm.db import db
from expo_crm.relationships import churn
from expo_crm.relationships.forms import ChurnReasonForm
from expo_crm.relationships.models import ChurnReason
from expo_crm.relationships.views import bp


@bp.route("/churn-reasons", methods=["GET", "POST"])
@requires("lifecycle.configure")
def churn_reasons():
    form = ChurnReasonForm(prefix="new")
    if request.method == "POST":
        reason_id = request.form.get("reason", type=int)
        reason = db.get_or_404(ChurnReason, reason_id) if reason_id else None
        form = ChurnReasonForm(prefix=f"r{reason_id}" if reason_id else "new")
        if form.validate():
            with user_action(_("Reason saved.")) as action:
                churn.save_reason(
                    reason,
                    code=form.code.data,
                    label_zh=form.label_zh.data,
                    label_en=form.label_en.data,
                    active=form.active.data,
                    position=form.position.data or 0,
                    staff_id=current_user.id,
                )
            if action.done:
                return redirect(url_for("relationships.churn_reasons"))
    reasons = churn.reasons(include_inactive=True)
    forms = [(r, ChurnReasonForm(prefix=f"r{r.id}", obj=r, formdata=None)) for r in reasons]
    return render_template("relationships/churn_reasons.html", forms=forms, new_form=form)


@bp.route("/churn")
@requires("reports.view")
def churn_report():
    return render_template(
        "relationships/churn.html",
        editions=churn.report_by_edition(),
        win_back=churn.win_back(),
        profitability=churn.profitability(),
    )
