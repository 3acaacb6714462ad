"""Alembic environment for expo-crm: the app's engine and metadata, types rendered portably."""

import sqlalchemy as sa
from alembic import context
from flask import current_app

from expo_crm.db import UTCDateTime, is_managed_by_migrations

config = context.config
database = current_app.extensions["migrate"].db


def render_item(kind, obj, autogen_context):
    # Migrations must not import application types: store UTCDateTime as what it is.
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def skip_empty_autogenerate(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []


def run_migrations_online() -> None:
    options = dict(current_app.extensions["migrate"].configure_args)
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    options.setdefault("compare_type", True)
    options.setdefault("include_name", is_managed_by_migrations)
    with database.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it and dropping the old one; with foreign keys on,
            # that drop deletes every row pointing at it (ON DELETE CASCADE) or fails. Off for the
            # migration (it can only be switched outside a transaction) and checked after.
            _sqlite_foreign_keys_off(connection)
        try:
            context.configure(
                connection=connection,
                target_metadata=database.metadata,
                render_item=render_item,
                **options,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(
                            f"the migration left rows without their parent: {broken}"
                        )
        finally:
            if sqlite:
                # Never hand a connection with the keys off back to the pool: drop it, and the
                # next one is opened with the application's pragmas.
                connection.invalidate()


def _sqlite_foreign_keys_off(connection) -> None:
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=OFF")
    finally:
        cursor.close()


def run_migrations_offline() -> None:
    context.configure(
        url=database.engine.url.render_as_string(hide_password=False),
        target_metadata=database.metadata,
        render_item=render_item,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

_ = sa  # migrations rendered from this environment use `sa`
