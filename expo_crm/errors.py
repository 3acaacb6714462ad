"""Error pages in the user's language; JSON for the API. Never a traceback to the user."""

from __future__ import annotations

from flask import jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from expo_crm.db import db


class UserError(ValueError):
    """A refused action: str(error) is a message for the user, already in their language.

    Every package's error for what a user asked and may not do derives from this, so one
    place (expo_crm.actions) turns it into a flash message and a rollback."""


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Please sign in."),
        403: _("You are not allowed to open this page."),
        404: _("This page does not exist."),
        405: _("This action is not allowed here."),
        413: _("The upload is too large."),
        429: _("Too many requests. Please wait a moment and try again."),
        500: _("Something went wrong on our side. Nothing was saved; please try again."),
        503: _("The system is busy. Nothing was saved; please try again in a moment."),
    }


def busy_message() -> str:
    """What a request refused for a busy or unreachable database is told (503)."""
    return _messages()[503]


def render_error(status: int, message: str | None = None):
    text = message or _messages().get(status, _messages()[500])
    if request.path.startswith("/api/"):
        return jsonify(error=text, status=status), status
    return render_template("errors/error.html", status=status, message=text), status


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400, _("The form has expired or was not sent from this site. Please try again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = make_response(render_error(error.code or 500))
        # Keep what the exception says about the answer (Allow on 405, WWW-Authenticate on 401).
        for name, value in error.get_headers():
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)  # every pooled connection in use for the whole wait
    def database_busy(error):
        db.session.rollback()
        app.logger.warning("database unavailable: %s", error)
        response = make_response(render_error(503))
        response.headers["Retry-After"] = (
            "1"  # a gate device resends the same nonce: nothing doubles
        )
        return response

    @app.errorhandler(Exception)
    def unexpected(error):
        db.session.rollback()
        app.logger.exception("unhandled error on %s", request.path)
        return render_error(500)
