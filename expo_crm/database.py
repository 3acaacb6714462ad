"""Database set-up shared by the CLI, the demo and the tests."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def init_database() -> None:
    """Apply every migration; safe to repeat. On PostgreSQL an advisory lock serialises
    two processes that start at once."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from expo_crm.db import db

    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_advisory_lock(7311001)"))
            try:
                upgrade(directory=str(MIGRATIONS), revision="heads")
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(7311001)"))
                connection.commit()
    else:
        upgrade(directory=str(MIGRATIONS), revision="heads")
    current_app.logger.info("migrations applied")
