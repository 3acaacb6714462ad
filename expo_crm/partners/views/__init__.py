"""Partners: directory, agreements and deliverables, referral codes. Reports and sponsorship are split off."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from expo_crm import lists
from expo_crm.actions import user_action
from expo_crm.auth.permissions import requires
from expo_crm.auth.services import staff_choices
from expo_crm.documents.excel import xlsx_response
from expo_crm.navigation import nav_item
from expo_crm.partners import services
from expo_crm.partners.forms import (
    AgreementForm,
    DeliverableForm,
    PartnerForm,
    ReferralCodeForm,
    StateForm,
)
from expo_crm.partners.models import AgreementState, DeliverableState, PartnerKind
from expo_crm.shows import services as shows

bp = Blueprint("partners", __name__, url_prefix="/partners")
nav_item(_l("Partners"), "partners.partner_list", "partners.view", order=55, group="relationships")

# The public registration page of the visitors area; a partner's link carries ?ref=CODE.
REGISTRATION_ENDPOINT = "visitors.register"


def registration_link(code) -> str:
    """The public registration URL for a referral code, built from the visitors blueprint's route."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if REGISTRATION_ENDPOINT in current_app.view_functions:
        return base + url_for(REGISTRATION_ENDPOINT, show_id=code.show_id, ref=code.code)
    return f"{base}/register/{code.show_id}?ref={code.code}"


@bp.app_context_processor
def _link_helper():
    return {"registration_link": registration_link}


@bp.route("/")
@requires("partners.view")
def partner_list():
    args = request.args
    stmt = services.partner_query(
        q=args.get("q", ""),
        kind=args.get("kind", ""),
        active=args.get("active", ""),
        sort=args.get("sort", "name"),
    )
    if lists.wants_excel():
        rows = [
            (
                p.name_zh,
                p.name_en,
                p.kind.label,
                p.contact_name,
                p.email,
                p.phone,
                p.owner.name if p.owner else "",
                _("Yes") if p.active else _("No"),
            )
            for p in lists.all_rows(stmt)
        ]
        return xlsx_response(
            _("partners"),
            [
                _("Name (Chinese)"),
                _("Name (English)"),
                _("Kind"),
                _("Contact person"),
                _("Email"),
                _("Phone"),
                _("Owner"),
                _("Active"),
            ],
            rows,
            title=_("Partners"),
        )
    return render_template(
        "partners/list.html",
        pagination=lists.page_of(stmt),
        args=lists.args(),
        kinds=PartnerKind,
    )


def _partner_form(partner=None) -> PartnerForm:
    form = PartnerForm(obj=partner)
    form.owner_id.choices = staff_choices()
    return form


@bp.route("/new", methods=["GET", "POST"])
@requires("partners.manage")
def partner_create():
    form = _partner_form()
    if request.method == "GET":
        form.owner_id.data = current_user.id
    if form.validate_on_submit():
        with user_action() as action:
            partner = services.create_partner(**form.values())
            action.succeeded_with(_("Partner %(name)s added.", name=partner.name))
        if action.done:
            return redirect(url_for("partners.partner_detail", partner_id=partner.id))
    return render_template("partners/form.html", form=form, partner=None)


@bp.route("/<int:partner_id>")
@requires("partners.view")
def partner_detail(partner_id: int):
    partner = services.get_partner_or_404(partner_id)
    all_shows = shows.list_shows()
    agreement_form, code_form = AgreementForm(), ReferralCodeForm()
    agreement_form.show_id.choices = code_form.show_id.choices = [(s.id, s.name) for s in all_shows]
    agreements = services.agreements_of(partner.id)
    return render_template(
        "partners/detail.html",
        partner=partner,
        agreements=agreements,
        codes=services.codes_of(partner.id),
        sponsorships=services.sponsorships_of(partner.id),
        report_shows=services.shows_with_codes(partner.id),
        agreement_form=agreement_form,
        code_form=code_form,
        deliverable_form=DeliverableForm(),
        state_form=StateForm(),
        today=services.clock.now().date(),
    )


@bp.route("/<int:partner_id>/edit", methods=["GET", "POST"])
@requires("partners.manage")
def partner_edit(partner_id: int):
    partner = services.get_partner_or_404(partner_id)
    form = _partner_form(partner)
    if request.method == "GET":
        form.kind.data = partner.kind.value
    if form.validate_on_submit():
        with user_action(_("Partner saved.")) as action:
            services.update_partner(partner, **form.values())
        if action.done:
            return redirect(url_for("partners.partner_detail", partner_id=partner.id))
    return render_template("partners/form.html", form=form, partner=partner)


