"""What the scheduler can run. Domains register their work here from their jobs.py, which the
application factory imports by name:

- plan actions: a step of a show's service plan, run once per show when its time comes
  (`fn(show, at) -> int`, the number of effects; must be idempotent per recipient);
- periodic jobs: housekeeping on a fixed trigger (`fn(at) -> int`), e.g. the mail outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


class JobProblem(Exception):
    """A job could not do its work, for a reason it knows (the mail server is unreachable): the
    run is recorded as failed with this text, without a traceback, so the console says why."""


@dataclass(frozen=True)
class PlanAction:
    name: str
    label: object  # lazy translated text
    audience: str  # exhibitors | visitors | staff | partners | suppliers
    anchor: str  # a Show date attribute: move_in_date, open_from, open_to, move_out_date
    offset_days: int  # default offset from the anchor
    hour: int  # local hour of day in the show's time zone
    fn: Callable
    # Until when the step still makes sense: from the local start of (show date, offset days) a
    # step not yet run is skipped, e.g. a day-before reminder once the show has opened.
    until: tuple[str, int]
    repeat_hourly: bool = False  # runs every hour while the show is open (traffic snapshot)
    repeat_daily: bool = (
        False  # runs at `hour` on each day from its date to the last open day (digest)
    )
    # Only part of the audience: a value class or pyramid tier ("class:value", "tier:key"),
    # resolved by the target filter registered below; "" reaches the whole audience. This is
    # the default of a new step; staff choose each step's own target on the plan page.
    target: str = ""
    # The action asks in_step_target() who of its audience the running step reaches, so a
    # target may be chosen for its steps.
    targetable: bool = False


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


def plan_action(
    name: str,
    *,
    label,
    audience: str,
    anchor: str,
    offset_days: int,
    until: tuple[str, int],
    hour: int = 9,
    repeat_hourly: bool = False,
    repeat_daily: bool = False,
    target: str = "",
    targetable: bool = False,
) -> Callable:
    def register(fn: Callable) -> Callable:
        _actions[name] = PlanAction(
            name,
            label,
            audience,
            anchor,
            offset_days,
            hour,
            fn,
            until,
            repeat_hourly,
            repeat_daily,
            target,
            targetable or bool(target),
        )
        return fn

    return register


def periodic_job(name: str, *, label, **trigger) -> Callable:
    def register(fn: Callable) -> Callable:
        _periodic[name] = PeriodicJob(name, label, trigger, fn)
        return fn

    return register


# Who of an audience a target reaches: fn(target, kind, ids) -> ids, and the targets there are:
# options() -> [(target, label)]. The package that measures customer value registers them
# (relationships), so plan actions of any package can aim at a class or tier without importing it.
_target_filters: list[Callable] = []
_target_options: list[Callable] = []
# The target of the plan step being run (set by the scheduler around the action's call).
_step_target: ContextVar[str | None] = ContextVar("step_target", default=None)


def target_filter(fn: Callable, *, options: Callable | None = None) -> Callable:
    _target_filters[:] = [fn]
    if options is not None:
        _target_options[:] = [options]
    return fn


def target_options() -> list[tuple[str, object]]:
    """Every target a step may aim at, with its label: [("class:value", "Value customers"), …]."""
    if not _target_options:
        raise LookupError("no target options are registered for plan steps")
    return list(_target_options[0]())


@contextmanager
def running_step_target(target: str) -> Iterator[None]:
    """While a plan step runs: the target its action's in_step_target() applies."""
    token = _step_target.set(target or "")
    try:
        yield
    finally:
        _step_target.reset(token)


def in_step_target(kind: str, ids: set[int], default: str = "") -> set[int]:
    """The customers of `ids` (of one kind) that the running plan step's target reaches; called
    outside a step's run (a test, the CLI), the action's `default` target."""
    target = _step_target.get()
    return in_target(default if target is None else target, kind, ids)


def in_target(target: str, kind: str, ids: set[int]) -> set[int]:
    """The customers of `ids` (of one kind) that a step aimed at `target` reaches."""
    if not target:
        return set(ids)
    if not _target_filters:
        raise LookupError("no target filter is registered for plan steps")
    return _target_filters[0](target, kind, set(ids))


def actions() -> dict[str, PlanAction]:
    return dict(_actions)


def periodic_jobs() -> dict[str, PeriodicJob]:
    return dict(_periodic)
