"""Text the system writes, stored as an event kind with parameters and rendered in the reader's
language when shown (DESIGN §5). Each package registers its kinds beside its models; a row
keeps `event` and `params`, never the finished sentence.

    register("visitors.checked_in", _l("Checked in at gate %(gate)s"))
    render("visitors.checked_in", {"gate": "W1"})  # "在 W1 入口签到" under zh

Parameters that need translating themselves (a stage, a channel, a booth type) are stored as
codes and named in `codes`, with the LabeledEnum (or {code: lazy label}) that labels them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from expo_crm.db import LabeledEnum
from expo_crm.i18n import bilingual


@dataclass(frozen=True)
class EventKind:
    name: str
    text: Any  # a lazy_gettext template with named parameters
    detail: Any = None  # an optional longer text (a task's description), also lazy
    codes: Mapping[str, type[LabeledEnum] | Mapping] = field(default_factory=dict)


KINDS: dict[str, EventKind] = {}


def register(
    name: str,
    text,
    *,
    detail=None,
    codes: Mapping[str, type[LabeledEnum] | Mapping] | None = None,
) -> EventKind:
    """Declare an event kind; registering the same name twice is a programming error."""
    if name in KINDS and KINDS[name].text is not text:
        raise ValueError(f"event kind {name!r} is already registered")
    kind = EventKind(name, text, detail, dict(codes or {}))
    KINDS[name] = kind
    return kind


class _Params(dict):
    # A parameter missing from an old row shows as a dash instead of failing the page.
    def __missing__(self, key: str) -> str:
        return "–"


def _values(kind: EventKind, params: Mapping[str, Any] | None, convert) -> _Params:
    values = _Params()
    for name, value in (params or {}).items():
        if isinstance(value, dict):  # a name kept in both languages: {"zh": …, "en": …}
            value = bilingual(value.get("zh"), value.get("en"))
        labels = kind.codes.get(name)
        if labels is not None and value is not None:
            table = labels.labels() if isinstance(labels, type) else labels
            value = str(table.get(value, value))  # a code no longer known shows as stored
        values[name] = convert(value)
    return values


def _format(template, values: Mapping[str, Any]) -> str:
    try:
        return str(template) % values
    except (TypeError, ValueError):  # a translator's typo must not break a page
        return str(template)


def render(name: str | None, params: Mapping[str, Any] | None = None, fallback: str = "") -> str:
    """The event's sentence in the current locale, as plain text (exports, emails, flash)."""
    kind = KINDS.get(name or "")
    if kind is None:
        return fallback or (name or "")
    return _format(kind.text, _values(kind, params, lambda v: "" if v is None else v))


def render_detail(
    name: str | None, params: Mapping[str, Any] | None = None, fallback: str = ""
) -> str:
    """The event's longer text where its kind has one; else what was stored."""
    kind = KINDS.get(name or "")
    if kind is None or kind.detail is None:
        return fallback
    return _format(kind.detail, _values(kind, params, lambda v: "" if v is None else v))


def render_html(name: str | None, params: Mapping[str, Any] | None = None, fallback="") -> Markup:
    """The same sentence for a page; the whole text, parameters included, is escaped."""
    return escape(render(name, params, fallback))
