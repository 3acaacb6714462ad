"""The check-in API's fast path: a WSGI layer in front of Flask that answers the usual scan
itself, with the same decision and the same rows as `visitors.api.checkins`.

A gate scan at opening time is almost always the same request: a valid token, a well-formed
body, a valid badge of this show entering or leaving. For that request Flask's per-request work
(request and app contexts, session and login loading, babel, the before/after hooks) and the
ORM session cost several times the SQL itself (benchmarks/README.md, the profile). Here the
request is read once, the token and the badge are looked up, the conditional UPDATE decides,
the scan (and, on a first entry, the timeline event through `signals.badge_admitted`) is
written and committed, each statement compiled once (`db.DriverStatement`) on a pooled
connection of the app's engine, so engine events still apply.

Anything else goes to the Flask view, with the body it sent, before anything was written or
after everything was rolled back: a missing or unknown token (401), a bad or offline scan, a
badge that is unknown, revoked or not valid now, a refused UPDATE (decided there on the locked
row), a repeated nonce (the unique key refuses the INSERT; the view answers the first result),
a request with a cookie or a query string. So every answer but the common one, and every
refusal, comes from one place; the fast path only ever answers 201, or 503 with Retry-After
when the database is busy or unreachable (nothing stored: the device resends the nonce).
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import HTTP_STATUS_CODES, parse_accept_header

from expo_crm import clock, errors, i18n, security, signals
from expo_crm.auth.models import DeviceToken
from expo_crm.auth.services import _TOKEN_LOOKUP, TOKEN_PREFIX
from expo_crm.converters import json_nests_deeper_than
from expo_crm.db import DriverStatement, db
from expo_crm.visitors import codes
from expo_crm.visitors.api import MAX_BODY_BYTES, MAX_JSON_DEPTH
from expo_crm.visitors.checkin import (
    _LOOKUP_BY_HASH,
    _PASS,
    _RECORD_SCAN,
    BadRequest,
    _open_at,
    parse_request,
)
from expo_crm.visitors.models import RegistrationCategory, ScanDirection, ScanResult

PATH = "/api/v1/checkins"
# The badge and the token in one statement, so one round trip: no row when either is unknown
# (the view then says which). The token's columns come last.
_BADGE_AND_TOKEN = DriverStatement(
    _LOOKUP_BY_HASH.add_columns(*_TOKEN_LOOKUP.selected_columns).where(_TOKEN_LOOKUP.whereclause)
)
_UPDATES = {key: DriverStatement(statement) for key, statement in _PASS.items()}
_SCAN_KEYS = (
    "show_id",
    "badge_id",
    "registration_id",
    "gate",
    "device_token_id",
    "staff_id",
    "device_key",
    "direction",
    "result",
    "nonce",
    "at",
    "received_at",
)
_SCAN = DriverStatement(_RECORD_SCAN, _SCAN_KEYS)


class _Fallback(Exception):
    """Not the common case: the Flask view answers."""


class CheckinFastPath:
    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._engine: sa.Engine | None = None
        self._texts: dict[tuple[str, str], str] = {}
        self._driver: dict[tuple, DriverStatement] = {}

    def __call__(self, environ, start_response):
        if (
            environ.get("PATH_INFO") != PATH
            or environ.get("REQUEST_METHOD") != "POST"
            or environ.get("QUERY_STRING")
            or "HTTP_COOKIE" in environ
            or "json" not in environ.get("CONTENT_TYPE", "")
        ):
            return self.wsgi_app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return self.wsgi_app(environ, start_response)
        if not 0 < length <= MAX_BODY_BYTES:
            return self.wsgi_app(environ, start_response)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)  # the view reads it again when it answers
        try:
            answer = self._scan(environ, body)
        except _Fallback:
            return self.wsgi_app(environ, start_response)
        return answer(environ, start_response)

    # -- the scan -------------------------------------------------------------------------

    def _scan(self, environ, body: bytes):
        if len(body) != int(environ["CONTENT_LENGTH"]) or json_nests_deeper_than(
            body, MAX_JSON_DEPTH
        ):
            raise _Fallback
        try:
            data = json.loads(body)
        except ValueError:
            raise _Fallback from None
        if not isinstance(data, dict) or data.get("scanned_at") is not None:
            raise _Fallback
        try:
            scan = parse_request(data)
        except BadRequest:
            raise _Fallback from None
        scheme, _, secret = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
            raise _Fallback
        locale = self._locale(environ)
        engine = self._engine_of()
        dbapi = engine.dialect.loaded_dbapi
        try:
            connection = engine.connect()
        except (DBAPIError, PoolTimeout) as error:
            self.app.logger.warning("database unavailable: %s", error)
            return self._busy(locale)
        try:
            cursor = connection.connection.dbapi_connection.cursor()
            return self._decide(connection, cursor, scan, secret, locale)
        except dbapi.IntegrityError:
            raise _Fallback from None  # a repeated nonce: the view answers the first result
        except dbapi.Error as error:
            self.app.logger.warning("database unavailable: %s", error)
            connection.invalidate()  # whatever state it is in, it is not used again
            return self._busy(locale)
        finally:
            connection.close()  # the pool rolls back whatever was not committed

    def _decide(self, connection: sa.Connection, cursor, scan, secret: str, locale: str):
        sqlite = connection.dialect.name == "sqlite"
        dbapi_connection = connection.connection.dbapi_connection
        if not codes.is_well_formed(scan.code):
            raise _Fallback
        # PostgreSQL: in pipeline mode the driver sends a statement without waiting for its
        # answer until one is needed, so the scan takes three round trips: the lookup, the
        # UPDATE (its RETURNING decides), and the INSERTs with the COMMIT as the pipeline
        # closes (an error in them, a repeated nonce, is raised there).
        with contextlib.nullcontext() if sqlite else dbapi_connection.pipeline():
            return self._admit(connection, cursor, scan, secret, locale)

    def _admit(self, connection: sa.Connection, cursor, scan, secret: str, locale: str):
        sqlite = connection.dialect.name == "sqlite"
        dbapi_connection = connection.connection.dbapi_connection
        row = _BADGE_AND_TOKEN.execute(
            connection,
            cursor,
            {"code_hash": codes.code_hash(scan.code), "token_hash": DeviceToken.hash(secret)},
        ).fetchone()
        if row is None or row[16] != "gate":
            raise _Fallback
        (badge_id, revoked_at, registration_id, reg_show_id, state, category, _entries) = row[:7]
        visitor_id, name, company, open_from, open_to, zone, reentry = row[7:14]
        token_id, show_id = row[14], row[15]
        now = clock.now()
        if (
            revoked_at is not None
            or state != "active"
            or reg_show_id != show_id
            or not _open_at(_date(open_from), _date(open_to), zone, now)
        ):
            raise _Fallback
        # SQLite: the reads ran outside a transaction (the driver is in autocommit mode), and
        # the write lock is taken for the writes only, as in the view. PostgreSQL: the driver
        # opened the transaction with the first read.
        if sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        entries = (
            _UPDATES[(scan.direction, bool(reentry), False)]
            .execute(
                connection,
                cursor,
                {"registration_id": registration_id, "now": now, "gate": scan.gate},
            )
            .fetchone()
        )
        entries = None if entries is None else entries[0]
        if entries is None:
            raise _Fallback  # refused on this state: the view decides on the locked row
        if scan.direction is ScanDirection.exit:
            result = ScanResult.exited
        else:
            result = ScanResult.admitted if entries == 1 else ScanResult.readmitted
        _SCAN.execute(
            connection,
            cursor,
            {
                "show_id": show_id,
                "badge_id": badge_id,
                "registration_id": registration_id,
                "gate": scan.gate,
                "device_token_id": token_id,
                "staff_id": None,
                "device_key": f"token:{token_id}",
                "direction": scan.direction,
                "result": result,
                "nonce": scan.nonce,
                "at": now,
                "received_at": now,
            },
        )
        if result is ScanResult.admitted:
            signals.badge_admitted.send(
                registration_id,
                visitor_id=visitor_id,
                show_id=show_id,
                gate=scan.gate,
                at=now,
                execute=lambda statement, params: self._driver_for(statement, params).execute(
                    connection, cursor, params
                ),
            )
        if sqlite:
            dbapi_connection.commit()
        else:
            # Queued behind the INSERTs: the pipeline's closing sync sends all three at once.
            cursor.execute("COMMIT")
        category = RegistrationCategory(category)
        body = {
            "result": result.value,
            "name": name,
            "company": company,
            "category": category.value,
            "category_label": self._text(locale, f"category:{category.value}"),
        }
        return self._json(result.http_status, body)

    # -- helpers --------------------------------------------------------------------------

    def _engine_of(self) -> sa.Engine:
        if self._engine is None:
            with self.app.app_context():
                self._engine = db.engine
        return self._engine

    def _driver_for(self, statement, params: dict) -> DriverStatement:
        key = (id(statement), tuple(sorted(params)))
        found = self._driver.get(key)
        if found is None:
            found = self._driver[key] = DriverStatement(statement, key[1])
        return found

    def _locale(self, environ) -> str:
        asked = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
        return i18n.locale_asked(asked) or self.app.config["BABEL_DEFAULT_LOCALE"]

    def _text(self, locale: str, key: str) -> str:
        """A translated text, worked out once per language in a request context of that language."""
        found = self._texts.get((locale, key))
        if found is None:
            with self.app.test_request_context(PATH, headers={"Accept-Language": locale}):
                if key.startswith("category:"):
                    found = str(RegistrationCategory(key.split(":", 1)[1]).label)
                else:
                    found = errors.busy_message()
            self._texts[(locale, key)] = found
        return found

    def _busy(self, locale: str):
        # The device resends the same nonce after a second.
        body = {"error": self._text(locale, "busy"), "status": 503}
        return self._json(503, body, [("Retry-After", "1")])

    def _json(self, status: int, body: dict, extra: list | None = None):
        """A WSGI answer with the body as jsonify writes it and the headers every answer has."""
        text = (self.app.json.dumps(body, separators=(",", ":")) + "\n").encode()
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(text))),
            *(extra or []),
            *security.standard_headers(self.app.config),
        ]
        line = f"{status} {HTTP_STATUS_CODES[status]}"

        def answer(_environ, start_response):
            start_response(line, headers)
            return [text]

        return answer


def _date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value
