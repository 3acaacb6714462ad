"""Reading the life cycle: a customer's stage explained, its history, alerts, customers at risk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from expo_crm import audit, clock, events
from expo_crm.db import db
from expo_crm.errors import UserError
from expo_crm.relationships import churn, settings, subjects
from expo_crm.relationships.models import (
    Alert,
    AlertState,
    ChurnOutcome,
    LifecycleStage,
    RelationshipState,
    StageTransition,
)
from expo_crm.subjects import SUBJECT_COLUMNS, SubjectKind


class StageError(UserError):
    """What staff may not do to a customer's life cycle (mark a declined customer, close an alert)."""


LIFECYCLE_KINDS = (SubjectKind.exhibitor, SubjectKind.visitor, SubjectKind.partner)

RULES = {
    "prospect": _l("Known prospect: no confirmed participation yet."),
    "first": _l("Confirmed participation, not yet repeated often enough for trust."),
    "returned": _l("Came back after being lost: starts again at confirmation."),
    "repeat": _l("Took part repeatedly with no warning signal."),
    "warning": _l("Took part before, but at least one warning signal is present."),
    "predicted": _l(
        "No warning in behaviour yet, but the churn model predicts a high risk of not coming"
        " back: an early warning."
    ),
    "declined": _l("The customer declined the next edition."),
    "missed_editions": _l("Missed editions in a row."),
    "still_lost": _l("Lost, and has not come back since."),
    "not_repaired": _l("The weakening was not repaired and the next edition was missed."),
}


@dataclass(frozen=True)
class Reason:
    text: str
    warning: bool = False


def _money(value) -> str:
    return format_decimal(value, format="#,##0.##") if value is not None else "–"


def _percent(value) -> str:
    return "–" if value is None else f"{float(value) * 100:.0f}%"


def reasons(signals, values: dict | None = None) -> list[Reason]:
    """The signals behind a stage, as readable sentences (a state or a transition)."""
    values = values or settings.current()
    found = [Reason(str(RULES.get(signals.rule, signals.rule)))]
    if signals.editions:
        found.append(
            Reason(
                str(
                    _l(
                        "Took part in %(n)d edition(s); %(since)d since the last loss.",
                        n=signals.editions,
                        since=signals.editions_since_return,
                    )
                )
            )
        )
    if signals.declined:
        found.append(
            Reason(
                str(_l("Declined: withdrew, was turned down or told us no for a later edition.")),
                True,
            )
        )
    if signals.missed_editions:
        found.append(
            Reason(
                str(
                    _l(
                        "Missed %(n)d edition(s) held since the last participation.",
                        n=signals.missed_editions,
                    )
                ),
                True,
            )
        )
    if signals.low_satisfaction:
        found.append(
            Reason(
                str(
                    _l(
                        "Latest satisfaction %(value)s is below %(min)s.",
                        value=signals.satisfaction,
                        min=values["satisfaction_min"],
                    )
                ),
                True,
            )
        )
    if signals.low_nps:
        found.append(
            Reason(
                str(
                    _l(
                        "Latest NPS answer %(value)s is below %(min)s.",
                        value=signals.nps,
                        min=values["nps_min"],
                    )
                ),
                True,
            )
        )
    if signals.overdue_complaints:
        found.append(
            Reason(
                str(_l("%(n)d complaint(s) open past their SLA.", n=signals.overdue_complaints)),
                True,
            )
        )
    if signals.area_cut:
        found.append(
            Reason(
                str(
                    _l(
                        "Booth area cut from %(before)s m² to %(now)s m².",
                        before=_money(signals.area_before_m2),
                        now=_money(signals.area_now_m2),
                    )
                ),
                True,
            )
        )
    if signals.not_rebooked:
        found.append(
            Reason(
                str(
                    _l(
                        "Not rebooked by the rebooking deadline %(day)s.",
                        day=signals.rebooking_deadline,
                    )
                ),
                True,
            )
        )
    if getattr(signals, "churn_risk", False):
        found.append(
            Reason(
                str(
                    _l(
                        "Predicted probability of not coming back: %(p)s (early warning from"
                        " %(min)s).",
                        p=_percent(signals.churn_probability),
                        min=_percent(values["churn_risk_min"]),
                    )
                ),
                True,
            )
        )
    if signals.no_contact:
        found.append(
            Reason(
                str(
                    _l(
                        "No interaction for more than %(days)s days.",
                        days=values["no_contact_days"],
                    )
                ),
                True,
            )
        )
    for warning in getattr(signals, "external_warnings", None) or []:
        found.append(Reason(events.render(warning.get("event"), warning.get("params")), True))
    return found


def state_of(kind: SubjectKind | str, subject_id: int) -> RelationshipState | None:
    column = getattr(RelationshipState, SUBJECT_COLUMNS[SubjectKind(kind)])
    return db.session.scalar(sa.select(RelationshipState).where(column == subject_id))


def history(kind: SubjectKind | str, subject_id: int) -> list[StageTransition]:
    column = getattr(StageTransition, SUBJECT_COLUMNS[SubjectKind(kind)])
    return list(
        db.session.scalars(
            sa.select(StageTransition)
            .where(column == subject_id)
            .order_by(StageTransition.at.desc(), StageTransition.id.desc())
        )
    )


