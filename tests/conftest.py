"""Shared fixtures. Every database test runs on SQLite and, when EXPO_CRM_TEST_POSTGRES_URL is
set, on PostgreSQL too. The schema always comes from the Alembic migrations."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from graphlib import TopologicalSorter
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import has_app_context, has_request_context, request, request_finished, request_started
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from expo_crm import clock, create_app
from expo_crm.db import db

POSTGRES_URL = os.environ.get("EXPO_CRM_TEST_POSTGRES_URL", "")
# Two test workers, Chromium and scheduler processes share two cores: a SQLite writer may wait
# far longer for the lock than on a server, so tests (and the processes they start) wait longer.
os.environ.setdefault("EXPO_CRM_SQLITE_BUSY_SECONDS", "60")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
CHROMIUM = os.environ.get("EXPO_CRM_CHROMIUM", "/usr/bin/chromium")

# Where nothing listens: mail that was not meant to be sent fails instead of leaving the machine.
CLOSED_SMTP = "smtp://127.0.0.1:9"


def _base_config(url: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key",
        "SMTP_URL": CLOSED_SMTP,
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
    }


def _make_app(url: str, instance: Path, **overrides):
    os.environ["EXPO_CRM_INSTANCE_PATH"] = str(instance)
    return create_app(_base_config(url, instance) | overrides)


def _migrate(url: str, instance: Path) -> None:
    from expo_crm.database import init_database

    app = _make_app(url, instance)
    with app.app_context():
        init_database()
        db.session.remove()
        db.engine.dispose()  # the last connection to close folds the WAL into the file


# --- the network stays on this machine ------------------------------------------------------

_real_connect = socket.socket.connect


def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else None
    if (
        host is not None
        and host not in ("127.0.0.1", "::1", "localhost")
        and not str(host).startswith("127.")
    ):
        raise OSError(f"tests may not connect to {host}: outbound network is blocked")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _block_outbound_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing():
    """Production hashing costs ~50 ms by design; tests hash hundreds of passwords."""
    from argon2 import PasswordHasher

    from expo_crm.auth import services

    services.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


_url_builders: dict = {}


@pytest.fixture(autouse=True, scope="session")
def _url_builders_compiled_once():
    """Werkzeug writes and compiles a URL-building function for every route of every new app,
    most of the ~0.2 s each test's create_app costs. The function depends only on the rule's
    parsed parts and defaults, the same in every app the tests make: each is compiled once and
    bound to the rule of each app."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder

    def compile_once(self, append_unknown: bool = True):
        key = (self.rule, tuple(self._trace), repr(self.defaults), append_unknown)
        if key not in _url_builders:
            _url_builders[key] = compile_builder(self, append_unknown)
        return _url_builders[key]

    Rule._compile_builder = compile_once
    yield
    Rule._compile_builder = compile_builder


@pytest.fixture(autouse=True)
def _real_clock():
    clock.unfreeze()
    yield
    clock.unfreeze()


# --- a GET never writes ----------------------------------------------------------------------

READ_ONLY_METHODS = ("GET", "HEAD", "OPTIONS")
WRITE_STATEMENT = re.compile(
    r"^\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE|UPSERT|TRUNCATE|CREATE|DROP|ALTER)\b", re.I
)
# Rate-limit counters (expo_crm/ratelimits.py) are the limiter's bookkeeping, written on a
# connection of their own; they are not what a GET may not change.
LIMITER_BOOKKEEPING = re.compile(r"\brate_limit_counters\b", re.I)
_GUARD_KEY = "expo_crm.tests.read_only_request"
_writes_on_read: list[str] = []


def _mark_request(sender, **extra) -> None:
    """Only requests the app dispatches are watched (not a test's own test_request_context)."""
    if request.method in READ_ONLY_METHODS:
        request.environ[_GUARD_KEY] = True


