"""The staff dashboard's registries.

- Panels: each domain registers its own, shown to roles that may see it; a panel may lead the
  dashboard of some roles (the answer to that role's first question, shown first and wide).
- Edition measures: each domain registers the figures of a show it knows (exhibitors signed,
  area booked, visitors, NPS …), so a show can be set against the last edition of its series
  without this module knowing any domain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Panel:
    template: str
    capability: str
    context: Callable[[], dict]
    order: int
    lead_for: frozenset[str]


_panels: dict[str, Panel] = {}


def dashboard_panel(
    template: str, capability: str, order: int = 100, lead_for: tuple[str, ...] = ()
) -> Callable:
    """Decorator on a function returning the panel's template context.

    `lead_for` names the roles whose dashboard this panel leads."""

    def register(context: Callable[[], dict]) -> Callable[[], dict]:
        _panels[template] = Panel(template, capability, context, order, frozenset(lead_for))
        return context

    return register


def panels_for(user) -> list[tuple[str, dict]]:
    """The user's panels, the ones leading for its role first; each context says `lead`."""
    role = getattr(getattr(user, "role", None), "value", None)
    visible = [panel for panel in _panels.values() if user.can(panel.capability)]
    visible.sort(key=lambda p: (role not in p.lead_for, p.order))
    return [
        (panel.template, {**panel.context(), "lead": role in panel.lead_for}) for panel in visible
    ]


@dataclass(frozen=True)
class EditionMeasure:
    key: str
    label: object  # a lazy translated string
    unit: object  # a lazy translated string, or ""
    order: int
    compute: Callable[[int], Decimal | int | None]  # show id -> the figure, None when unknown


_measures: dict[str, EditionMeasure] = {}


def edition_measure(key: str, label, unit="", order: int = 100) -> Callable:
    """Decorator on `fn(show_id) -> number | None`: one figure of a show, to compare editions."""

    def register(compute: Callable[[int], Decimal | int | None]) -> Callable:
        _measures[key] = EditionMeasure(key, label, unit, order, compute)
        return compute

    return register


def edition_measures() -> list[EditionMeasure]:
    if not _measures:
        raise LookupError("no edition measures registered: the blueprints were not imported")
    return sorted(_measures.values(), key=lambda m: m.order)
