"""Exhibitor portal: the company's own complaints, a form to raise one, and its verdict on resolutions."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm.auth.permissions import portal
from expo_crm.db import db
from expo_crm.relationships.complaints import (
    ComplaintError,
    list_complaints,
    open_complaint,
    record_verdict,
)
from expo_crm.relationships.forms import PortalComplaintForm, VerdictForm
from expo_crm.relationships.models import Complaint, ComplaintState
from expo_crm.relationships.views import bp


def _own_shows():
    from expo_crm.exhibitors.models import Contract
    from expo_crm.shows.models import Show

    return list(
        db.session.scalars(
            sa.select(Show)
            .join(Contract, Contract.show_id == Show.id)
            .where(Contract.company_id == current_user.company_id, Contract.state != "cancelled")
            .order_by(Show.open_from.desc())
        )
    )


@bp.route("/portal/complaints", methods=["GET", "POST"])
@portal
def portal_complaints():
    shows = _own_shows()
    form = PortalComplaintForm(shows=shows)
    if form.validate_on_submit():
        show_id = form.show_id.data or None
        if show_id is not None and show_id not in {s.id for s in shows}:
            abort(404)
        try:
            open_complaint(
                "exhibitor",
                current_user.company_id,
                description=form.description.data,
                category=form.category.data,
                show_id=show_id,
                source="portal",
            )
        except ComplaintError as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash(
                _("Thank you. Your complaint was received and has an owner on our side."), "success"
            )
            return redirect(url_for("relationships.portal_complaints"))
    complaints = list_complaints(company_id=current_user.company_id)
    return render_template(
        "relationships/portal_complaints.html",
        form=form,
        complaints=complaints,
        verdict_form=VerdictForm(),
        states=ComplaintState,
    )


@bp.route("/portal/complaints/<int:complaint_id>/verdict", methods=["POST"])
@portal
def portal_verdict(complaint_id: int):
    complaint = db.session.scalar(
        sa.select(Complaint).where(
            Complaint.id == complaint_id, Complaint.company_id == current_user.company_id
        )
    )
    if complaint is None:
        abort(404)
    form = VerdictForm()
    if form.validate_on_submit():
        try:
            record_verdict(complaint, form.verdict.data, form.verdict_note.data)
        except ComplaintError as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash(_("Thank you for your verdict."), "success")
    return redirect(url_for("relationships.portal_complaints"))
