"""The `expo-crm` command (docs/contracts.md). Operators script it: keep these forms stable."""

from __future__ import annotations

import os
import sys

import click
from flask.cli import FlaskGroup, with_appcontext

from expo_crm import create_app
from expo_crm.exhibitors import commands as exhibitor_commands
from expo_crm.relationships import commands as relationship_commands
from expo_crm.scheduler import commands as scheduler_commands
from expo_crm.visitors import commands as visitor_commands


@click.group(
    cls=FlaskGroup,
    create_app=lambda: create_app(),
    add_version_option=False,
    add_default_commands=False,
)
def cli() -> None:
    """expo-crm: exhibitors, visitors, suppliers, partners and staff of a trade-fair organiser."""


@cli.command("init")
@with_appcontext
def init_command() -> None:
    """Apply the database migrations (safe to repeat)."""
    from expo_crm.database import init_database

    init_database()
    click.echo("database ready")


@cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="Administrator")
@with_appcontext
def create_admin_command(email: str, password: str, name: str) -> None:
    """Create an administrator (or reset an existing one's password and role)."""
    from expo_crm.auth import services
    from expo_crm.auth.permissions import Role
    from expo_crm.db import db

    problem = services.password_problem(password, email=email.strip().lower(), name=name)
    if problem:
        raise click.ClickException(problem)
    user = services.find_staff(email)
    if user is None:
        services.create_staff(email, name, password, Role.admin)
    else:
        user.password_hash = services.hash_password(password)
        user.role = Role.admin
        user.active = True
        user.session_version += 1
    db.session.commit()
    click.echo(f"administrator {email.strip().lower()} ready")


@cli.group("shows")
def shows_group() -> None:
    """Shows (editions)."""


@shows_group.command("list")
@with_appcontext
def shows_list_command() -> None:
    """One line per show: id, name, dates, stage (tab-separated)."""
    from expo_crm import clock
    from expo_crm.shows.services import list_shows

    moment = clock.now()
    for show in sorted(list_shows(), key=lambda s: s.id):
        click.echo(
            "\t".join(
                [
                    str(show.id),
                    show.name_en or show.name_zh,
                    f"{show.move_in_date.isoformat()}..{show.move_out_date.isoformat()}",
                    show.stage_at(moment).value,
                ]
            )
        )


@cli.group("tokens")
def tokens_group() -> None:
    """Device tokens."""


@tokens_group.command("create")
@click.option("--role", type=click.Choice(["gate"]), required=True)
@click.option("--show", "show_id", type=int, required=True)
@click.option("--name", default="gate device")
@with_appcontext
def tokens_create_command(role: str, show_id: int, name: str) -> None:
    """Print a new device token (shown once; stored hashed)."""
    from expo_crm.auth.services import create_device_token
    from expo_crm.db import db
    from expo_crm.shows.models import Show

    if db.session.get(Show, show_id) is None:
        raise click.ClickException(f"no show with id {show_id}")
    _, secret = create_device_token(show_id, name, role)
    db.session.commit()
    click.echo(secret)


@cli.command("seed-demo")
@click.option("--exhibitors", default=60, show_default=True)
@click.option("--visitors", default=400, show_default=True)
@with_appcontext
def seed_demo_command(exhibitors: int, visitors: int) -> None:
    """Fill the database with demo data (demo data only: never on a production database)."""
    from expo_crm.demo import seed_demo

    summary = seed_demo(exhibitors=exhibitors, visitors=visitors)
    click.echo(summary)


@cli.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def demo_command(host: str, port: int) -> None:
    """Init, seed if empty, then serve web and scheduler and print the URL and logins."""
    from expo_crm.demo import run_demo

    run_demo(host, port)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=2, show_default=True)
@click.option("--threads", default=4, show_default=True)
def serve_command(host: str, port: int, workers: int, threads: int) -> None:
    """Production web server (gunicorn). The scheduler runs apart: `expo-crm scheduler`."""
    from expo_crm.server import serve

    serve(host, port, workers, threads)


# Packages that add their own commands.
for _package_commands in (
    exhibitor_commands,
    visitor_commands,
    scheduler_commands,
    relationship_commands,
):
    _package_commands.register(cli)


def main() -> None:
    os.environ.setdefault("FLASK_RUN_FROM_CLI", "false")
    cli.main(args=sys.argv[1:], prog_name="expo-crm")
