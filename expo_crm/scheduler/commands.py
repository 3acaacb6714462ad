"""`expo-crm scheduler` and `expo-crm jobs ...`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


def register(cli: click.Group) -> None:
    @cli.command("scheduler")
    @with_appcontext
    def scheduler_command() -> None:
        """The scheduler (APScheduler in this process; one active at a time, others stand by)."""
        from expo_crm.scheduler import process

        process.run(current_app._get_current_object())

    @cli.group("jobs")
    def jobs_group() -> None:
        """Scheduled jobs and service plans."""

    @jobs_group.command("run-due")
    @click.option(
        "--at", "at_text", required=True, help="ISO time, e.g. 2027-05-20T09:00 (UTC unless zoned)"
    )
    @with_appcontext
    def run_due_command(at_text: str) -> None:
        """Freeze the clock at --at and run every due plan step and periodic job once."""
        from expo_crm import clock
        from expo_crm.scheduler import services

        try:
            at = clock.parse_iso(at_text)
        except ValueError:
            raise click.BadParameter(f"not an ISO time: {at_text}", param_hint="--at") from None
        clock.freeze(at)
        click.echo(f"run-due at {at.isoformat()}")
        runs = services.run_everything_due(at, click.echo)
        if any(run.state.value == "failed" for run in runs):
            raise SystemExit(1)

    @jobs_group.command("list")
    @with_appcontext
    def list_command() -> None:
        """One line per job: name, paused, next run, last run state."""
        from expo_crm.scheduler import services

        for job in services.jobs_overview():
            last = job.last_run
            click.echo(
                "\t".join(
                    [
                        job.name,
                        "paused" if job.paused else "active",
                        job.next_run_at.isoformat() if job.next_run_at else "-",
                        f"{last.state.value}@{last.started_at.isoformat()}" if last else "-",
                    ]
                )
            )
