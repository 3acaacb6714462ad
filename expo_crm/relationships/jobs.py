"""Scheduled work of the relationships area: the nightly life-cycle and value evaluations."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm.db import db
from expo_crm.relationships import matrix
from expo_crm.scheduler.registry import (
    in_step_target,
    periodic_job,
    plan_action,
    target_filter,
)

# Plan steps of any package may aim at a value class or tier of the pyramid.
target_filter(matrix.in_target, options=matrix.target_options)


@periodic_job(
    "churn.retrain", label=_l("Churn model: retrain after a show closes, score"), hour=1, minute=30
)
def churn_retrain(at: datetime) -> int:
    from expo_crm.relationships.churn_model import retrain_after_close

    return retrain_after_close(at)


@periodic_job("lifecycle.nightly", label=_l("Life-cycle evaluation and alerts"), hour=2, minute=0)
def nightly_evaluation(at: datetime) -> int:
    from expo_crm.relationships.services import evaluate_all

    return evaluate_all(at)


@periodic_job(
    "value.nightly", label=_l("Customer value, value classes and their work"), hour=2, minute=30
)
def nightly_values(at: datetime) -> int:
    from expo_crm.relationships.services import evaluate_values

    result = evaluate_values(at)
    return result["created"] + result["changed"] + result["owners"]


@plan_action(
    "value.personal_calls",
    label=_l("Personal call to value customers before the invitation"),
    audience="exhibitors+visitors",
    anchor="open_from",
    offset_days=-67,
    until=("open_from", -60),
    hour=9,
    target="class:value",
)
def personal_calls(show, at: datetime) -> int:
    """A call task for the owner of each past exhibitor and trade visitor of the series in the
    step's target (by default value customers; staff may change it per show), due before the
    invitation mail (T−60); made once per show and customer."""
    from datetime import timedelta

    from expo_crm.relationships import subjects
    from expo_crm.relationships.complaints import customer_owner_id
    from expo_crm.relationships.models import VALUE_CALL_TASK
    from expo_crm.relationships.value import _source, participations
    from expo_crm.shows.models import Show
    from expo_crm.tasks.models import Task
    from expo_crm.tasks.services import create_task

    series = set(db.session.scalars(sa.select(Show.id).where(Show.series == show.series)))
    past = {
        "exhibitor": {row.company_id for row in participations() if row.show_id in series},
        "visitor": {
            visitor_id
            for visitor_id, show_id, _category in _source("checked_in_visitors")()
            if show_id in series
        },
    }
    made = 0
    for kind, ids in past.items():
        for subject_id in sorted(in_step_target(kind, ids, default="class:value")):
            key = f"value_call:{show.id}:{kind}:{subject_id}"
            if db.session.scalar(sa.select(Task.id).where(Task.source_key == key)) is not None:
                continue
            subject = subjects.get_subject(kind, subject_id)
            create_task(
                owner_id=customer_owner_id(kind, subject_id),
                kind="follow_up",
                due_date=show.open_from - timedelta(days=61),
                subject=(kind, subject_id),
                show_id=show.id,
                source_key=key,
                event=VALUE_CALL_TASK,
                params={"name": _names(kind, subject)},
            )
            made += 1
    return made


def _names(kind: str, subject) -> dict[str, str]:
    if kind == "visitor":
        return {"zh": subject.name, "en": subject.name}
    return {"zh": subject.name_zh or subject.name_en, "en": subject.name_en or subject.name_zh}
