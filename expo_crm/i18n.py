"""Language and time zone: chosen per session (an account's saved language is the default at
sign-in); dates shown in the show's zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime

SUPPORTED = ("zh", "en")


def select_locale() -> str:
    if not has_request_context():
        return "zh"
    override = getattr(request, "locale_override", None)
    if override in SUPPORTED:
        return override
    if session.get("lang") in SUPPORTED:
        return session["lang"]
    return (
        request.accept_languages.best_match(SUPPORTED) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def localtime(value: datetime | None, tz: str | None = None, fmt: str = "medium") -> str:
    """An aware datetime shown in the given zone (the show's), else the default zone."""
    if value is None:
        return ""
    zone = ZoneInfo(tz or current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = value.astimezone(zone)
    return format_datetime(local.replace(tzinfo=None), fmt, rebase=False)


def localdate(value: date | None, fmt: str = "medium") -> str:
    return "" if value is None else format_date(value, fmt)


def bilingual(zh: str | None, en: str | None) -> str:
    """The text in the reader's language, falling back to the other one."""
    from flask_babel import get_locale

    locale = get_locale()
    first, second = (zh, en) if locale is not None and locale.language == "zh" else (en, zh)
    return first or second or ""


def init_app(app) -> None:
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["localdate"] = localdate
    app.jinja_env.globals["bilingual"] = bilingual
