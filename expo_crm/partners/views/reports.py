"""Partner contribution report (page, PDF, email), deliverables overview, sponsorship packages."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from expo_crm import audit, lists
from expo_crm.actions import user_action
from expo_crm.auth.permissions import requires
from expo_crm.db import db
from expo_crm.documents.excel import xlsx_response
from expo_crm.documents.pdf import render_pdf
from expo_crm.mail.services import Attachment, enqueue_email
from expo_crm.partners import services
from expo_crm.partners.forms import PackageForm, SellForm, SendReportForm
from expo_crm.partners.models import DeliverableState
from expo_crm.partners.views import bp
from expo_crm.shows import services as shows


def _report(partner_id: int, show_id: int):
    partner = services.get_partner_or_404(partner_id)
    show = shows.get_show_or_404(show_id)
    return services.contribution(partner, show)


@bp.route("/<int:partner_id>/report/<int:show_id>")
@requires("partners.view")
def report(partner_id: int, show_id: int):
    report = _report(partner_id, show_id)
    form = SendReportForm(data={"to": report.partner.email})
    return render_template("partners/report.html", report=report, form=form)


def _report_pdf(report, language: str | None) -> bytes:
    language = language or (get_locale().language if get_locale() else "zh")
    return render_pdf(
        "partners/report.html",
        language=language,
        report=report,
        lang=language,
        generated_at=services.clock.now(),
    )


@bp.route("/<int:partner_id>/report/<int:show_id>.pdf")
@requires("partners.view")
def report_pdf(partner_id: int, show_id: int):
    report = _report(partner_id, show_id)
    language = request.args.get("lang") if request.args.get("lang") in ("zh", "en") else None
    response = Response(_report_pdf(report, language), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="partner-{report.partner.id}-{report.show.code}.pdf"'
    )
    return response


@bp.route("/<int:partner_id>/report/<int:show_id>/send", methods=["POST"])
@requires("partners.manage")
def report_send(partner_id: int, show_id: int):
    report = _report(partner_id, show_id)
    form = SendReportForm()
    if not form.validate_on_submit():
        flash(_("Give a valid email address."), "error")
        return redirect(url_for("partners.report", partner_id=partner_id, show_id=show_id))
    language = report.partner.locale if report.partner.locale in ("zh", "en") else "zh"
    pdf = _report_pdf(report, language)
    with user_action(_("The report was queued for %(to)s.", to=form.to.data)):
        enqueue_email(
            form.to.data.strip().lower(),
            "partners/contribution_report",
            language=language,
            to_name=report.partner.contact_name,
            context={
                "partner_name": report.partner.name_zh
                if language == "zh"
                else (report.partner.name_en or report.partner.name_zh),
                "show_name": report.show.name_zh if language == "zh" else report.show.name_en,
                "registrations": report.registrations,
                "checked_in": report.checked_in,
            },
            attachments=[
                Attachment(f"contribution-{report.show.code}.pdf", "application/pdf", pdf)
            ],
            subject_ref=("partner", report.partner.id),
            show_id=report.show.id,
        )
        audit.record(
            "partner.report_sent", report.partner, after={"show_id": show_id, "to": form.to.data}
        )
    return redirect(url_for("partners.report", partner_id=partner_id, show_id=show_id))


@bp.route("/deliverables")
@requires("partners.view")
def deliverable_list():
    args = request.args
    stmt = services.deliverable_query(
        show_id=args.get("show_id", type=int),
        state=args.get("state", ""),
        overdue=args.get("overdue") == "1",
        q=args.get("q", ""),
        sort=args.get("sort", "due"),
    )
    if lists.wants_excel():
        rows = [
            (
                d.agreement.partner.name,
                d.agreement.show.code,
                d.agreement.title,
                d.kind.label,
                d.description,
                d.due_date,
                d.state.label,
            )
            for d in lists.all_rows(stmt)
        ]
        return xlsx_response(
            _("deliverables"),
            [
                _("Partner"),
                _("Show"),
                _("Agreement"),
                _("Deliverable"),
                _("Description"),
                _("Due date"),
                _("State"),
            ],
            rows,
            title=_("Deliverables"),
        )
    return render_template(
        "partners/deliverables.html",
        pagination=lists.page_of(stmt),
        args=lists.args(),
        shows=shows.list_shows(),
        states=DeliverableState,
        today=services.clock.now().date(),
    )


@bp.route("/sponsorship")
@requires("partners.view")
def sponsorship():
    args = request.args
    show_id = args.get("show_id", type=int)
    stmt = services.package_query(
        show_id=show_id,
        q=args.get("q", ""),
        availability=args.get("availability", ""),
        sort=args.get("sort", "-show"),
    )
    if lists.wants_excel():
        rows = [
            (p.show.code, p.level_zh, p.level_en, p.price, p.sold, p.total, p.benefits)
            for p in lists.all_rows(stmt)
        ]
        return xlsx_response(
            _("sponsorship"),
            [
                _("Show"),
                _("Level (Chinese)"),
                _("Level (English)"),
                _("Price (CNY)"),
                _("Sold"),
                _("Number offered"),
                _("Benefits"),
            ],
            rows,
            title=_("Sponsorship"),
        )
    sell_form = SellForm()
    sell_form.partner_id.choices = [
        (p.id, p.name) for p in db.session.scalars(services.partner_query(active="1"))
    ]
    pagination = lists.page_of(stmt)
    return render_template(
        "partners/sponsorship.html",
        pagination=pagination,
        shows=shows.list_shows(),
        show_id=show_id,
        args=lists.args(),
        buyers={p.id: services.buyers_of(p.id) for p in pagination.items},
        sell_form=sell_form,
    )


@bp.route("/sponsorship/new", methods=["GET", "POST"])
@requires("partners.manage")
def package_create():
    form = PackageForm()
    form.show_id.choices = [(s.id, s.name) for s in shows.list_shows()]
    if form.validate_on_submit() and not form.show_id.data:
        flash(_("Choose a show."), "error")
    elif form.validate_on_submit():
        show = shows.get_show_or_404(form.show_id.data)
        with user_action(_("Sponsorship package added.")) as action:
            services.create_package(
                show,
                level_zh=form.level_zh.data or "",
                level_en=form.level_en.data or "",
                price=form.price.data,
                total=form.total.data,
                benefits=form.benefits.data or "",
            )
        if action.done:
            return redirect(url_for("partners.sponsorship", show_id=show.id))
    return render_template("partners/package_form.html", form=form)


@bp.route("/sponsorship/<int:package_id>/sell", methods=["POST"])
@requires("partners.manage")
def package_sell(package_id: int):
    package = services.get_package_or_404(package_id)
    form = SellForm()
    form.partner_id.choices = []
    if form.validate_on_submit() and not form.partner_id.data:
        flash(_("Choose a partner."), "error")
    elif form.validate_on_submit():
        partner = services.get_partner_or_404(form.partner_id.data)
        with user_action() as action:
            services.sell_package(package, partner)
            action.succeeded_with(
                _("%(level)s sold to %(partner)s.", level=package.level, partner=partner.name)
            )
    return redirect(url_for("partners.sponsorship", show_id=package.show_id))
