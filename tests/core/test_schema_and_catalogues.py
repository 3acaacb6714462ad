"""The migrations build exactly the models' schema; every message has its Chinese text."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from expo_crm.db import db, is_managed_by_migrations, write_intent
from tests.factories import create_staff
from tests.helpers import login

ROOT = Path(__file__).resolve().parents[2]


def test_the_migrations_create_exactly_what_the_models_describe(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": False, "include_name": is_managed_by_migrations}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "models and migrations differ: run tools/regen_migration.sh"


def test_init_applies_migrations_and_is_safe_to_repeat(app):
    from expo_crm.cli import cli

    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(cli, ["init"])
        assert result.exit_code == 0, result.output
        assert "database ready" in result.output


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app, dialect):
    if dialect != "sqlite":
        return
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        # EXPO_CRM_SQLITE_BUSY_SECONDS (60 in the tests) is how long a writer queues for the lock.
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 60_000


def test_every_message_has_a_chinese_translation():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "i18n.py"), "check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout[-4000:]


def test_a_request_served_in_the_callers_thread_leaves_its_transactions_as_readers(
    client, app, dialect
):
    """A POST declares write intent (BEGIN IMMEDIATE on SQLite) for its own transactions only:
    had it leaked, the caller's next read would take SQLite's write lock and block the site."""
    user = create_staff("admin")
    db.session.commit()
    login(client, user.email)
    assert write_intent.get() is False
    db.session.scalar(sa.select(sa.literal(1)))
    if dialect == "sqlite":
        other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once if the read held the write lock
            other.execute("ROLLBACK")
        finally:
            other.close()
    db.session.rollback()
