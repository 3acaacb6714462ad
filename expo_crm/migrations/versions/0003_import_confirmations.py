"""import confirmations: each import preview is confirmed at most once

Revision ID: 0003_import_confirmations
Revises: 0002
Create Date: 2026-11-30 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0003_import_confirmations"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_confirmations")),
        sa.UniqueConstraint("token", name=op.f("uq_import_confirmations_token")),
    )


def downgrade():
    op.drop_table("import_confirmations")
