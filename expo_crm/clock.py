"""The one clock of expo-crm. All time-dependent code asks here, never datetime.now().

Three ways to set it:
- tests call `freeze(at)` / `travel(delta)` / `unfreeze()`;
- `EXPO_CRM_NOW` starts the clock at that ISO time and lets it run on;
- the CLI `jobs run-due --at` freezes it for one run;
- `stopped_at(at)` stops it at a moment for a block (demo history entered as it happened).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

_frozen: datetime | None = None
_offset: timedelta | None = None


def parse_iso(text: str) -> datetime:
    """An ISO time; without a zone it is taken as UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _environment_offset() -> timedelta:
    start = os.environ.get("EXPO_CRM_NOW")
    if not start:
        return timedelta(0)
    # Child processes of `expo-crm demo` share one anchor, so web and scheduler agree.
    anchor = float(os.environ.get("EXPO_CRM_CLOCK_ANCHOR", "0") or 0) or time.time()
    os.environ.setdefault("EXPO_CRM_CLOCK_ANCHOR", repr(anchor))
    return parse_iso(start) - datetime.fromtimestamp(anchor, UTC)


def now() -> datetime:
    global _offset
    if _frozen is not None:
        return _frozen
    if _offset is None:
        _offset = _environment_offset()
    return datetime.now(UTC) + _offset


def today_utc() -> date:
    return now().date()


def freeze(at: datetime | str) -> datetime:
    global _frozen
    _frozen = parse_iso(at) if isinstance(at, str) else at.astimezone(UTC)
    return _frozen


def travel(delta: timedelta) -> datetime:
    """Move a frozen clock on (tests walking through a show's life)."""
    if _frozen is None:
        raise RuntimeError("travel() needs a frozen clock")
    return freeze(_frozen + delta)


def unfreeze() -> None:
    global _frozen, _offset
    _frozen = None
    _offset = None


@contextmanager
def stopped_at(at: datetime) -> Iterator[datetime]:
    """The clock stands at `at` inside the block; after it, it is as it was (frozen or running)."""
    global _frozen
    before = _frozen
    try:
        yield freeze(at)
    finally:
        _frozen = before