def _refuse_write_on_read(conn, cursor, statement, parameters, context, executemany) -> None:
    if (
        has_request_context()
        and request.environ.get(_GUARD_KEY)
        and WRITE_STATEMENT.match(statement)
        and not LIMITER_BOOKKEEPING.search(statement)
    ):
        _writes_on_read.append(f"{request.method} {request.full_path}: {statement.strip()[:160]}")


@pytest.fixture(autouse=True)
def _get_requests_never_write():
    """Fails the test when a GET (or HEAD) request the app handled wrote to the database: an
    INSERT, UPDATE or DELETE sent while it ran, by the ORM or by a statement of its own."""
    request_started.connect(_mark_request)
    sa.event.listen(Engine, "before_cursor_execute", _refuse_write_on_read)
    _writes_on_read.clear()
    yield
    sa.event.remove(Engine, "before_cursor_execute", _refuse_write_on_read)
    request_started.disconnect(_mark_request)
    found, _writes_on_read[:] = list(_writes_on_read), []
    if found:
        pytest.fail("a GET request wrote to the database:\n" + "\n".join(found), pytrace=False)


# --- a refusal answers 303 back to the page -------------------------------------------------

_redirects_with_error_status: list[str] = []


def _watch_redirect(sender, response, **extra) -> None:
    if response.location and not 300 <= response.status_code < 400:
        _redirects_with_error_status.append(
            f"{request.method} {request.full_path}: {response.status_code} -> {response.location}"
        )


@pytest.fixture(autouse=True)
def _redirects_are_redirects():
    """Fails the test when a page answered with a Location header and a status that is not a
    redirect (`redirect(...), 409`): the browser shows a bare English "Redirecting..." page
    instead of following it. A refused action answers 303 back to the page, with the message
    flashed in the user's language."""
    request_finished.connect(_watch_redirect)
    _redirects_with_error_status.clear()
    yield
    request_finished.disconnect(_watch_redirect)
    found, _redirects_with_error_status[:] = list(_redirects_with_error_status), []
    if found:
        pytest.fail(
            "a redirect answered with a non-3xx status:\n" + "\n".join(found), pytrace=False
        )


# --- databases ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    _migrate(f"sqlite:///{path}", folder)
    return path


class PostgresReset:
    """Puts this process's PostgreSQL test database back as the migrations left it, in one
    transaction: every row deleted (tables that refer to others first), the rows the
    migrations seeded put back, each sequence set to where the migrations left it, a table
    made since (APScheduler's job store) dropped. Much cheaper than TRUNCATE, which gives every
    table and index new files on each test."""

    TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"

    def __init__(self, url: str):
        self.engine = sa.create_engine(url)
        with self.engine.connect() as connection:
            self.tables = set(connection.exec_driver_sql(self.TABLES).scalars())
            tables = sorted(self.tables - {"alembic_version"})
            references = connection.execute(
                sa.text(
                    "SELECT child.relname, parent.relname FROM pg_constraint k"
                    " JOIN pg_class child ON child.oid = k.conrelid"
                    " JOIN pg_class parent ON parent.oid = k.confrelid"
                    " WHERE k.contype = 'f' AND child.relnamespace = 'public'::regnamespace"
                )
            ).all()
            sequences = connection.execute(
                sa.text(
                    "SELECT format('%I.%I', schemaname, sequencename), start_value, last_value"
                    " FROM pg_sequences WHERE schemaname = 'public'"
                )
            ).all()
            seeded = connection.exec_driver_sql(
                " UNION ALL ".join(
                    f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in tables
                )
            ).scalars()
            metadata = sa.MetaData()
            self.seeds = []
            for name in seeded:
                table = sa.Table(name, metadata, autoload_with=connection)
                self.seeds.append(
                    (table, [dict(r) for r in connection.execute(sa.select(table)).mappings()])
                )
        graph = {name: set() for name in tables}
        for child, parent in references:
            if child != parent and child in graph and parent in graph:
                graph[parent].add(child)  # the parent's rows go after its children's
        self.delete = "".join(
            f'DELETE FROM "{name}";' for name in TopologicalSorter(graph).static_order()
        )
        self.rewind = "SELECT " + ", ".join(
            f"setval('{name}', {last}, true)"
            if last is not None
            else f"setval('{name}', {start}, false)"
            for name, start, last in sequences
        )

    def reset(self) -> None:
        with self.engine.begin() as connection:
            # Row triggers off for this transaction: some refuse a DELETE on purpose (an invoice
            # is never deleted, only credited); TRUNCATE never fired them.
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for made in set(connection.exec_driver_sql(self.TABLES).scalars()) - self.tables:
                connection.exec_driver_sql(f'DROP TABLE "{made}" CASCADE')
            connection.exec_driver_sql(self.delete)
            for table, rows in self.seeds:
                connection.execute(table.insert(), rows)
            connection.exec_driver_sql(self.rewind)


