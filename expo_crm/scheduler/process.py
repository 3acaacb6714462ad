"""The scheduler process (`expo-crm scheduler`): APScheduler in its own process, one active at a time.

Leadership: on PostgreSQL a session advisory lock held on a dedicated connection; on SQLite an
exclusive flock on a file in the instance folder. Either is released by the operating system
or the database when the process dies, so a waiting standby takes over at its next poll.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from expo_crm import clock, config
from expo_crm.db import db, writing
from expo_crm.scheduler import registry, services
from expo_crm.scheduler.models import SchedulerInstance

ADVISORY_LOCK_KEY = 7311002
POLL_SECONDS = 2.0
CONTROL_SECONDS = 5
log = logging.getLogger("expo_crm.scheduler")

_app: Flask | None = None
_instance = uuid.uuid4().hex


class Leadership:
    """Held while this process is the active scheduler."""

    def __init__(self, app: Flask):
        self.app = app
        self._connection = None
        self._file = None

    def try_acquire(self) -> bool:
        if db.engine.dialect.name == "postgresql":
            connection = db.engine.connect()
            got = connection.execute(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            ).scalar()
            connection.commit()
            if got:
                self._connection = connection
                return True
            connection.close()
            return False
        path = Path(self.app.instance_path) / "scheduler.lock"
        handle = open(path, "a+")  # noqa: SIM115 - held open for the life of the process
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(
                    sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
                self._connection.commit()
            finally:
                self._connection.close()
                self._connection = None
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def _beat(active: bool) -> None:
    """Record that this process is alive. A beat lost to a long-held database lock is only
    logged: the next one follows within seconds, and the process must not die of it."""
    try:
        _write_beat(active)
    except sa.exc.OperationalError as error:
        db.session.rollback()
        log.warning("heartbeat not recorded (%s); trying again at the next one", error.orig)


def _write_beat(active: bool) -> None:
    now = clock.now()
    with writing():
        row = db.session.scalar(
            sa.select(SchedulerInstance).where(SchedulerInstance.instance == _instance)
        )
        if row is None:
            row = SchedulerInstance(
                instance=_instance, pid=os.getpid(), host=services.HOST, started_at=now
            )
            db.session.add(row)
        row.heartbeat_at = now
        row.active = active
        db.session.commit()


def scheduled_job(name: str) -> None:
    """What APScheduler calls (by reference, so the job store can keep it)."""
    assert _app is not None
    with _app.app_context():
        try:
            paused = services.is_paused(name)
            # End that read: on SQLite a read transaction cannot turn into a write while
            # another process writes, so the job's writes must begin afresh (BEGIN IMMEDIATE).
            db.session.rollback()
            if paused:
                log.info("job %s is paused", name)
                return
            services.run_job(name, clock.now(), trigger="schedule")
        finally:
            db.session.remove()


def control_tick() -> None:
    """Heartbeat, next run times for the console, and 'run now' requests from it."""
    assert _app is not None
    from apscheduler.schedulers.base import STATE_RUNNING

    with _app.app_context():
        try:
            _beat(active=True)
            scheduler = _scheduler
            next_runs: dict[str, datetime | None] = {}
            if scheduler is not None and scheduler.state == STATE_RUNNING:
                next_runs = {job.id: job.next_run_time for job in scheduler.get_jobs()}
            with writing():
                requested = []
                for name in services.job_names():
                    state = services.job_state(name)
                    if name in next_runs and next_runs[name] is not None:
                        state.next_run_at = next_runs[name]
                    if state.run_requested_at is not None:
                        requested.append(name)
                        state.run_requested_at = None
                db.session.commit()
            for name in requested:
                if scheduler is not None and scheduler.state == STATE_RUNNING:
                    # On the job pool, so that a long run (a bulk badge PDF) does not hold up
                    # the heartbeat and the next requests.
                    scheduler.add_job(
                        requested_job,
                        args=[name],
                        id=f"{name}.requested",
                        name=f"{name} (requested)",
                        replace_existing=True,
                    )
                else:
                    services.run_job(name, clock.now(), trigger="manual")
        finally:
            db.session.remove()


def requested_job(name: str) -> None:
    """A run asked for from the console or by queued work, once, on the job pool."""
    assert _app is not None
    with _app.app_context():
        try:
            services.run_job(name, clock.now(), trigger="manual")
        finally:
            db.session.remove()


_scheduler = None


INTERVAL_FIELDS = {"weeks", "days", "hours", "minutes", "seconds"}


def _trigger_of(name: str) -> tuple[str, dict]:
    """("interval", {...}) for a period, ("cron", {...}) for a time of day such as hour=2. A job
    every minute runs every EXPO_CRM_SCHEDULER_TICK_SECONDS instead (60 unless set)."""
    every_minute = {"minutes": 1}
    if name == services.RUN_DUE_JOB:
        arguments = every_minute
    else:
        arguments = dict(registry.periodic_jobs()[name].trigger or every_minute)
    if arguments == every_minute:
        return "interval", {"seconds": config.scheduler_tick_seconds()}
    return ("interval" if set(arguments) <= INTERVAL_FIELDS else "cron"), arguments


def _first_run(name: str, kind: str, arguments: dict, started: datetime) -> datetime | None:
    """Periodic jobs run at once when a scheduler takes over; a job at a time of day only when its
    last fire time passed without a run (the nightly evaluation missed while no scheduler was up)."""
    if kind == "interval":
        return started
    from apscheduler.triggers.cron import CronTrigger

    assert _app is not None
    trigger = CronTrigger(timezone="UTC", **arguments)
    now = clock.now()
    previous, candidate = None, trigger.get_next_fire_time(None, now - timedelta(days=8))
    while candidate is not None and candidate <= now:
        previous, candidate = (
            candidate,
            trigger.get_next_fire_time(candidate, candidate + timedelta(seconds=1)),
        )
    if previous is None:
        return None
    with _app.app_context():
        try:
            last = services.last_run_started(name)
        finally:
            db.session.remove()
    return started if last is None or last < previous else None


def _job_store_engine(url: str) -> sa.Engine:
    """APScheduler's own engine. Its main loop dies on a database error, so on SQLite it waits a
    long time for the write lock (a nightly evaluation may hold it for a while) rather than
    giving up after sqlite3's default five seconds."""
    if url.startswith("sqlite"):
        return sa.create_engine(url, connect_args={"timeout": 120})
    return sa.create_engine(url, pool_pre_ping=True)


