"""CLI: `expo-crm export badges --show ID -o FILE.csv` and `expo-crm import visitors FILE --show ID`."""

from __future__ import annotations

import zipfile
from pathlib import Path

import click
from flask.cli import with_appcontext

CLI_ACTOR = ("cli", None, "expo-crm")


def _group(cli, name: str, help_text: str) -> click.Group:
    """Reuse a group another area already added (exhibitors adds `import` too), else create it."""
    group = cli.commands.get(name)
    if group is None:
        group = click.Group(name, help=help_text)
        cli.add_command(group)
    return group


def register(cli) -> None:
    export_group = _group(cli, "export", "Export data.")
    import_group = _group(cli, "import", "Import data (xlsx or csv).")

    @export_group.command("badges")
    @click.option("--show", "show_id", type=int, required=True)
    @click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
    @with_appcontext
    def export_badges(show_id: int, output: str) -> None:
        """Badge data with codes for print vendors (CSV; audited)."""
        from expo_crm.db import db, writing
        from expo_crm.shows.models import Show
        from expo_crm.visitors.exports import badges_csv

        with writing():
            show = db.session.get(Show, show_id)
            if show is None:
                raise click.ClickException(f"no show with id {show_id}")
            content = badges_csv(show, actor=CLI_ACTOR)
            Path(output).write_text(content, encoding="utf-8")
            db.session.commit()
        click.echo(f"wrote {content.count(chr(10)) - 1} badges to {output}")

    @import_group.command("visitors")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--show", "show_id", type=int, required=True)
    @with_appcontext
    def import_visitors(file: str, show_id: int) -> None:
        """Register visitors from an xlsx or csv file (columns: name, email, company, ...)."""
        from expo_crm.db import db, writing
        from expo_crm.shows.models import Show
        from expo_crm.visitors.exports import import_visitors as run_import
        from expo_crm.visitors.exports import read_table

        with writing():
            show = db.session.get(Show, show_id)
            if show is None:
                raise click.ClickException(f"no show with id {show_id}")
            try:
                rows = read_table(file, Path(file).read_bytes())
            except (ValueError, OSError, UnicodeDecodeError, zipfile.BadZipFile) as problem:
                raise click.ClickException(f"cannot read {file}: {problem}") from None
            report = run_import(show, rows)
            db.session.commit()
        click.echo(
            f"created {report.created}, already registered {report.existing}, refused {len(report.errors)}"
        )
        for error in report.errors:
            click.echo(error, err=True)
