"""Language and time zone: chosen per session (an account's saved language is the default at
sign-in); dates shown in the show's zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.support import Translations
from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import get_translations as our_translations
from werkzeug.datastructures import LanguageAccept
from wtforms.i18n import messages_path

SUPPORTED = ("zh", "en")


# Only Simplified Chinese readers get Chinese; any other language we lack (de, ja, zh-TW) gets English.
SIMPLIFIED_CHINESE = ("zh", "zh-cn", "zh-sg", "zh-hans")


def _from_accept_language() -> str | None:
    return locale_asked(request.accept_languages)


def locale_asked(accept_languages: LanguageAccept) -> str | None:
    """The first language the browser asks for that we have; English when it asks only for
    others; None when it asks for nothing."""
    asked = [tag.lower().replace("_", "-") for tag, _quality in accept_languages]
    for tag in asked:
        if tag in SIMPLIFIED_CHINESE or tag.startswith("zh-hans-"):
            return "zh"
        if tag == "en" or tag.startswith("en-"):
            return "en"
    return "en" if asked else None


def select_locale() -> str:
    if not has_request_context():
        return "zh"
    override = getattr(request, "locale_override", None)
    if override in SUPPORTED:
        return override
    if session.get("lang") in SUPPORTED:
        return session["lang"]
    return _from_accept_language() or current_app.config["BABEL_DEFAULT_LOCALE"]


def localtime(value: datetime | None, tz: str | None = None, fmt: str = "medium") -> str:
    """An aware datetime shown in the given zone (the show's), else the default zone."""
    if value is None:
        return ""
    zone = ZoneInfo(tz or current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = value.astimezone(zone)
    return format_datetime(local.replace(tzinfo=None), fmt, rebase=False)


def localdate(value: date | None, fmt: str = "medium") -> str:
    return "" if value is None else format_date(value, fmt)


def money(value, places: int = 2) -> str:
    """An amount in the reader's locale with grouping: 2,845,670.00 everywhere, never 2845670.00."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0." + "0" * places if places else "#,##0")


def bilingual(zh: str | None, en: str | None) -> str:
    """The text in the reader's language, falling back to the other one."""
    from flask_babel import get_locale

    locale = get_locale()
    first, second = (zh, en) if locale is not None and locale.language == "zh" else (en, zh)
    return first or second or ""


def N_(message: str) -> str:
    """A message marked for the catalogue, translated where it is shown."""
    return message


# WTForms' own messages that its Chinese catalogue lacks or words in a way we do not (a bare
# ASCII colon, "at least" read as "more than"): ours, in our catalogue, come first.
FORM_MESSAGES = (
    N_("'%(value)s' is not a valid choice for this field."),
    N_("'%(value)s' are not valid choices for this field."),
    N_("Date must be at least %(min)s."),
    N_("Date must be at most %(max)s."),
    N_("Date must be between %(min)s and %(max)s."),
    N_("Not a valid week value."),
    N_("This field cannot be edited."),
    N_("This field is disabled and cannot have a value."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Invalid value, can't be any of: %(values)s."),
    N_("Invalid value, must be one of: %(values)s."),
)
_FORM_MSGIDS = frozenset(FORM_MESSAGES)
_wtforms_catalogues: dict[str, Translations] = {}


class FormTranslations:
    """WTForms' built-in messages ("This field is required.") in the reader's language, chosen
    at the moment the message is written: ours for FORM_MESSAGES, else WTForms' catalogue."""

    def _catalogues(self, message: str):
        if message in _FORM_MSGIDS:
            return our_translations()
        language = str(get_locale() or "zh")
        if language not in _wtforms_catalogues:
            _wtforms_catalogues[language] = Translations.load(
                messages_path(), [language], domain="wtforms"
            )
        return _wtforms_catalogues[language]

    def ugettext(self, message: str) -> str:
        return self._catalogues(message).ugettext(message)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        if singular in _FORM_MSGIDS:  # ours are two messages: Chinese has one form for both
            return self.ugettext(singular if n == 1 else plural)
        return self._catalogues(singular).ungettext(singular, plural, n)


FORM_TRANSLATIONS = FormTranslations()


def _form_translations() -> None:
    # Flask-WTF asks the request for the translations of its forms (flask_wtf.i18n).
    request.wtforms_translations = FORM_TRANSLATIONS


def init_app(app) -> None:
    app.before_request(_form_translations)
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["localdate"] = localdate
    app.jinja_env.filters["money"] = money
    app.jinja_env.globals["bilingual"] = bilingual
