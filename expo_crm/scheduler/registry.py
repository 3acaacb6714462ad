"""What the scheduler can run. Domains register their work here from their jobs.py:

- plan actions: a step of a show's service plan, run once per show when its time comes
  (`fn(show, at) -> int`, the number of effects; must be idempotent per recipient);
- periodic jobs: housekeeping on a fixed trigger (`fn(at) -> int`), e.g. the mail outbox.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PlanAction:
    name: str
    label: object  # lazy translated text
    audience: str  # exhibitors | visitors | staff | partners | suppliers
    anchor: str  # a Show date attribute: move_in_date, open_from, open_to, move_out_date
    offset_days: int  # default offset from the anchor
    hour: int  # local hour of day in the show's time zone
    fn: Callable
    repeat_hourly: bool = False  # runs every hour while the show is open (traffic snapshot)
    repeat_daily: bool = (
        False  # runs at `hour` on each day from its date to the last open day (digest)
    )


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    label: object
    trigger: dict = field(
        default_factory=dict
    )  # APScheduler trigger arguments, e.g. {"minutes": 1}
    fn: Callable | None = None


_actions: dict[str, PlanAction] = {}
_periodic: dict[str, PeriodicJob] = {}

# Modules that register plan actions and periodic jobs.
JOB_MODULES = (
    "expo_crm.mail.jobs",
    "expo_crm.exhibitors.jobs",
    "expo_crm.visitors.jobs",
    "expo_crm.suppliers.jobs",
    "expo_crm.partners.jobs",
    "expo_crm.staff.jobs",
    "expo_crm.relationships.jobs",
    "expo_crm.surveys.jobs",
    "expo_crm.scheduler.jobs",
)


def plan_action(
    name: str,
    *,
    label,
    audience: str,
    anchor: str,
    offset_days: int,
    hour: int = 9,
    repeat_hourly: bool = False,
    repeat_daily: bool = False,
) -> Callable:
    def register(fn: Callable) -> Callable:
        _actions[name] = PlanAction(
            name, label, audience, anchor, offset_days, hour, fn, repeat_hourly, repeat_daily
        )
        return fn

    return register


def periodic_job(name: str, *, label, **trigger) -> Callable:
    def register(fn: Callable) -> Callable:
        _periodic[name] = PeriodicJob(name, label, trigger, fn)
        return fn

    return register


def load_all() -> None:
    for module in JOB_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as missing:
            if missing.name != module:
                raise


def actions() -> dict[str, PlanAction]:
    load_all()
    return dict(_actions)


def periodic_jobs() -> dict[str, PeriodicJob]:
    load_all()
    return dict(_periodic)
