from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from expo_crm import clock
from expo_crm.auth.permissions import requires
from expo_crm.db import db
from expo_crm.navigation import nav_item
from expo_crm.scheduler import registry, services
from expo_crm.scheduler.forms import ActionForm, PlanStepForm
from expo_crm.scheduler.models import PlanStepRun, ServicePlanStep
from expo_crm.shows.models import Show
from expo_crm.shows.services import list_shows

bp = Blueprint("scheduler", __name__, url_prefix="/jobs")
nav_item(_l("Jobs"), "scheduler.console", "jobs.manage", order=95)


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
    if what == "run":
        services.request_run(name, clock.now())
        flash(_("The scheduler will run %(job)s within a few seconds.", job=label), "success")
    else:
        services.set_paused(name, what == "pause")
        flash(
            _("%(job)s paused.", job=label)
            if what == "pause"
            else _("%(job)s resumed.", job=label),
            "success",
        )
    db.session.commit()
    return redirect(url_for("scheduler.console"))


@bp.route("/plans/<int:show_id>")
@requires("jobs.manage")
def plan(show_id: int):
    show = db.get_or_404(Show, show_id)
    steps = services.plan_of(show)
    db.session.commit()  # a show seen for the first time gets its default plan
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
        due_at=lambda step: services.due_at(step, show),
    )


@bp.route("/plans/<int:show_id>/steps/<int:step_id>", methods=["GET", "POST"])
@requires("jobs.manage")
def plan_step(show_id: int, step_id: int):
    step = db.get_or_404(ServicePlanStep, step_id)
    if step.show_id != show_id:
        abort(404)
    form = PlanStepForm(obj=step)
    if form.validate_on_submit():
        try:
            services.update_step(
                step,
                anchor=form.anchor.data,
                offset_days=form.offset_days.data,
                hour=form.hour.data,
                enabled=form.enabled.data,
            )
        except services.PlanError as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash(_("Plan step saved."), "success")
            return redirect(url_for("scheduler.plan", show_id=show_id))
    label = registry.actions().get(step.action)
    return render_template(
        "scheduler/step_form.html",
        form=form,
        step=step,
        show=step.show,
        label=label.label if label else step.action,
        request=request,
    )
