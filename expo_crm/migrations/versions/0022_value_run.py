"""value runs: when the nightly customer value computation ran and what it wrote

The nightly run rewrites a customer_values row only when one of its values changed (issue 15),
so a row's computed_at says when its values last changed; each run is recorded here, and the
value and loyalty pages say when the values were last computed from the latest run.

Revision ID: 0022_value_run
Revises: 0021_edition_loyalty
Create Date: 2026-12-01 05:00:00

"""

import sqlalchemy as sa
from alembic import op

import expo_crm.db

revision = "0022_value_run"
down_revision = "0021_edition_loyalty"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "value_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ran_at", expo_crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_value_runs")),
    )
    op.create_index(op.f("ix_value_runs_ran_at"), "value_runs", ["ran_at"], unique=False)
    # The runs before this one each left their time on the rows they wrote.
    op.execute(
        "INSERT INTO value_runs (ran_at, customers, created, updated)"
        " SELECT computed_at, COUNT(*), 0, COUNT(*) FROM customer_values GROUP BY computed_at"
    )


def downgrade():
    op.drop_index(op.f("ix_value_runs_ran_at"), table_name="value_runs")
    op.drop_table("value_runs")
