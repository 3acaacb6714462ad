from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from expo_crm import clock
from expo_crm.actions import user_action
from expo_crm.auth.permissions import requires
from expo_crm.db import db
from expo_crm.navigation import nav_item
from expo_crm.scheduler import registry, services
from expo_crm.scheduler.forms import ActionForm, PlanStepForm
from expo_crm.scheduler.models import PlanStepRun, ServicePlanStep
from expo_crm.shows.models import Show
from expo_crm.shows.services import list_shows

bp = Blueprint("scheduler", __name__, url_prefix="/jobs")
nav_item(_l("Jobs"), "scheduler.console", "jobs.manage", order=95, group="admin")


@bp.route("/")
@requires("jobs.manage")
def console():
    at = clock.now()
    jobs = services.jobs_overview()
    return render_template(
        "scheduler/console.html",
        jobs=jobs,
        job_labels={job.name: job.label for job in jobs},
        runs=services.recent_runs(limit=30),
        instances=services.instances(),
        active=services.active_instance(at),
        form=ActionForm(),
        shows=list_shows(),
    )


@bp.route("/<name>/<any(run, pause, resume):what>", methods=["POST"])
@requires("jobs.manage")
def job_control(name: str, what: str):
    if name not in services.job_names():
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    label = {job.name: job.label for job in services.jobs_overview()}.get(name, name)
    with user_action() as action:
        if what == "run":
            services.request_run(name, clock.now())
            action.succeeded_with(
                _("The scheduler will run %(job)s within a few seconds.", job=label)
            )
        else:
            services.set_paused(name, what == "pause")
            action.succeeded_with(
                _("%(job)s paused.", job=label)
                if what == "pause"
                else _("%(job)s resumed.", job=label)
            )
    return redirect(url_for("scheduler.console"))


@bp.route("/plans/<int:show_id>")
@requires("jobs.manage")
def plan(show_id: int):
    """Reads only: steps the show lacks are listed, and a button adds them (the scheduler adds
    them too on its next run)."""
    show = db.get_or_404(Show, show_id)
    steps = services.plan_steps(show)
    runs = {}
    for run in db.session.scalars(
        db.select(PlanStepRun)
        .where(PlanStepRun.step_id.in_([s.id for s in steps]))
        .order_by(PlanStepRun.id)
    ):
        runs.setdefault(run.step_id, []).append(run)
    actions = registry.actions()
    return render_template(
        "scheduler/plan.html",
        show=show,
        steps=steps,
        runs=runs,
        actions=actions,
        missing=services.missing_actions(show, steps),
        form=ActionForm(),
        due_at=lambda step: services.due_at(step, show),
        targets=dict(registry.target_options()),
    )


@bp.route("/plans/<int:show_id>/default-steps", methods=["POST"])
@requires("jobs.manage")
def plan_defaults(show_id: int):
    show = db.get_or_404(Show, show_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with user_action() as action:
        added = services.ensure_plan(show)
        action.succeeded_with(_("%(n)d default steps added to the plan.", n=len(added)))
    return redirect(url_for("scheduler.plan", show_id=show.id))


@bp.route("/plans/<int:show_id>/steps/<int:step_id>", methods=["GET", "POST"])
@requires("jobs.manage")
def plan_step(show_id: int, step_id: int):
    step = db.get_or_404(ServicePlanStep, step_id)
    if step.show_id != show_id:
        abort(404)
    form = PlanStepForm(obj=step)
    label = registry.actions().get(step.action)
    if label is not None and label.targetable:
        form.target.choices = [("", _("The whole audience")), *registry.target_options()]
    else:
        del form.target
    if form.validate_on_submit():
        with user_action(_("Plan step saved.")) as action:
            services.update_step(
                step,
                anchor=form.anchor.data,
                offset_days=form.offset_days.data,
                hour=form.hour.data,
                enabled=form.enabled.data,
                target=form.target.data if "target" in form else None,
            )
        if action.done:
            return redirect(url_for("scheduler.plan", show_id=show_id))
    return render_template(
        "scheduler/step_form.html",
        form=form,
        step=step,
        show=step.show,
        label=label.label if label else step.action,
        request=request,
    )
