"""badge builds: bulk badge PDFs made in the background, with their progress

Staff ask for the badges of a show; the scheduler makes the PDF on every core and records how
far it is; a second request for the same badges joins the build under way (issue 21, item 3).

Revision ID: 0025_badge_builds
Revises: 0024_scale_indexes
Create Date: 2026-12-01 05:00:00

"""

import sqlalchemy as sa
from alembic import op

import expo_crm.db

revision = "0025_badge_builds"
down_revision = "0024_scale_indexes"
branch_labels = None
depends_on = None

UNDER_WAY = "state IN ('queued', 'running')"


def upgrade():
    op.create_table(
        "badge_builds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                "expired",
                name="badge_build_state",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=False,
        ),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", expo_crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", expo_crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", expo_crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("file_bytes", sa.Integer(), nullable=True),
        sa.Column("failure", sa.String(length=64), nullable=True),
        sa.Column("failure_params", sa.JSON(), nullable=True),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "done >= 0 AND done <= total", name=op.f("ck_badge_builds_done_within_total")
        ),
        sa.CheckConstraint(
            "(state = 'failed') = (failure IS NOT NULL)",
            name=op.f("ck_badge_builds_failure_when_failed"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["staff_users.id"],
            name=op.f("fk_badge_builds_requested_by_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_badge_builds_show_id_shows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_builds")),
    )
    with op.batch_alter_table("badge_builds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_badge_builds_show_id"), ["show_id"], unique=False)
        batch_op.create_index(
            "uq_badge_builds_one_under_way",
            ["show_id", "category", "language"],
            unique=True,
            sqlite_where=sa.text(UNDER_WAY),
            postgresql_where=sa.text(UNDER_WAY),
        )


def downgrade():
    with op.batch_alter_table("badge_builds", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_badge_builds_one_under_way",
            sqlite_where=sa.text(UNDER_WAY),
            postgresql_where=sa.text(UNDER_WAY),
        )
        batch_op.drop_index(batch_op.f("ix_badge_builds_show_id"))
    op.drop_table("badge_builds")