def _back(partner):
    return redirect(url_for("partners.partner_detail", partner_id=partner.id))


def _form_problem(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors) or _(
        "Check the marked fields."
    )


@bp.route("/<int:partner_id>/agreements", methods=["POST"])
@requires("partners.manage")
def agreement_create(partner_id: int):
    partner = services.get_partner_or_404(partner_id)
    form = AgreementForm()
    form.show_id.choices = [(s.id, s.name) for s in shows.list_shows()]
    if not form.validate_on_submit() or not form.show_id.data:
        flash(_form_problem(form) if form.errors else _("Choose a show."), "error")
        return _back(partner)
    show = shows.get_show_or_404(form.show_id.data)
    with user_action(_("Agreement added.")):
        services.create_agreement(
            partner,
            show,
            title=form.title.data,
            signed_on=form.signed_on.data,
            state=form.state.data,
            notes=form.notes.data or "",
        )
    return _back(partner)


@bp.route("/<int:partner_id>/agreements/<int:agreement_id>/state", methods=["POST"])
@requires("partners.manage")
def agreement_state(partner_id: int, agreement_id: int):
    partner = services.get_partner_or_404(partner_id)
    agreement = services.get_agreement_or_404(partner, agreement_id)
    form = StateForm()
    if not form.validate_on_submit() or form.state.data not in AgreementState.__members__:
        abort(400)
    with user_action(_("Agreement saved.")):
        services.set_agreement_state(agreement, form.state.data)
    return _back(partner)


@bp.route("/<int:partner_id>/agreements/<int:agreement_id>/deliverables", methods=["POST"])
@requires("partners.manage")
def deliverable_add(partner_id: int, agreement_id: int):
    partner = services.get_partner_or_404(partner_id)
    agreement = services.get_agreement_or_404(partner, agreement_id)
    form = DeliverableForm()
    if not form.validate_on_submit():
        flash(_form_problem(form), "error")
        return _back(partner)
    with user_action(_("Deliverable added.")):
        services.add_deliverable(
            agreement,
            kind=form.kind.data,
            due_date=form.due_date.data,
            description=form.description.data or "",
        )
    return _back(partner)


@bp.route("/<int:partner_id>/deliverables/<int:deliverable_id>/state", methods=["POST"])
@requires("partners.manage")
def deliverable_state(partner_id: int, deliverable_id: int):
    partner = services.get_partner_or_404(partner_id)
    deliverable = services.get_deliverable_or_404(partner, deliverable_id)
    form = StateForm()
    if not form.validate_on_submit() or form.state.data not in ("done", "cancelled"):
        abort(400)
    with user_action(_("Deliverable saved.")):
        services.set_deliverable_state(deliverable, DeliverableState(form.state.data))
    return _back(partner)


@bp.route("/<int:partner_id>/codes", methods=["POST"])
@requires("partners.manage")
def code_create(partner_id: int):
    partner = services.get_partner_or_404(partner_id)
    form = ReferralCodeForm()
    form.show_id.choices = [(s.id, s.name) for s in shows.list_shows()]
    if not form.validate_on_submit() or not form.show_id.data:
        flash(_form_problem(form) if form.errors else _("Choose a show."), "error")
        return _back(partner)
    show = shows.get_show_or_404(form.show_id.data)
    with user_action() as action:
        referral = services.create_referral_code(
            partner, show, code=form.code.data or "", label=form.label.data or ""
        )
        action.succeeded_with(_("Referral code %(code)s created.", code=referral.code))
    return _back(partner)


@bp.route("/<int:partner_id>/codes/<int:code_id>/active", methods=["POST"])
@requires("partners.manage")
def code_active(partner_id: int, code_id: int):
    partner = services.get_partner_or_404(partner_id)
    referral = services.get_code_or_404(partner, code_id)
    form = StateForm()
    if not form.validate_on_submit() or form.state.data not in ("on", "off"):
        abort(400)
    with user_action(_("Referral code %(code)s saved.", code=referral.code)):
        services.set_code_active(referral, form.state.data == "on")
    return _back(partner)


from expo_crm.partners.views import reports  # noqa: F401  (routes on the same blueprint)
