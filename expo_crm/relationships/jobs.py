"""Scheduled work of the relationships area: the nightly life-cycle evaluation."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from expo_crm.scheduler.registry import periodic_job


@periodic_job("lifecycle.nightly", label=_l("Life-cycle evaluation and alerts"), hour=2, minute=0)
def nightly_evaluation(at: datetime) -> int:
    from expo_crm.relationships.services import evaluate_all

    return evaluate_all(at)
