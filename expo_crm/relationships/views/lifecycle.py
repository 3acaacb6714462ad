"""The life cycle: customers by stage, "why is this customer in this stage?", alerts, settings."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm.actions import user_action
from expo_crm.auth.permissions import requires
from expo_crm.dashboard import dashboard_panel
from expo_crm.db import db
from expo_crm.relationships import churn, churn_model, editions, loyalty, matrix, settings, stages
from expo_crm.relationships.churn_features import PREDICTED_KINDS
from expo_crm.relationships.forms import AlertCloseForm, DeclineForm, SettingsForm
from expo_crm.relationships.models import Alert, LifecycleStage
from expo_crm.relationships.subjects import display_name, get_subject_or_404
from expo_crm.relationships.value import last_computed_at
from expo_crm.relationships.views import bp
from expo_crm.shows.choice import chosen_show


@bp.route("/")
@requires("relationships.view")
def customer_list():
    stage = request.args.get("stage") or None
    kind = request.args.get("kind") or None
    mine = request.args.get("mine") == "1"
    pagination = stages.customers(
        stage, kind, current_user.id if mine else None, page=request.args.get("page", 1, type=int)
    )
    show = chosen_show()
    return render_template(
        "relationships/customers.html",
        pagination=pagination,
        names=stages.subject_names(pagination.items),
        counts=stages.stage_counts(),
        stage=stage,
        kind=kind,
        mine=mine,
        stages=list(LifecycleStage),
        kinds=stages.LIFECYCLE_KINDS,
        evaluated_at=stages.last_evaluated_at(),
        show=show,
        edition_funnel=editions.funnel(show) if show else None,
        edition_flow=editions.flow(show) if show else None,
    )


@bp.route("/<kind>/<int:subject_id>/stage")
@requires("relationships.view")
def stage_detail(kind: str, subject_id: int):
    kind_enum, subject = get_subject_or_404(kind, subject_id)
    if kind_enum not in stages.LIFECYCLE_KINDS:
        abort(404)
    values = settings.current()
    state = stages.state_of(kind_enum, subject.id)
    transitions = stages.history(kind_enum, subject.id)
    value = matrix.value_of(kind_enum, subject.id)
    return render_template(
        "relationships/stage.html",
        kind=kind_enum,
        subject=subject,
        name=display_name(subject),
        state=state,
        reasons=stages.reasons(state, values) if state else [],
        values=values,
        history=[(t, stages.reasons(t, values)) for t in transitions],
        alerts=stages.alerts_of(kind_enum, subject.id),
        decline_form=DeclineForm(reasons=churn.reasons()),
        value=value,
        value_computed_at=last_computed_at() if value else None,
        value_lines=matrix.explain(value) if value else [],
        loyalty=loyalty.measures_of(kind_enum, subject.id)
        if kind_enum.value in ("exhibitor", "visitor")
        else None,
        profitability=churn.profitability_of(value) if value else None,
        strategy=matrix.STRATEGY,
        risk=_risk_of(kind_enum, subject.id),
    )


def _risk_of(kind, subject_id: int) -> dict | None:
    """The customer's predicted risk, or why there is none; None for kinds not predicted."""
    if kind not in PREDICTED_KINDS:
        return None
    return {
        "model": churn_model.latest_model(kind),
        "score": churn_model.score_of(kind, subject_id),
        "threshold": settings.current()["churn_risk_min"],
    }


@bp.route("/<kind>/<int:subject_id>/declined", methods=["POST"])
@requires("relationships.manage")
def mark_declined(kind: str, subject_id: int):
    kind_enum, subject = get_subject_or_404(kind, subject_id)
    form = DeclineForm(reasons=churn.reasons())
    if form.validate_on_submit():
        with user_action(
            _("Recorded: the customer declined. The next evaluation moves them to loss.")
        ):
            stages.mark_declined(
                kind_enum, subject.id, form.note.data, current_user.id, form.reason_id.data
            )
    else:
        flash(_("Say what the customer told you."), "error")
    return redirect(
        url_for("relationships.stage_detail", kind=kind_enum.value, subject_id=subject.id)
    )


@bp.route("/alerts")
@requires("relationships.view")
def alert_inbox():
    state = request.args.get("state", "open")
    if state not in ("open", "closed", "all"):
        state = "open"
    mine = request.args.get("mine", "1" if current_user.can("relationships.manage") else "0") == "1"
    alerts = stages.list_alerts(state=state, owner_id=current_user.id if mine else None)
    reasons = churn.reasons()
    return render_template(
        "relationships/alerts.html",
        alerts=alerts,
        names=stages.subject_names(alerts),
        state=state,
        mine=mine,
        close_form=AlertCloseForm(reasons=reasons),
        reasons=reasons,
    )


@bp.route("/alerts/<int:alert_id>/close", methods=["POST"])
@requires("relationships.manage")
def alert_close(alert_id: int):
    alert = db.get_or_404(Alert, alert_id)
    form = AlertCloseForm(reasons=churn.reasons())
    if not form.validate_on_submit():
        flash(_("Say what the follow-up achieved."), "error")
        return redirect(url_for("relationships.alert_inbox"))
    with user_action(_("Alert closed with its outcome.")):
        stages.close_alert(alert, form.outcome.data, form.reason_id.data, current_user.id)
    return redirect(url_for("relationships.alert_inbox", state="closed"))


@bp.route("/settings", methods=["GET", "POST"])
@requires("lifecycle.configure")
def lifecycle_settings():
    values = settings.current()
    if request.method == "POST":
        form = SettingsForm.build(values, formdata=request.form)
        if form.validate():
            with user_action(_("Settings saved. They apply from the next evaluation.")) as action:
                settings.save({s.key: form[s.key].data for s in settings.SETTINGS}, current_user.id)
            if action.done:
                return redirect(url_for("relationships.lifecycle_settings"))
    else:
        form = SettingsForm.build(values)
    return render_template("relationships/settings.html", form=form, settings=settings.SETTINGS)


@dashboard_panel("relationships/panels/risk.html", "relationships.view", order=40)
def _risk_panel() -> dict:
    from flask_login import current_user as user

    mine = stages.list_alerts(state="open", owner_id=user.id, limit=6)
    risky = stages.at_risk()
    return {
        "alerts": mine,
        "at_risk": risky,
        "names": stages.subject_names(list(mine) + risky),
        "counts": stages.stage_counts(),
    }