@pytest.fixture(scope="session")
def postgres_database(tmp_path_factory) -> PostgresReset:
    """A database of its own for this test process, migrated once, dropped at the end."""
    if not POSTGRES_URL:
        pytest.skip("EXPO_CRM_TEST_POSTGRES_URL not set")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"expo_crm_test_{worker}_{uuid.uuid4().hex[:8]}"
    admin_url = sa.make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    _migrate(url, tmp_path_factory.mktemp("pg-instance"))
    database = PostgresReset(url)
    yield database
    database.engine.dispose()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    database = request.getfixturevalue("postgres_database")
    database.reset()
    return database.engine.url.render_as_string(hide_password=False)


class IsolatedClient(FlaskClient):
    """Each request runs in a thread of its own, so it gets its own app context, database
    session and locale, as in production, and never the test's. The test's own transaction is
    committed before and after, so the request sees what the test made and the test then sees
    what the request committed (a read snapshot kept open would hide it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Tests read English unless they ask for Chinese; with no header the app answers in Chinese.
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        with ThreadPoolExecutor(1) as pool:
            response = pool.submit(super().open, *args, **kwargs).result()
        if has_app_context():
            db.session.commit()
        return response


@pytest.fixture
def app(database_url, tmp_path):
    application = _make_app(database_url, tmp_path)
    application.test_client_class = IsolatedClient
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def dialect(app) -> str:
    return db.engine.dialect.name


# --- mail -----------------------------------------------------------------------------------


class MailSink:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    def __init__(self, port: int | None = None):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self._lock = threading.Lock()
        self.refuse: bool | str = False  # refuse each message once it has been sent in full
        self.delay = 0.0  # seconds the server takes over each message before its answer
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                import asyncio
                import email
                from email import policy

                if sink.delay:
                    await asyncio.sleep(sink.delay)

                if sink.refuse:  # True, or the reply to give ("554 5.7.1 Rejected")
                    return sink.refuse if isinstance(sink.refuse, str) else "451 Try again later"
                message = email.message_from_bytes(envelope.content, policy=policy.default)
                with sink._lock:
                    sink.messages.append(message)
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port or _free_port())
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{self.controller.port}"

    def to(self, address: str) -> list:
        with self._lock:
            return [m for m in self.messages if address in str(m["To"])]

    def stop(self):
        self.controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    """A running SMTP sink; the app's SMTP_URL points at it for the test."""
    sink = MailSink()
    app.config["SMTP_URL"] = sink.url
    yield sink
    sink.stop()


# --- browser --------------------------------------------------------------------------------


@pytest.fixture
def live_server(app):
    """The app served on a loopback port in a thread, for the browser."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app.config["BASE_URL"]
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (bin/setup does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-US")
    # Generous: on two busy cores a page can take seconds; a real failure still fails, only later.
    context.set_default_timeout(30_000)
    tab = context.new_page()
    yield tab
    context.close()
