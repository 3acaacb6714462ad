"""Complaints taken by staff: intake, list, resolution, the customer's verdict."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm import clock
from expo_crm.actions import user_action
from expo_crm.auth.permissions import requires
from expo_crm.db import db
from expo_crm.relationships.complaints import (
    list_complaints,
    open_complaint,
    record_verdict,
    resolve_complaint,
)
from expo_crm.relationships.forms import ComplaintForm, ResolveForm, VerdictForm
from expo_crm.relationships.models import Complaint, ComplaintState
from expo_crm.relationships.stages import subject_names
from expo_crm.relationships.subjects import get_subject, parse_kind
from expo_crm.relationships.views import bp
from expo_crm.shows.services import list_shows


@bp.route("/complaints")
@requires("complaints.manage")
def complaint_list():
    state = request.args.get("state") or None
    if state not in (None, "open", "resolved", "closed", "overdue"):
        state = None
    mine = request.args.get("mine") == "1"
    complaints = list_complaints(
        state=None if state == "overdue" else state,
        owner_id=current_user.id if mine else None,
        overdue_at=clock.now() if state == "overdue" else None,
    )
    return render_template(
        "relationships/complaints.html",
        complaints=complaints,
        names=subject_names(complaints),
        state=state,
        mine=mine,
        now_utc=clock.now(),
    )


@bp.route("/complaints/new", methods=["GET", "POST"])
@requires("complaints.manage")
def complaint_new():
    form = ComplaintForm(shows=list_shows())
    if request.method == "GET":
        form.kind.data = request.args.get("kind", "exhibitor")
        form.subject_id.data = request.args.get("id", "")
    if form.validate_on_submit():
        kind = parse_kind(form.kind.data)
        subject_id = int(form.subject_id.data) if form.subject_id.data.strip().isdigit() else 0
        if kind is None or get_subject(kind, subject_id) is None:
            form.subject_id.errors.append(_("No such customer."))
        else:
            with user_action(_("Complaint recorded; its owner has a task.")) as action:
                complaint = open_complaint(
                    kind,
                    subject_id,
                    description=form.description.data,
                    category=form.category.data,
                    severity=form.severity.data,
                    show_id=form.show_id.data or None,
                    source="staff",
                )
            if action.done:
                return redirect(
                    url_for("relationships.complaint_detail", complaint_id=complaint.id)
                )
    return render_template("relationships/complaint_form.html", form=form)


@bp.route("/complaints/<int:complaint_id>", methods=["GET", "POST"])
@requires("complaints.manage")
def complaint_detail(complaint_id: int):
    complaint = db.get_or_404(Complaint, complaint_id)
    resolve_form, verdict_form = ResolveForm(prefix="resolve"), VerdictForm(prefix="verdict")
    action = request.form.get("action")
    if request.method == "POST":
        form = resolve_form if action == "resolve" else verdict_form
        if form.validate_on_submit():
            with user_action(_("Complaint updated.")) as performed:
                if action == "resolve":
                    resolve_complaint(complaint, resolve_form.resolution.data)
                else:
                    record_verdict(
                        complaint, verdict_form.verdict.data, verdict_form.verdict_note.data
                    )
            if performed.done:
                return redirect(
                    url_for("relationships.complaint_detail", complaint_id=complaint.id)
                )
    return render_template(
        "relationships/complaint.html",
        complaint=complaint,
        names=subject_names([complaint]),
        resolve_form=resolve_form,
        verdict_form=verdict_form,
        states=ComplaintState,
        now_utc=clock.now(),
    )
