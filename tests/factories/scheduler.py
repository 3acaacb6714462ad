"""Running the scheduler's work the way `expo-crm jobs run-due --at` does."""

from __future__ import annotations

from datetime import datetime

from expo_crm import clock
from expo_crm.scheduler import services

__all__ = ["run_due_at"]


def run_due_at(at: datetime) -> list[str]:
    """Freeze the clock at `at`, run everything due, return the lines run-due would print."""
    clock.freeze(at)
    lines: list[str] = []
    services.run_everything_due(at, lines.append)
    return lines
