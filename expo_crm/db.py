"""The SQLAlchemy base: naming convention, UTC datetimes, enums stored with a CHECK."""

from __future__ import annotations

import enum
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from expo_crm.converters import bounded_int

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Database(SQLAlchemy):
    def paginate(self, select, *, page=None, per_page=None, **options):
        """Flask-SQLAlchemy reads ?page= and ?per_page= with int(): a number no query can
        offset by (2**63) would be a 500, so they are read like every query integer (absent
        when out of range)."""
        if has_request_context():
            if page is None:
                page = request.args.get("page", 1, type=bounded_int)
            if per_page is None:
                per_page = request.args.get("per_page", 20, type=bounded_int)
        return super().paginate(select, page=page, per_page=per_page, **options)


db = Database(model_class=Base)

# Tables in our database that other libraries create and manage (APScheduler's job store):
# migrations neither create nor drop them.
FOREIGN_TABLES = frozenset({"apscheduler_jobs"})


def is_managed_by_migrations(name: str | None, type_: str, _parent_names: dict) -> bool:
    """Alembic's include_name hook: compare everything but the foreign tables."""
    return not (type_ == "table" and name in FOREIGN_TABLES)


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC in and out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC datetime is required")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class LabeledEnum(str, enum.Enum):
    """A state with a translatable label. Subclasses define `_labels` as {member value: lazy text}."""

    @property
    def label(self) -> str:
        labels = type(self).labels()
        return str(labels.get(self.value, self.value))

    @classmethod
    def labels(cls) -> dict:
        return {}

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]

    def __str__(self) -> str:
        return self.value


def enum_type(enum_cls: type[enum.Enum], name: str | None = None) -> sa.Enum:
    """Stored as the member's value in a VARCHAR with a named CHECK constraint."""
    return sa.Enum(
        enum_cls,
        name=name or enum_cls.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls) + 8,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=lambda: _now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=lambda: _now(), onupdate=lambda: _now()
    )


def _now() -> datetime:
    from expo_crm import clock

    return clock.now()


def is_unique_violation(error: Exception, constraint: str | None = None) -> bool:
    """True when an IntegrityError comes from a unique key (optionally: this named one)."""
    text = str(getattr(error, "orig", error)).lower()
    if "unique" not in text and "duplicate key" not in text:
        return False
    return constraint is None or constraint.lower() in text or "unique constraint failed" in text


# Whether the transactions about to begin will write. On SQLite a writing transaction starts
# with BEGIN IMMEDIATE, so concurrent writers queue on the busy timeout instead of failing
# with SQLITE_BUSY when a read lock cannot be upgraded. Requests set it from their method;
# jobs and commands that write use `writing()`.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


def reads_first(view):
    """A view that reads in a plain transaction and opens its writing one itself with
    `writing()`, so on SQLite the single write lock is held only for the writes (check-in)."""
    view.reads_first = True
    return view


@contextmanager
def writing():
    token = write_intent.set(True)
    try:
        yield
    finally:
        write_intent.reset(token)


def configure_engine(engine: sa.Engine) -> None:
    """SQLite: WAL, foreign keys, a sane sync level, and BEGIN IMMEDIATE for writers."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # SQLAlchemy's begin event issues BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _sqlite_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


class DriverStatement:
    """A Core statement compiled once per dialect and run on a DB-API cursor, its values
    converted by the statement's own bind processors (UTC times, enums, JSON) and Python-side
    column defaults (updated_at): for the one hot path (the check-in fast path) where
    SQLAlchemy's per-execution work was most of the cost. `before_cursor_execute` listeners of
    the engine are called as SQLAlchemy would (with no execution context). Rows come back as
    the driver gives them: SQLite times and dates as text."""

    def __init__(self, statement: sa.Executable, keys: tuple[str, ...] | None = None):
        self.statement = statement
        self.keys = keys
        self._compiled: dict[str, tuple] = {}

    def _for(self, dialect) -> tuple:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(
                dialect=dialect, column_keys=list(self.keys) if self.keys else None
            )
            processors = compiled._bind_processors
            names = compiled.positiontup if compiled.positional else list(compiled.binds)
            # Values written into the statement itself (`.values(inside=True)`) are binds too.
            fixed = {
                name: bind.effective_value
                for name, bind in compiled.binds.items()
                if bind.value is not None or bind.callable is not None
            }
            # Python-side defaults (`onupdate=` / `default=` callables: updated_at, created_at).
            for column in compiled.update_prefetch:
                fixed.setdefault(column.key, column.onupdate)
            for column in compiled.insert_prefetch:
                fixed.setdefault(column.key, column.default)
            found = (compiled.string, compiled.positional, names, processors, fixed)
            self._compiled[dialect.name] = found
        return found

    def execute(self, connection: sa.Connection, cursor, params: dict):
        """Run on `cursor` (of `connection`'s DB-API connection); returns the cursor."""
        sql, positional, names, processors, fixed = self._for(connection.dialect)
        values = {}
        for name in names:
            value = params[name] if name in params else fixed[name]
            if isinstance(value, sa.schema.ColumnDefault):
                value = value.arg(None) if value.is_callable else value.arg
            processor = processors.get(name)
            values[name] = value if processor is None or value is None else processor(value)
        arguments = tuple(values[name] for name in names) if positional else values
        for listener in connection.engine.dispatch.before_cursor_execute:
            listener(connection, cursor, sql, arguments, None, False)
        cursor.execute(sql, arguments)
        return cursor
