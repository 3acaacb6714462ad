"""CLI: `expo-crm export badges --show ID -o FILE.csv` and `expo-crm import visitors FILE --show ID`."""

from __future__ import annotations

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
    @click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
    @with_appcontext
    def import_visitors(file: str, show_id: int, dry_run: bool) -> None:
        """Register visitors from an xlsx or csv file (columns: email, name, company, ...);
        the same checks as the exhibitor import, and a file with any bad row imports nothing."""
        from expo_crm.db import db, writing
        from expo_crm.errors import UserError
        from expo_crm.shows.models import Show
        from expo_crm.visitors import imports

        show = db.session.get(Show, show_id)
        if show is None:
            raise click.ClickException(f"no show with id {show_id}")
        try:
            content = Path(file).read_bytes()
        except OSError as problem:
            raise click.ClickException(f"cannot read {file}: {problem}") from None
        result = imports.check(show, Path(file).name, content)
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
                f"would register {result.count('register')}, "
                f"already registered {result.count('existing')}"
            )
            return
        db.session.commit()  # end the reading transaction; the writing one begins below
        with writing():
            try:
                created, existing = imports.apply(show, result)
            except UserError as refused:
                db.session.rollback()
                raise click.ClickException(f"{refused}; nothing was imported") from None
            db.session.commit()
        click.echo(f"created {created}, already registered {existing}")
