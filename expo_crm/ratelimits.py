"""Rate-limit counters kept in the application's database, the default storage of the limiter.

Counters in each process's memory would let every gunicorn worker allow the full limit: two
workers, twice the registrations. The database is shared by every worker (and, on PostgreSQL,
by every machine), so a limit holds however the requests are spread. Installations that want
the counters off the database set EXPO_CRM_RATELIMIT_STORAGE_URL to a Redis server.

Registered with the `limits` library under the scheme `expo-crm-database://`; fixed windows
only (the limiter's default strategy). Each count is one short transaction of its own on a
connection of its own, taken before the request's own transaction begins (the limiter checks in
the view's decorator, before the view queries; limited views are public), so a refused or
failed request still counts."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from expo_crm.db import db, write_intent, writing

STORAGE_URI = "expo-crm-database://"
# One count in this many also deletes the counters whose window ended a while ago.
PURGE_ONE_IN = 100


class RateLimitCounter(db.Model):
    """The hits of one limit key in its current window."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(sa.String(500), primary_key=True)
    count: Mapped[int] = mapped_column()
    # Seconds since the epoch, as the limits library counts its windows (wall time, not
    # expo_crm.clock: a frozen or travelling test clock must not stop the windows).
    expires_at: Mapped[float] = mapped_column(sa.Float, index=True)


_counters = RateLimitCounter.__table__


class DatabaseStorage(Storage):
    STORAGE_SCHEME = ["expo-crm-database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        dialect = sqlite if db.engine.dialect.name == "sqlite" else postgresql
        expired = _counters.c.expires_at <= now
        upsert = (
            dialect.insert(_counters)
            .values(key=key, count=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[_counters.c.key],
                set_={
                    "count": sa.case((expired, amount), else_=_counters.c.count + amount),
                    "expires_at": sa.case((expired, now + expiry), else_=_counters.c.expires_at),
                },
            )
            .returning(_counters.c.count)
        )
        with _writing() as connection:
            count = connection.execute(upsert).scalar_one()
        if random.randrange(PURGE_ONE_IN) == 0:
            self._purge(now - 3600)
        return count

    def get(self, key: str) -> int:
        with _reading() as connection:
            count = connection.execute(
                sa.select(_counters.c.count).where(
                    _counters.c.key == key, _counters.c.expires_at > time.time()
                )
            ).scalar()
        return count or 0

    def get_expiry(self, key: str) -> float:
        with _reading() as connection:
            expires_at = connection.execute(
                sa.select(_counters.c.expires_at).where(_counters.c.key == key)
            ).scalar()
        return expires_at or time.time()

    def check(self) -> bool:
        try:
            with _reading() as connection:
                connection.execute(sa.select(1))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with _writing() as connection:
            return connection.execute(sa.delete(_counters)).rowcount

    def clear(self, key: str) -> None:
        with _writing() as connection:
            connection.execute(sa.delete(_counters).where(_counters.c.key == key))

    def _purge(self, before: float) -> None:
        try:
            with _writing() as connection:
                connection.execute(sa.delete(_counters).where(_counters.c.expires_at < before))
        except sa.exc.OperationalError:  # only tidying: another purge may hold the rows
            pass


@contextmanager
def _writing() -> Iterator[sa.Connection]:
    """A transaction of its own that writes (BEGIN IMMEDIATE on SQLite, so it queues for the
    write lock at once instead of failing to upgrade a read). On SQLite it must not be asked
    for while the request's own transaction writes: limited views are public and are counted
    before they query."""
    with writing(), db.engine.begin() as connection:
        yield connection


@contextmanager
def _reading() -> Iterator[sa.Connection]:
    """A plain read of its own, never waiting for the write lock (the limiter reads after the
    view, while the request's own transaction may still hold it)."""
    token = write_intent.set(False)
    try:
        with db.engine.connect() as connection:
            yield connection
    finally:
        write_intent.reset(token)
