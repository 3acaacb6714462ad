"""Numbers without gaps: one counter row per issuer, document kind and year, incremented by
an upsert inside the transaction that issues the document.

On PostgreSQL `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` takes the row lock, so a second
issuer waits for the first to commit or roll back and then reads its number; on SQLite the
issuing transaction holds the database's one write lock (requests that write begin with
BEGIN IMMEDIATE, jobs with `db.writing()`). A rolled-back issue rolls its increment back with
it, so no number is ever skipped or given twice."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from expo_crm.db import db
from expo_crm.invoicing.models import DocumentKind, NumberCounter

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def next_sequence(issuer_id: int, kind: DocumentKind, year: int) -> int:
    table = NumberCounter.__table__
    insert = _INSERTS[db.session.get_bind().dialect.name](table)
    statement = (
        insert.values(issuer_id=issuer_id, kind=kind, year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=[table.c.issuer_id, table.c.kind, table.c.year],
            set_={"last_number": table.c.last_number + 1},
        )
        .returning(table.c.last_number)
    )
    return int(db.session.execute(statement).scalar_one())


def format_number(code: str, kind: DocumentKind, year: int, sequence: int) -> str:
    """EXPO-INV-2027-00001: the issuer's code, the kind, the year, the sequence."""
    return f"{code}-{kind.prefix}-{year}-{sequence:05d}"


def numbers_issued(issuer_id: int, kind: DocumentKind, year: int) -> list[int]:
    from expo_crm.invoicing.models import Invoice

    return list(
        db.session.scalars(
            sa.select(Invoice.sequence)
            .where(Invoice.issuer_id == issuer_id, Invoice.kind == kind, Invoice.year == year)
            .order_by(Invoice.sequence)
        )
    )
