"""exhibitor returns: life-cycle warnings found by other packages, kept as events

An exhibitor whose return on its last show was small for what it cost (benefit small, cost
large) is weakening; the reason is stored with the stage and each transition as an event kind
with its parameters (issue 16).

Revision ID: 0013_exhibitor_returns
Revises: 0012_referrals_and_targets
Create Date: 2026-12-01 01:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013_exhibitor_returns"
down_revision = "0012_referrals_and_targets"
branch_labels = None
depends_on = None

TABLES = ("lifecycle_states", "lifecycle_transitions")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("external_warnings", sa.JSON(), nullable=True))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("external_warnings")
