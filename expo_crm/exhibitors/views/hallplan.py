"""Staff pages of the drawn hall plan: one SVG of every hall of a show; staff draw outlines and
booths, move, resize, turn, renumber, block and sell a booth by clicking it. Selling calls
booths.assign_booth, as the application page does: the list and the plan are one data."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm.actions import user_action
from expo_crm.auth.permissions import requires
from expo_crm.db import db
from expo_crm.documents.tabular import MAX_UPLOAD_BYTES
from expo_crm.exhibitors import hallplan
from expo_crm.exhibitors.booths import assign_booth, booth_totals, set_booth_blocked
from expo_crm.exhibitors.forms import SimpleActionForm
from expo_crm.exhibitors.models import (
    Application,
    ApplicationState,
    Booth,
    BoothAssignment,
    BoothStatus,
)
from expo_crm.exhibitors.plan_forms import (
    DrawBoothForm,
    OutlineForm,
    PlaceBoothForm,
    PlanImportForm,
    RenumberForm,
    SellForm,
)
from expo_crm.exhibitors.views import bp
from expo_crm.shows import services as shows


def _to_plan(show_id: int, booth_id: int | None = None):
    return redirect(url_for("exhibitors.hall_plan", show=show_id, booth=booth_id), code=303)


def _refused(form, show_id: int, booth_id: int | None = None):
    """A form that does not validate: back to the plan, each field's problem said."""
    problems = [
        f"{form[name].label.text}: {' '.join(errors)}"
        for name, errors in form.errors.items()
        if name != "csrf_token"
    ]
    flash(" ".join(problems) or _("The form has expired; please try again."), "error")
    return _to_plan(show_id, booth_id)


def _waiting_applications(show_id: int) -> list[Application]:
    """Approved applications of the show without a booth yet: those a booth can be sold to."""
    with_booth = sa.select(BoothAssignment.application_id)
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(
                Application.show_id == show_id,
                Application.state == ApplicationState.approved,
                Application.id.not_in(with_booth),
            )
            .order_by(Application.id)
        )
    )


@bp.route("/hall-plan")
@requires("exhibitors.view")
def hall_plan():
    show_id = request.args.get("show", type=int)
    show = shows.get_show_or_404(show_id) if show_id else shows.current_show()
    sell_form = SellForm()
    if show is not None:
        sell_form.application_id.choices = [
            (a.id, f"{a.company.name} · {a.requested_area_m2} m² · {a.booth_type.label}")
            for a in _waiting_applications(show.id)
        ]
    return render_template(
        "exhibitors/hall_plan.html",
        show=show,
        shows=shows.list_shows(),
        plan=hallplan.plan_data(show.id) if show else None,
        totals=booth_totals(show.id) if show else None,
        status_labels={s.value: s.label for s in BoothStatus},
        selected=request.args.get("booth", type=int),
        outline_form=OutlineForm(),
        draw_form=DrawBoothForm(),
        place_form=PlaceBoothForm(),
        renumber_form=RenumberForm(),
        sell_form=sell_form,
        import_form=PlanImportForm(),
        action_form=SimpleActionForm(),
    )


@bp.route("/hall-plan/<int:show_id>/outline", methods=["POST"])
@requires("exhibitors.manage")
def hall_outline(show_id: int):
    show = shows.get_show_or_404(show_id)
    form = OutlineForm()
    if not form.validate_on_submit():
        return _refused(form, show.id)
    with user_action(_("Hall outline saved.")):
        hallplan.set_outline(show.id, form.hall.data, hallplan.parse_points(form.points.data))
    return _to_plan(show.id)


