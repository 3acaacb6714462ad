"""Scheduled work of the relationships area: the nightly life-cycle and value evaluations."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from expo_crm.scheduler.registry import periodic_job


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
