"""Response headers every page carries, input no route can store, and personal links kept
from staff eyes."""

import re

from flask import abort, request

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "connect-src 'self'; media-src 'self' blob:; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)


def _carries_nul() -> bool:
    if "\x00" in request.path:
        return True
    for values in (request.args, request.form):
        if any("\x00" in value for _, value in values.items(multi=True)):
            return True
    return False


# A personal link (a survey invitation, a visitor's self-service page, a portal invitation, an
# unsubscribe link) carries its secret as a path segment or a query value: a long run of URL-safe
# characters with digits or capitals, where our own paths are short words.
_URL = re.compile(r"https?://[^\s<>\"'()]+")
_SECRET = re.compile(r"(?=[A-Za-z0-9._~-]*[0-9A-Z])[A-Za-z0-9._~-]{16,}")
MASK = "••••••"


def _mask_url(match: re.Match) -> str:
    url = match.group(0)
    scheme, _, rest = url.partition("://")
    host, slash, tail = rest.partition("/")
    masked = re.sub(r"(?<=[/=])" + _SECRET.pattern, MASK, slash + tail)
    return f"{scheme}://{host}{masked}"


def mask_personal_links(text: str | None) -> str:
    """The text with the secret part of every link masked (…/s/WzEs… → …/s/••••••), for what
    staff read of mail sent to a customer; the email itself keeps its working link."""
    return _URL.sub(_mask_url, text or "")


def init_app(app) -> None:
    app.jinja_env.filters["mask_links"] = mask_personal_links

    @app.before_request
    def refuse_nul_characters():
        # PostgreSQL cannot store NUL in text and no form or link of ours has a use for it:
        # refuse it here as a bad request instead of failing at the database with a 500.
        if _carries_nul():
            abort(400)

    @app.after_request
    def headers(response):
        for name, value in standard_headers(app.config):
            response.headers.setdefault(name, value)
        return response


def standard_headers(config) -> list[tuple[str, str]]:
    """The headers every answer carries (also the check-in fast path's, which skips Flask)."""
    found = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
    ]
    if config.get("SESSION_COOKIE_SECURE"):
        found.append(("Strict-Transport-Security", "max-age=31536000"))
    return found
