"""subject indexes: one partial index per subject column, none that another index serves

Every table with a subject (SubjectRefMixin) had a full index on each of its four subject
columns, three of which hold NULL for any one row, and `interactions` and `survey_responses`
a (subject, time) index beside the single-column one it already serves. A first check-in's
timeline row was written into 11 B-trees. Now each subject column has one index, partial
(`WHERE <column> IS NOT NULL`): (subject, time) on `interactions` and `survey_responses`,
the column alone elsewhere, and none where a unique constraint on the column already leads
an index (`lifecycle_states`, `customer_values`: company, visitor and partner). Issue 21.

Revision ID: 0023_subject_indexes
Revises: 0022_value_run
Create Date: 2026-12-01 05:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0023_subject_indexes"
down_revision = "0022_value_run"
branch_labels = None
depends_on = None

COLUMNS = ("company_id", "visitor_id", "supplier_id", "partner_id")
TABLES = (
    "interactions",
    "complaints",
    "lifecycle_states",
    "lifecycle_transitions",
    "alerts",
    "customer_values",
    "churn_records",
    "churn_scores",
    "tasks",
    "outbox_messages",
    "survey_invitations",
    "survey_responses",
)
# (subject, time) indexes, and where the time column is.
BY_TIME = {"interactions": "occurred_at", "survey_responses": "submitted_at"}
# Columns that lead the index of a unique constraint already.
SERVED = {
    "lifecycle_states": ("company_id", "visitor_id", "partner_id"),
    "customer_values": ("company_id", "visitor_id", "partner_id"),
}
# Before: the (subject, time) indexes there were, all full.
OLD_BY_TIME = {
    "interactions": COLUMNS,
    "survey_responses": ("company_id", "visitor_id"),
}


def _time_index(table: str, column: str) -> str:
    return f"ix_{table}_{column.removesuffix('_id')}_time"


def _partial(column: str) -> dict:
    where = sa.text(f"{column} IS NOT NULL")
    return {"sqlite_where": where, "postgresql_where": where}


def upgrade():
    for table in TABLES:
        for column in COLUMNS:
            op.drop_index(f"ix_{table}_{column}", table_name=table)
        for column in OLD_BY_TIME.get(table, ()):
            op.drop_index(_time_index(table, column), table_name=table)
        for column in COLUMNS:
            if column in SERVED.get(table, ()):
                continue
            if table in BY_TIME:
                name, columns = _time_index(table, column), [column, BY_TIME[table]]
            else:
                name, columns = f"ix_{table}_{column}", [column]
            op.create_index(name, table, columns, unique=False, **_partial(column))


def downgrade():
    for table in TABLES:
        for column in COLUMNS:
            if column in SERVED.get(table, ()):
                continue
            name = _time_index(table, column) if table in BY_TIME else f"ix_{table}_{column}"
            op.drop_index(name, table_name=table)
        for column in COLUMNS:
            op.create_index(f"ix_{table}_{column}", table, [column], unique=False)
        for column in OLD_BY_TIME.get(table, ()):
            op.create_index(
                _time_index(table, column), table, [column, BY_TIME[table]], unique=False
            )
