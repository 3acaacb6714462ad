"""destructive actions keep their reason: a cancelled contract and a reprinted badge

A contract records when and why it was cancelled; a revoked badge keeps what the desk typed
as the reason for the reprint, beside the coded revoke_reason.

Revision ID: 0010_destructive_reasons
Revises: 0009_sign_in_and_rate_limits
Create Date: 2026-12-06 10:00:00

"""

import sqlalchemy as sa
from alembic import op

import expo_crm.db

revision = "0010_destructive_reasons"
down_revision = "0009_sign_in_and_rate_limits"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cancelled_at", expo_crm.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("cancel_reason", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("badges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoke_note", sa.Text(), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("badges", schema=None) as batch_op:
        batch_op.drop_column("revoke_note")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_at")
