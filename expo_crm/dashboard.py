"""Panels on the staff dashboard: each domain registers its own, shown to roles that may see it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    capability: str
    context: Callable[[], dict]
    order: int


_panels: dict[str, Panel] = {}


def dashboard_panel(template: str, capability: str, order: int = 100) -> Callable:
    """Decorator on a function returning the panel's template context."""

    def register(context: Callable[[], dict]) -> Callable[[], dict]:
        _panels[template] = Panel(template, capability, context, order)
        return context

    return register


def panels_for(user) -> list[tuple[str, dict]]:
    return [
        (panel.template, panel.context())
        for panel in sorted(_panels.values(), key=lambda p: p.order)
        if user.can(panel.capability)
    ]
