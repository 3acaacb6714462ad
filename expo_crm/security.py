"""Response headers every page carries, and input no route can store."""

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


def init_app(app) -> None:
    @app.before_request
    def refuse_nul_characters():
        # PostgreSQL cannot store NUL in text and no form or link of ours has a use for it:
        # refuse it here as a bad request instead of failing at the database with a 500.
        if _carries_nul():
            abort(400)

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(self), microphone=(), geolocation=()"
        )
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