def alerts_of(kind: SubjectKind | str, subject_id: int) -> list[Alert]:
    column = getattr(Alert, SUBJECT_COLUMNS[SubjectKind(kind)])
    return list(
        db.session.scalars(
            sa.select(Alert).where(column == subject_id).order_by(Alert.raised_at.desc())
        )
    )


def mark_declined(
    kind: SubjectKind | str,
    subject_id: int,
    note: str,
    staff_id: int | None,
    reason_id: int | None = None,
) -> RelationshipState:
    """Staff record that the customer said no, and why (a reason of the list); the next
    evaluation moves them to loss."""
    state = state_of(kind, subject_id)
    if state is None:
        raise StageError(str(_l("This customer has not been evaluated yet.")))
    churn.record(
        kind,
        subject_id,
        reason_id=reason_id,
        outcome=ChurnOutcome.declined,
        note=note,
        staff_id=staff_id,
    )
    state.declined_at = clock.now()
    state.declined_note = (note or "").strip()
    audit.record(
        "lifecycle.declined", state, after={"note": state.declined_note, "staff_id": staff_id}
    )
    return state


def list_alerts(
    *, state: str | None = "open", owner_id: int | None = None, limit: int = 300
) -> list[Alert]:
    query = sa.select(Alert).order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(limit)
    if state in ("open", "closed"):
        query = query.where(Alert.state == AlertState(state))
    if owner_id is not None:
        query = query.where(Alert.owner_id == owner_id)
    return list(db.session.scalars(query))


def close_alert(
    alert: Alert, outcome: str, reason_id: int | None = None, staff_id: int | None = None
) -> Alert:
    """Record what the follow-up achieved; the task is completed with the same outcome. Closing
    a loss alert records why the customer left (a reason of the list)."""
    from expo_crm.tasks.models import Task, TaskState
    from expo_crm.tasks.services import complete_task

    outcome = (outcome or "").strip()
    if not outcome:
        raise StageError(str(_l("Say what the follow-up achieved.")))
    if alert.state is AlertState.closed:
        raise StageError(str(_l("This alert is already closed.")))
    if alert.stage is LifecycleStage.loss:
        churn.record(
            alert.subject_kind,
            alert.subject_id,
            reason_id=reason_id,
            outcome=ChurnOutcome.lost,
            note=outcome,
            staff_id=staff_id,
        )
    task = db.session.get(Task, alert.task_id) if alert.task_id else None
    if task is not None and task.state is TaskState.open:
        complete_task(task, outcome=outcome)
    alert.state = AlertState.closed
    alert.closed_at = clock.now()
    alert.outcome = outcome
    audit.record("alert.close", alert, after={"outcome": outcome})
    return alert


def customers(
    stage: str | None = None,
    kind: str | None = None,
    owner_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
):
    query = sa.select(RelationshipState).order_by(
        RelationshipState.health.asc(), RelationshipState.id
    )
    if stage in LifecycleStage.__members__:
        query = query.where(RelationshipState.stage == LifecycleStage(stage))
    if kind in SubjectKind.__members__:
        query = query.where(RelationshipState.kind == SubjectKind(kind))
    if owner_id is not None:
        query = query.where(_owned_by(owner_id))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def _owned_by(owner_id: int):
    return sa.or_(
        *(
            getattr(RelationshipState, SUBJECT_COLUMNS[kind]).in_(
                sa.select(model.id).where(model.owner_id == owner_id)
            )
            for kind, model in subjects.registered_models().items()
        )
    )


def stage_counts() -> dict[LifecycleStage, int]:
    rows = db.session.execute(
        sa.select(RelationshipState.stage, sa.func.count()).group_by(RelationshipState.stage)
    ).all()
    counts = {stage: 0 for stage in LifecycleStage}
    counts.update(dict(rows))
    return counts


def at_risk(limit: int = 8) -> list[RelationshipState]:
    return list(
        db.session.scalars(
            sa.select(RelationshipState)
            .where(RelationshipState.stage.in_([LifecycleStage.weakening, LifecycleStage.loss]))
            .order_by(RelationshipState.stage_since.desc(), RelationshipState.health)
            .limit(limit)
        )
    )


def subject_names(rows) -> dict[tuple[str, int], str]:
    """Display names for many (kind, id) rows in one query per kind."""
    wanted: dict[SubjectKind, set[int]] = {}
    for row in rows:
        if row.subject_kind is not None:
            wanted.setdefault(row.subject_kind, set()).add(row.subject_id)
    names = {}
    for kind, ids in wanted.items():
        model = subjects.model_of(kind)
        for subject in db.session.scalars(sa.select(model).where(model.id.in_(ids))):
            names[(kind.value, subject.id)] = getattr(subject, "name", "") or f"#{subject.id}"
    return names


def last_evaluated_at() -> datetime | None:
    return db.session.scalar(sa.select(sa.func.max(RelationshipState.evaluated_at)))
