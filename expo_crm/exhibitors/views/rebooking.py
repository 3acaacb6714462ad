"""Staff page of rebooking: the window settings of a show and the order of past exhibitors,
each with the reason for its place."""

from datetime import datetime, time

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from expo_crm import clock
from expo_crm.actions import user_action
from expo_crm.auth.permissions import requires
from expo_crm.exhibitors import rebooking
from expo_crm.exhibitors.forms import SimpleActionForm
from expo_crm.exhibitors.plan_forms import RebookingPlanForm
from expo_crm.exhibitors.views import bp
from expo_crm.navigation import nav_item
from expo_crm.shows import services as shows

nav_item(_l("Rebooking"), "exhibitors.rebooking_page", "exhibitors.view", order=34, group="sales")


def _show():
    """The show asked for; else the next one whose rebooking is planned (rebooking is about an
    edition still to come); else the show staff work on now."""
    show_id = request.args.get("show", type=int)
    if show_id:
        return shows.get_show_or_404(show_id)
    return rebooking.next_planned_show(clock.now()) or shows.current_show()


@bp.route("/rebooking")
@requires("exhibitors.view")
def rebooking_page():
    show = _show()
    plan = rebooking.plan_for(show.id) if show else None
    form = RebookingPlanForm(formdata=None)
    if plan is not None:
        form.starts_at.data = plan.starts_at.astimezone(show.tz).replace(tzinfo=None)
        form.window_hours.data = plan.window_hours
        form.companies_per_window.data = plan.companies_per_window
        form.hold_minutes.data = plan.hold_minutes
    elif show is not None:
        form.starts_at.data = datetime.combine(show.local_date(clock.now()), time(10))
    return render_template(
        "exhibitors/rebooking.html",
        show=show,
        shows=shows.list_shows(),
        plan=plan,
        form=form,
        windows=rebooking.windows_of(show.id) if show else [],
        action_form=SimpleActionForm(),
    )


@bp.route("/rebooking/<int:show_id>/plan", methods=["POST"])
@requires("exhibitors.manage")
def rebooking_plan(show_id: int):
    show = shows.get_show_or_404(show_id)
    form = RebookingPlanForm()
    if not form.validate_on_submit():
        abort(400)
    with user_action(_("Rebooking settings saved.")):
        rebooking.save_plan(
            show,
            starts_at=form.starts_at.data.replace(tzinfo=show.tz),
            window_hours=form.window_hours.data,
            companies_per_window=form.companies_per_window.data,
            hold_minutes=form.hold_minutes.data,
        )
    return redirect(url_for("exhibitors.rebooking_page", show=show.id), code=303)


@bp.route("/rebooking/<int:show_id>/windows", methods=["POST"])
@requires("exhibitors.manage")
def rebooking_compute(show_id: int):
    show = shows.get_show_or_404(show_id)
    if not SimpleActionForm().validate_on_submit():
        abort(400)
    with user_action() as action:
        windows = rebooking.compute_windows(show)
        action.succeeded_with(_("Windows computed: %(count)d.", count=len(windows)))
    return redirect(url_for("exhibitors.rebooking_page", show=show.id), code=303)
