"""`expo-crm import exhibitors FILE`: the same checks as the web import, then write."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext


def register(cli: click.Group) -> None:
    group = cli.commands.get("import")
    if group is None:
        # visitors adds `import visitors` to the same group, whichever registers first.
        @cli.group("import")
        def group() -> None:
            """Import records from a spreadsheet (xlsx or csv)."""

    group.add_command(import_exhibitors_command)


@click.command("exhibitors")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@with_appcontext
def import_exhibitors_command(file: Path, dry_run: bool) -> None:
    """Import exhibitors (companies and contacts); a re-import updates instead of duplicating."""
    from expo_crm.db import db, writing
    from expo_crm.exhibitors import importer

    result = importer.check(file.name, file.read_bytes())
    for problem in result.file_errors:
        click.echo(f"error: {problem}", err=True)
    for row in result.row_errors[:200]:
        click.echo(f"row {row.line}: {'; '.join(row.errors)}", err=True)
    if not result.ok:
        raise click.ClickException(
            f"{len(result.row_errors)} rows with errors; nothing was imported"
        )
    if dry_run:
        click.echo(
            f"would create {result.count('create')} and update {result.count('update')} companies"
        )
        return
    with writing():
        created, updated = importer.apply(result)
        db.session.commit()
    click.echo(f"created {created} and updated {updated} companies")
