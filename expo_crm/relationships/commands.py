"""`expo-crm lifecycle evaluate [--at ISO]`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


def register(cli: click.Group) -> None:
    @cli.group("lifecycle")
    def lifecycle_group() -> None:
        """The relationship life cycle."""

    @lifecycle_group.command("evaluate")
    @click.option("--at", "at_text", default=None, help="ISO time to evaluate at (default: now)")
    @with_appcontext
    def evaluate_command(at_text: str | None) -> None:
        """Evaluate every relationship now (or at --at) and raise the alerts."""
        from expo_crm import clock
        from expo_crm.relationships.services import evaluate_all

        try:
            at = clock.parse_iso(at_text) if at_text else clock.now()
        except ValueError:
            raise click.BadParameter(f"not an ISO time: {at_text}", param_hint="--at") from None
        changes = evaluate_all(at)
        click.echo(f"evaluated at {at.isoformat()}: {changes} stage changes")