@bp.route("/hall-plan/<int:show_id>/booths", methods=["POST"])
@requires("exhibitors.manage")
def hall_plan_draw(show_id: int):
    show = shows.get_show_or_404(show_id)
    form = DrawBoothForm()
    if not form.validate_on_submit():
        return _refused(form, show.id)
    booth = None
    with user_action() as action:
        booth = hallplan.draw_booth(
            show.id,
            hall=form.hall.data,
            number=form.number.data,
            x=form.x.data,
            y=form.y.data,
            width=form.width.data or 0,
            depth=form.depth.data or 0,
            rotation=form.rotation.data or 0,
            booth_type=form.booth_type.data,
            price_per_m2=form.price_per_m2.data or 0,
        )
        action.succeeded_with(_("Booth %(number)s drawn.", number=booth.number))
    return _to_plan(show.id, booth.id if action.done else None)


def _booth_or_404(booth_id: int) -> Booth:
    return db.get_or_404(Booth, booth_id)


@bp.route("/hall-plan/booths/<int:booth_id>/place", methods=["POST"])
@requires("exhibitors.manage")
def hall_plan_place(booth_id: int):
    booth = _booth_or_404(booth_id)
    form = PlaceBoothForm()
    if not form.validate_on_submit():
        return _refused(form, booth.show_id, booth.id)
    with user_action(_("Booth moved.")):
        hallplan.place_booth(
            booth,
            x=form.x.data,
            y=form.y.data,
            width=form.width.data or 0,
            depth=form.depth.data or 0,
            rotation=form.rotation.data or 0,
        )
    return _to_plan(booth.show_id, booth_id)


@bp.route("/hall-plan/booths/<int:booth_id>/renumber", methods=["POST"])
@requires("exhibitors.manage")
def hall_plan_renumber(booth_id: int):
    booth = _booth_or_404(booth_id)
    form = RenumberForm()
    if not form.validate_on_submit():
        return _refused(form, booth.show_id, booth.id)
    with user_action(_("Booth renumbered.")):
        hallplan.renumber_booth(booth, form.number.data)
    return _to_plan(booth.show_id, booth_id)


@bp.route("/hall-plan/booths/<int:booth_id>/block", methods=["POST"])
@requires("exhibitors.manage")
def hall_plan_block(booth_id: int):
    booth = _booth_or_404(booth_id)
    if not SimpleActionForm().validate_on_submit():
        abort(400)
    with user_action():
        set_booth_blocked(booth, booth.status is not BoothStatus.blocked)
    return _to_plan(booth.show_id, booth_id)


@bp.route("/hall-plan/booths/<int:booth_id>/sell", methods=["POST"])
@requires("exhibitors.manage")
def hall_plan_sell(booth_id: int):
    booth = _booth_or_404(booth_id)
    application_id = request.form.get("application_id", type=int)
    if not SimpleActionForm().validate_on_submit() or not application_id:
        abort(400)
    application = db.get_or_404(Application, application_id)
    with user_action() as action:
        assignment = assign_booth(application, booth.id, assigned_by_id=current_user.id)
        action.succeeded_with(
            _(
                "Booth %(number)s sold to %(company)s.",
                number=assignment.booth.number,
                company=application.company.name,
            )
        )
    return _to_plan(booth.show_id, booth_id)


@bp.route("/hall-plan/<int:show_id>/import", methods=["POST"])
@requires("exhibitors.manage")
def hall_plan_import(show_id: int):
    show = shows.get_show_or_404(show_id)
    form = PlanImportForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        abort(400)
    content = upload.read(MAX_UPLOAD_BYTES + 1)
    with user_action() as action:
        result = hallplan.import_plan(show.id, upload.filename, content)
        if not result.ok:
            problems = result.file_errors + [
                _("Line %(line)d: %(errors)s", line=r.line, errors=" ".join(r.errors))
                for r in result.row_errors[:20]
            ]
            raise hallplan.GeometryError(" ".join(problems) or _("The file holds no rows."))
        action.succeeded_with(
            _(
                "Plan imported: %(created)d booths drawn, %(updated)d moved, %(halls)d outlines.",
                created=result.count("create"),
                updated=result.count("update"),
                halls=result.count("outline"),
            )
        )
    return _to_plan(show.id)