def run(app: Flask, poll_seconds: float = POLL_SECONDS) -> None:
    """Wait to become the active scheduler, then run jobs until stopped."""
    global _app, _scheduler
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler

    _app = app
    stopping = {"now": False}

    def stop(signum, _frame):
        from apscheduler.schedulers.base import STATE_STOPPED

        stopping["now"] = True
        # A signal may come twice (to the process and to its group): stop once.
        if _scheduler is not None and _scheduler.state != STATE_STOPPED:
            _scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    with app.app_context():
        leadership = Leadership(app)
        announced = False
        while not leadership.try_acquire():
            if stopping["now"]:
                return
            if not announced:
                log.warning("another scheduler is active; waiting to take over")
                print("standby: another scheduler is active", flush=True)
                announced = True
            _beat(active=False)
            db.session.remove()
            time.sleep(poll_seconds)
        print(f"active scheduler pid {os.getpid()}", flush=True)
        _beat(active=True)
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        db.session.remove()

    scheduler = BlockingScheduler(
        jobstores={
            "default": SQLAlchemyJobStore(
                engine=_job_store_engine(url), tablename="apscheduler_jobs"
            )
        },
        executors={"default": ThreadPoolExecutor(4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 120},
        timezone="UTC",
    )
    # Everything runs once at start-up (a new leader catches up at once), then on its trigger.
    started = datetime.fromtimestamp(time.time(), UTC)
    for name in services.job_names():
        kind, arguments = _trigger_of(name)
        first = _first_run(name, kind, arguments, started)
        scheduler.add_job(
            scheduled_job,
            kind,
            args=[name],
            id=name,
            name=name,
            replace_existing=True,
            **({"next_run_time": first} if first is not None else {}),
            **arguments,
        )
    scheduler.add_job(
        control_tick,
        "interval",
        seconds=CONTROL_SECONDS,
        id="scheduler.control",
        name="scheduler.control",
        replace_existing=True,
        next_run_time=started,
    )
    _scheduler = scheduler
    try:
        if not stopping["now"]:
            scheduler.start()
    finally:
        with app.app_context():
            try:
                with writing():
                    db.session.execute(
                        sa.update(SchedulerInstance)
                        .where(SchedulerInstance.instance == _instance)
                        .values(active=False)
                    )
                    db.session.commit()
            finally:
                leadership.release()
                db.session.remove()
