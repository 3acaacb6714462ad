"""Staff pages: registrations, the on-site desk, badges, classification rules, gate devices, export."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    abort,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm import clock
from expo_crm.actions import user_action
from expo_crm.auth.models import DeviceToken
from expo_crm.auth.permissions import requires
from expo_crm.auth.services import create_device_token, revoke_device_token
from expo_crm.db import db
from expo_crm.documents.qr import png_data_uri
from expo_crm.scheduler.services import active_instance
from expo_crm.shows.choice import chosen_show
from expo_crm.shows.models import Show
from expo_crm.shows.services import list_shows
from expo_crm.visitors import badges, exports, services
from expo_crm.visitors.forms import DeskForm, DeviceForm, EmptyForm, RuleForm
from expo_crm.visitors.models import (
    BadgeBuild,
    BadgeBuildState,
    ClassificationRule,
    RegistrationCategory,
    RegistrationSource,
    Scan,
)
from expo_crm.visitors.views import bp
from expo_crm.visitors.views.public import register_once


def _pdf(content: bytes, filename: str):
    response = make_response(content)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _chosen_show() -> Show | None:
    show_id = request.args.get("show", type=int)
    if show_id:
        return db.get_or_404(Show, show_id)
    return chosen_show()


# --- registrations -------------------------------------------------------------------------------


@bp.route("/visitors/")
@requires("visitors.view")
def registration_list():
    show = _chosen_show()
    category = request.args.get("category") or None
    if category not in (None, *[c.value for c in RegistrationCategory]):
        category = None
    pagination = None
    if show is not None:
        query = services.registrations_for(
            show.id, category=category, search=request.args.get("q", "")
        )
        pagination = db.paginate(query, per_page=50, error_out=False)
    return render_template(
        "visitors/list.html",
        show=show,
        shows=list_shows(),
        pagination=pagination,
        categories=RegistrationCategory,
        category=category,
        q=request.args.get("q", ""),
        action_form=EmptyForm(),
    )


@bp.route("/visitors/registrations/<int:registration_id>")
@requires("visitors.desk")
def registration_detail(registration_id: int):
    registration = services.get_registration_or_404(registration_id)
    scans = db.session.scalars(
        sa.select(Scan)
        .where(Scan.registration_id == registration.id)
        .order_by(Scan.at.desc())
        .limit(50)
    ).all()
    badge = registration.active_badge
    return render_template(
        "visitors/detail.html",
        registration=registration,
        visitor=registration.visitor,
        show=registration.show,
        scans=scans,
        action_form=EmptyForm(),
        qr=png_data_uri(badge.qr_png) if badge else None,
        walk_in=bool(request.args.get("walk_in")),
    )


@bp.route("/visitors/registrations/<int:registration_id>/reprint", methods=["POST"])
@requires("visitors.desk")
def registration_reprint(registration_id: int):
    registration = services.get_registration_or_404(registration_id)
    if EmptyForm().validate_on_submit():
        with user_action(_("A new badge was issued; the old one no longer opens the gate.")):
            services.reprint_badge(registration, request.form.get("reason", ""))
    return redirect(url_for("visitors.registration_detail", registration_id=registration.id))


@bp.route("/visitors/registrations/<int:registration_id>/resend", methods=["POST"])
@requires("visitors.desk")
def registration_resend(registration_id: int):
    registration = services.get_registration_or_404(registration_id)
    if EmptyForm().validate_on_submit():
        with user_action() as action:
            if services.send_badge(registration) is not None:
                action.succeeded_with(_("The badge email is queued."))
    return redirect(url_for("visitors.registration_detail", registration_id=registration.id))


@bp.route("/visitors/registrations/<int:registration_id>/cancel", methods=["POST"])
@requires("visitors.manage")
def registration_cancel(registration_id: int):
    registration = services.get_registration_or_404(registration_id)
    if EmptyForm().validate_on_submit():
        with user_action(_("The registration is cancelled and its badge revoked.")):
            services.cancel_registration(registration)
    return redirect(url_for("visitors.registration_detail", registration_id=registration.id))


@bp.route("/visitors/registrations/<int:registration_id>/badge.pdf")
@requires("visitors.desk")
def registration_badge(registration_id: int):
    registration = services.get_registration_or_404(registration_id)
    if registration.active_badge is None:
        abort(404)
    return _pdf(
        services.badge_pdf([registration], language=current_user.locale or "zh"),
        f"badge-{registration.id}.pdf",
    )


# --- on-site desk ----------------------------------------------------------------------------------


@bp.route("/visitors/desk")
@requires("visitors.desk")
def desk_home():
    show = chosen_show()
    if show is None:
        return render_template(
            "visitors/gate_choose.html", shows=list_shows(), target="visitors.desk"
        )
    return redirect(url_for("visitors.desk", show_id=show.id))


@bp.route("/visitors/desk/<int:show_id>", methods=["GET", "POST"])
@requires("visitors.desk")
def desk(show_id: int):
    show = db.get_or_404(Show, show_id)
    form = DeskForm()
    if form.validate_on_submit():
        with user_action() as action:
            outcome = register_once(
                show,
                email=form.email.data,
                details=form.details(),
                terms_accepted=True,
                share_contact=form.share_contact.data,
                marketing_consent=form.marketing_consent.data,
                source=RegistrationSource.desk,
                category=form.category.data or None,
                check_open=False,
            )
            if outcome.created:
                action.succeeded_with(_("Registered. Print the badge now."))
            else:
                action.succeeded_with(
                    _("This visitor was already registered; the badge was sent again."), "info"
                )
        if action.done:
            return redirect(
                url_for(
                    "visitors.registration_detail",
                    registration_id=outcome.registration.id,
                    walk_in=1,
                )
            )
    found = []
    search = request.args.get("q", "").strip()
    if search:
        found = db.session.scalars(
            services.registrations_for(show.id, search=search).limit(30)
        ).all()
    return render_template(
        "visitors/desk.html",
        show=show,
        form=form,
        found=found,
        q=search,
        categories=RegistrationCategory,
        action_form=EmptyForm(),
        builds=badges.recent_builds(show.id),
    )


@bp.route("/visitors/shows/<int:show_id>/badge-builds", methods=["POST"])
@requires("visitors.desk")
def bulk_badges(show_id: int):
    """Starts (or joins) a bulk badge PDF made in the background, and shows its progress. A
    POST: who printed which badges is audited, and a GET never writes."""
    show = db.get_or_404(Show, show_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    category = request.form.get("category") or ""
    if category not in ("", *[c.value for c in RegistrationCategory]):
        abort(404)
    with user_action() as action:
        build, joined = badges.start_build(
            show, category, current_user.locale or "zh", current_user.id, clock.now()
        )
        if joined:
            action.succeeded_with(
                _("These badges are already being made; here is how far it has got."), "info"
            )
    if not action.done:
        return redirect(url_for("visitors.desk", show_id=show.id))
    return redirect(url_for("visitors.badge_build", build_id=build.id))


def _progress(build: BadgeBuild) -> dict:
    done = build.state is BadgeBuildState.done
    return {
        "state": build.state.value,
        "state_label": str(build.state.label),
        "done": build.done,
        "total": build.total,
        "percent": int(100 * build.done / build.total) if build.total else 0,
        "progress_text": _(
            "%(done)s of %(total)s badges", done=f"{build.done:,}", total=f"{build.total:,}"
        ),
        "under_way": build.under_way,
        "failure": build.failure_text if build.failure else None,
        "download_url": url_for("visitors.badge_build_pdf", build_id=build.id) if done else None,
    }


@bp.route("/visitors/badge-builds/<int:build_id>")
@requires("visitors.desk")
def badge_build(build_id: int):
    build = db.get_or_404(BadgeBuild, build_id)
    scheduler_missing = build.under_way and active_instance(clock.now()) is None
    return render_template(
        "visitors/badge_build.html",
        build=build,
        progress=_progress(build),
        category=RegistrationCategory(build.category).label if build.category else None,
        scheduler_missing=scheduler_missing,
        action_form=EmptyForm(),
    )


@bp.route("/visitors/badge-builds/<int:build_id>.json")
@requires("visitors.desk")
def badge_build_progress(build_id: int):
    return jsonify(_progress(db.get_or_404(BadgeBuild, build_id)))


@bp.route("/visitors/badge-builds/<int:build_id>/badges.pdf")
@requires("visitors.desk")
def badge_build_pdf(build_id: int):
    """The finished file (its making was audited when it was asked for)."""
    build = db.get_or_404(BadgeBuild, build_id)
    path = badges.build_file(build)
    if build.state is not BadgeBuildState.done or not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=badges.download_name(build),
    )


# --- classification rules ---------------------------------------------------------------------------


@bp.route("/visitors/rules", methods=["GET", "POST"])
@requires("visitors.manage")
def rules():
    form = RuleForm()
    if form.validate_on_submit():
        field, _sep, value = form.condition.data.partition(":")
        with user_action(_("Rule added. It applies to new registrations.")) as action:
            services.add_rule(field, value, form.category.data, form.position.data or 100)
        if action.done:
            return redirect(url_for("visitors.rules"))
    return render_template(
        "visitors/rules.html",
        form=form,
        rules=services.classification_rules(),
        action_form=EmptyForm(),
        value_label=services.rule_value_label,
    )


@bp.route("/visitors/rules/<int:rule_id>/delete", methods=["POST"])
@requires("visitors.manage")
def rule_delete(rule_id: int):
    rule = db.get_or_404(ClassificationRule, rule_id)
    if EmptyForm().validate_on_submit():
        with user_action(_("Rule deleted.")):
            services.delete_rule(rule)
    return redirect(url_for("visitors.rules"))


# --- gate devices ------------------------------------------------------------------------------------


@bp.route("/visitors/shows/<int:show_id>/devices", methods=["GET", "POST"])
@requires("gate.devices")
def devices(show_id: int):
    show = db.get_or_404(Show, show_id)
    form = DeviceForm()
    secret = None
    if form.validate_on_submit():
        with user_action() as action:
            _token, secret = create_device_token(
                show.id, form.name.data.strip(), "gate", created_by=current_user
            )
        if action.done:
            form = DeviceForm(formdata=None)
    tokens = db.session.scalars(
        sa.select(DeviceToken).where(DeviceToken.show_id == show.id).order_by(DeviceToken.id.desc())
    ).all()
    return render_template(
        "visitors/devices.html",
        show=show,
        shows=list_shows(),
        form=form,
        tokens=tokens,
        secret=secret,
        action_form=EmptyForm(),
    )


@bp.route("/visitors/shows/<int:show_id>/devices/<int:token_id>/revoke", methods=["POST"])
@requires("gate.devices")
def device_revoke(show_id: int, token_id: int):
    token = db.session.scalar(
        sa.select(DeviceToken).where(DeviceToken.id == token_id, DeviceToken.show_id == show_id)
    )
    if token is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        with user_action(_("Device token revoked.")):
            revoke_device_token(token)
    return redirect(url_for("visitors.devices", show_id=show_id))


# --- export --------------------------------------------------------------------------------------------


@bp.route("/visitors/shows/<int:show_id>/registrations.xlsx", methods=["POST"])
@requires("visitors.export")
def export_xlsx(show_id: int):
    """A POST: the export holds badge codes, so each download is audited, and a GET never writes."""
    show = db.get_or_404(Show, show_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with user_action():
        content = exports.badges_xlsx(show)
    response = make_response(content)
    response.headers["Content-Type"] = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="registrations-{show.code}.xlsx"'
    )
    return response
