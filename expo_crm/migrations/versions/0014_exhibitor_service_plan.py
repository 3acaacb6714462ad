"""exhibitor service plan: the daily move-in hours of a show

The move-in information sent to exhibitors gives the hours the halls are open for building
booths (local times in the show's time zone). Both are optional; when given, move-in opens
before it closes.

Revision ID: 0014_exhibitor_service_plan
Revises: 0013_exhibitor_returns
Create Date: 2026-12-01 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0014_exhibitor_service_plan"
down_revision = "0013_exhibitor_returns"
branch_labels = None
depends_on = None

CHECK = "move_in_hours_ordered"


def upgrade():
    with op.batch_alter_table("shows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("move_in_opens", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("move_in_closes", sa.Time(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f(f"ck_shows_{CHECK}"),
            "move_in_opens IS NULL OR move_in_closes IS NULL OR move_in_opens < move_in_closes",
        )


def downgrade():
    with op.batch_alter_table("shows", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f"ck_shows_{CHECK}"), type_="check")
        batch_op.drop_column("move_in_closes")
        batch_op.drop_column("move_in_opens")
