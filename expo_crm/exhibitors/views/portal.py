"""The exhibitor portal. Every query is scoped to current_user.company_id; anything else is a 404."""

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from expo_crm.auth.permissions import portal, public
from expo_crm.auth.views import sign_in, sign_out
from expo_crm.db import db
from expo_crm.documents.excel import xlsx_response
from expo_crm.exhibitors import portal as services
from expo_crm.exhibitors.booths import assigned_booths
from expo_crm.exhibitors.contracts import badge_quota
from expo_crm.exhibitors.forms import (
    LeadForm,
    MessageForm,
    PortalLoginForm,
    SetPasswordForm,
    SimpleActionForm,
    StaffBadgeForm,
    SubmissionForm,
)
from expo_crm.exhibitors.models import DeliverableKind
from expo_crm.exhibitors.payments import outstanding, paid_amount
from expo_crm.exhibitors.views import bp
from expo_crm.exhibitors.views.sales import contract_pdf_response
from expo_crm.extensions import limiter


def _participation_or_404(show_id: int | None = None):
    contract = services.current_participation(current_user.company_id, show_id)
    if contract is None and show_id is not None:
        abort(404)
    return contract


@bp.route("/portal/login", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"], key_func=lambda: request.remote_addr or "?")
def portal_login():
    return sign_in(
        PortalLoginForm(),
        services.authenticate,
        services.PortalError,
        "exhibitors/portal/login.html",
        "exhibitors.portal_home",
    )


@bp.route("/portal/logout", methods=["POST"])
@public
def portal_logout():
    return sign_out("exhibitors.portal_login")


@bp.route("/portal/welcome/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"], key_func=lambda: request.remote_addr or "?")
def portal_accept(token: str):
    try:
        invitation = services.invitation_for(token)
    except services.PortalError as refused:
        return render_template(
            "exhibitors/portal/invitation_invalid.html", message=str(refused)
        ), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.password.data)
        except services.PortalError as refused:
            db.session.rollback()
            form.password.errors = [str(refused)]
        else:
            db.session.commit()
            session.clear()
            login_user(user)
            flash(_("Your password is set. Welcome to the exhibitor portal."), "success")
            return redirect(url_for("exhibitors.portal_home"))
    return render_template(
        "exhibitors/portal/set_password.html", form=form, user=invitation.portal_user
    )


@bp.route("/portal/")
@portal
def portal_home():
    show_id = request.args.get("show", type=int)
    contract = _participation_or_404(show_id)
    context = {
        "contract": contract,
        "participations": services.participations(current_user.company_id),
    }
    if contract is not None:
        context.update(
            booths=assigned_booths(contract.company_id, contract.show_id),
            paid=paid_amount(contract),
            outstanding=outstanding(contract),
            checklist=services.checklist(contract),
            quota=badge_quota(contract),
            staff=services.staff_badges(contract.company_id, contract.show_id),
            staff_form=StaffBadgeForm(),
            badges_available=services.staff_badges_available(),
            kinds=DeliverableKind,
            forms={
                k: SubmissionForm(kind=k.value, formdata=None) for k in services.TEXT_DELIVERABLES
            },
        )
    return render_template("exhibitors/portal/home.html", company=current_user.company, **context)


@bp.route("/portal/contracts/<int:contract_id>/contract-<any(zh,en):language>.pdf")
@portal
def portal_contract_pdf(contract_id: int, language: str):
    return contract_pdf_response(
        services.own_contract_or_404(current_user.company_id, contract_id), language
    )


@bp.route("/portal/contracts/<int:contract_id>/submit", methods=["POST"])
@portal
def portal_submit(contract_id: int):
    contract = services.own_contract_or_404(current_user.company_id, contract_id)
    form = SubmissionForm()
    if not form.validate_on_submit():
        flash(_("Please fill in the text."), "error")
    else:
        try:
            services.submit_deliverable(
                contract, form.kind.data, form.content.data, current_user.id
            )
        except services.PortalError as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash(
                _("Thank you: %(item)s received.", item=DeliverableKind(form.kind.data).label),
                "success",
            )
    return redirect(url_for("exhibitors.portal_home", show=contract.show_id) + "#checklist")


@bp.route("/portal/contracts/<int:contract_id>/staff", methods=["POST"])
@portal
def portal_staff_add(contract_id: int):
    contract = services.own_contract_or_404(current_user.company_id, contract_id)
    form = StaffBadgeForm()
    if not form.validate_on_submit():
        flash(_("Please give a name and a valid email address."), "error")
    else:
        try:
            services.name_staff(contract, form.name.data, form.email.data, form.locale.data)
        except services.PortalError as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash(_("Staff badge requested for %(name)s.", name=form.name.data), "success")
    return redirect(url_for("exhibitors.portal_home", show=contract.show_id) + "#staff")


@bp.route("/portal/messages", methods=["GET", "POST"])
@portal
def portal_messages():
    form = MessageForm()
    if form.validate_on_submit():
        contract = services.current_participation(current_user.company_id)
        try:
            services.send_message(
                current_user,
                form.subject.data,
                form.body.data,
                contract.show_id if contract else None,
            )
        except services.PortalError as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash(_("Your message has been sent to the organiser."), "success")
            return redirect(url_for("exhibitors.portal_messages"))
    return render_template(
        "exhibitors/portal/messages.html",
        form=form,
        messages=services.messages(current_user.company_id),
    )


@bp.route("/portal/leads", methods=["GET", "POST"])
@portal
def portal_leads():
    contract = _participation_or_404(request.args.get("show", type=int))
    form = LeadForm()
    result = None
    if contract is not None and form.validate_on_submit():
        try:
            _lead, created = services.record_lead(
                contract, form.code.data, form.rating.data, form.note.data or "", current_user.id
            )
        except services.PortalError as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash(
                _("Lead recorded.")
                if created
                else _("This visitor was already a lead: rating and note updated."),
                "success",
            )
            return redirect(url_for("exhibitors.portal_leads", show=contract.show_id))
    views = services.leads(contract.company_id, contract.show_id) if contract else []
    return render_template(
        "exhibitors/portal/leads.html",
        contract=contract,
        form=form,
        leads=views,
        result=result,
        action_form=SimpleActionForm(),
    )


@bp.route("/portal/leads.xlsx")
@portal
def portal_leads_export():
    contract = _participation_or_404(request.args.get("show", type=int))
    if contract is None:
        abort(404)
    header, *rows = services.lead_rows(contract.company_id, contract.show_id)
    return xlsx_response(f"leads-{contract.show.code}.xlsx", header, rows, title=_("Leads"))
