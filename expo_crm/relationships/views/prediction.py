"""Churn prediction: each model version's evaluation, the customers at risk per owner."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from expo_crm.auth.models import StaffUser
from expo_crm.auth.permissions import requires
from expo_crm.db import db
from expo_crm.relationships import churn_model, settings
from expo_crm.relationships.churn_features import PREDICTED_KINDS
from expo_crm.relationships.models import ChurnModel
from expo_crm.relationships.views import bp
from expo_crm.shows.models import Show
from expo_crm.subjects import SubjectKind


@bp.route("/churn-models")
@requires("reports.view")
def churn_models():
    return render_template(
        "relationships/churn_models.html",
        models=churn_model.model_versions(),
        kinds=PREDICTED_KINDS,
    )


@bp.route("/churn-models/<int:model_id>")
@requires("reports.view")
def churn_model_detail(model_id: int):
    model = db.get_or_404(ChurnModel, model_id)
    shows = {
        show.id: show
        for show in db.session.scalars(
            db.select(Show).where(Show.id.in_(list(model.train_show_ids or [])))
        )
    }
    return render_template(
        "relationships/churn_model.html",
        model=model,
        trained_on=[shows[i] for i in model.train_show_ids or [] if i in shows],
        latest=churn_model.latest_model(model.kind),
    )


def _kind_arg() -> SubjectKind:
    try:
        kind = SubjectKind(request.args.get("kind", "exhibitor"))
    except ValueError:
        abort(404)
    if kind not in PREDICTED_KINDS:
        abort(404)
    return kind


@bp.route("/at-risk")
@requires("relationships.view")
def at_risk():
    kind = _kind_arg()
    owner = request.args.get("owner", "me")
    owners = list(
        db.session.scalars(
            db.select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.name)
        )
    )
    if owner == "me":
        owner_id = current_user.id
    elif owner == "all":
        owner_id = None
    else:
        owner_id = request.args.get("owner", type=int)
        if owner_id is None or owner_id not in {o.id for o in owners}:
            abort(404)
    return render_template(
        "relationships/at_risk.html",
        kind=kind,
        kinds=PREDICTED_KINDS,
        owner=owner,
        owners=owners,
        model=churn_model.latest_model(kind),
        rows=churn_model.at_risk(kind, owner_id),
        threshold=settings.current()["churn_risk_min"],
    )
