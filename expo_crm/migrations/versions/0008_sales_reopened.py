"""shows that are over are closed for sale unless an administrator reopens one

Each show keeps who reopened it for sale, when and why. Shows are not reopened by the
migration: a show that is already over is closed for sale from now on.

Revision ID: 0008_sales_reopened
Revises: 0007_customer_value
Create Date: 2026-12-01 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008_sales_reopened"
down_revision = "0007_customer_value"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("shows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sales_reopened_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("sales_reopened_by_id", sa.Integer()))
        batch_op.add_column(
            sa.Column("sales_reopened_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_shows_sales_reopened_by_id_staff_users"),
            "staff_users",
            ["sales_reopened_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("shows", schema=None) as batch_op:
        batch_op.alter_column("sales_reopened_reason", server_default=None)


def downgrade():
    with op.batch_alter_table("shows", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_shows_sales_reopened_by_id_staff_users"), type_="foreignkey"
        )
        batch_op.drop_column("sales_reopened_reason")
        batch_op.drop_column("sales_reopened_by_id")
        batch_op.drop_column("sales_reopened_at")
