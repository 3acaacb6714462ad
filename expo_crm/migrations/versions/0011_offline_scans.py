"""offline scans: scans.received_at, and the scan result not_inside

A scan queued offline is stored at its own time (`at`) and the time it reached the server
(`received_at`); an exit scan of a visitor who is not inside is answered `not_inside`
(issue 13, docs/contracts.md).

Revision ID: 0011_offline_scans
Revises: 0010_destructive_reasons
Create Date: 2026-11-30 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011_offline_scans"
down_revision = "0010_destructive_reasons"
branch_labels = None
depends_on = None

RESULTS = (
    "admitted",
    "readmitted",
    "exited",
    "already_inside",
    "unknown",
    "revoked",
    "not_valid_now",
)
CHECK = "ck_scans_scan_result"


def _result_check(batch_op, results) -> None:
    batch_op.drop_constraint(op.f(CHECK), type_="check")
    batch_op.create_check_constraint(op.f(CHECK), sa.column("result").in_(results))


def upgrade():
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE scans SET received_at = at")
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.alter_column(
            "received_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        _result_check(batch_op, (*RESULTS, "not_inside"))


def downgrade():
    op.execute("UPDATE scans SET result = 'exited' WHERE result = 'not_inside'")
    with op.batch_alter_table("scans", schema=None) as batch_op:
        _result_check(batch_op, RESULTS)
        batch_op.drop_column("received_at")
