"""The subject indexes are partial (`WHERE <column> IS NOT NULL`) in the database as in the
models, and the queries by subject still find their rows through them, on both databases.

Alembic's comparison of models and migrations does not compare an index's WHERE clause, so it
is checked here from each database's own catalogue."""

import re

import pytest
import sqlalchemy as sa

from expo_crm.db import db
from expo_crm.relationships import services
from expo_crm.subjects import SUBJECT_COLUMNS, SubjectKind, SubjectRefMixin


def _subject_tables() -> list[sa.Table]:
    return sorted(
        (
            mapper.local_table
            for mapper in db.Model.registry.mappers
            if issubclass(mapper.class_, SubjectRefMixin)
        ),
        key=lambda table: table.name,
    )


def _normalised(predicate: str) -> str:
    return re.sub(r"[()\s]", "", predicate).lower()


def _index_predicates(connection, dialect: str, table: str) -> dict[str, str]:
    """{index name: its WHERE clause, or "" for a full index} as the database holds them."""
    if dialect == "sqlite":
        rows = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
            " AND sql IS NOT NULL",
            (table,),
        )
    else:
        rows = connection.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", (table,)
        )
    found = {}
    for name, definition in rows:
        where = re.search(r"\bWHERE\b(.*)$", definition, flags=re.IGNORECASE | re.DOTALL)
        found[name] = _normalised(where.group(1)) if where else ""
    return found


def test_each_subject_column_has_one_partial_index_in_the_database(app, dialect):
    tables = _subject_tables()
    assert {t.name for t in tables} >= {"interactions", "complaints", "tasks", "outbox_messages"}
    with db.engine.connect() as connection:
        for table in tables:
            in_database = _index_predicates(connection, dialect, table.name)
            for column in SUBJECT_COLUMNS.values():
                modelled = [ix for ix in table.indexes if ix.columns.keys()[0] == column]
                unique_leads = any(
                    next(iter(c.columns)).name == column
                    for c in table.constraints
                    if isinstance(c, sa.UniqueConstraint)
                )
                # One index per subject column, or the unique constraint's that it leads.
                assert len(modelled) == (0 if unique_leads else 1), (table.name, column)
                for index in modelled:
                    assert in_database[index.name] == f"{column}isnotnull", (table.name, index)
                # No full index on a subject column is left over in the database.
                stray = [
                    name
                    for name, predicate in in_database.items()
                    if name.startswith(f"ix_{table.name}_{column.removesuffix('_id')}")
                    and predicate == ""
                ]
                assert stray == [], (table.name, stray)


def _captured(run) -> list[tuple[str, object]]:
    """The statements `run()` sends to the database, with their parameters."""
    sent = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", keep)
    try:
        run()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep)
    return sent


def _plan(dialect: str, statement: str, parameters) -> str:
    with db.engine.connect() as connection:
        if dialect == "sqlite":
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return "\n".join(str(row[-1]) for row in rows)
        # Empty tables are cheapest read in full: forbid that, so the plan shows whether the
        # index can serve the query at all (a partial index the query does not imply cannot).
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
        return "\n".join(row[0] for row in rows)


@pytest.mark.parametrize("kind", list(SubjectKind))
def test_a_timeline_is_read_through_its_kinds_subject_and_time_index(app, dialect, kind):
    statements = _captured(lambda: services.timeline(kind, 1))
    (statement, parameters) = statements[-1]
    plan = _plan(dialect, statement, parameters)
    column = SUBJECT_COLUMNS[kind]
    assert f"ix_interactions_{column.removesuffix('_id')}_time" in plan, plan
    if dialect == "sqlite":
        assert "TEMP B-TREE" not in plan, plan  # read in time order from the index, not sorted


def test_a_lookup_by_subject_uses_an_index_on_every_table_for_every_kind(app, dialect):
    for table in _subject_tables():
        for column in SUBJECT_COLUMNS.values():
            for condition in (
                table.c[column] == 7,
                table.c[column].in_([7, 8]),
            ):
                select = sa.select(table.c.id).where(condition)
                compiled = select.compile(
                    dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}
                )
                plan = _plan(dialect, str(compiled), ())
                if dialect == "sqlite":
                    assert "USING" in plan and "INDEX" in plan, (table.name, column, plan)
                else:
                    assert "Index" in plan and "Seq Scan" not in plan, (table.name, column, plan)


def test_the_set_based_reads_of_a_kind_use_its_partial_index(app, dialect):
    """The life-cycle and value evaluations read all rows of one kind (`<column> IS NOT NULL`)."""
    statement = (
        "SELECT visitor_id, MAX(occurred_at) FROM interactions"
        " WHERE visitor_id IS NOT NULL GROUP BY visitor_id"
    )
    plan = _plan(dialect, statement, ())
    assert "ix_interactions_visitor_time" in plan, plan
