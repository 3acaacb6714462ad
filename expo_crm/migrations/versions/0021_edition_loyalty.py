"""edition loyalty: retention, churn, repeat, up- and cross-selling per held edition, stored

The loyalty page read every participation and check-in per request; the nightly value run now
computes the figures per edition and audience, and retention per segment, and stores them
(issue 15).

Revision ID: 0021_edition_loyalty
Revises: 0020_show_branding
Create Date: 2026-12-01 05:00:00

"""

import sqlalchemy as sa
from alembic import op

import expo_crm.db

revision = "0021_edition_loyalty"
down_revision = "0020_show_branding"
branch_labels = None
depends_on = None


def _audience(name: str) -> sa.Enum:
    return sa.Enum(
        "exhibitors", "visitors", name=name, native_enum=False, create_constraint=True, length=18
    )


def upgrade():
    op.create_table(
        "edition_loyalty",
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("audience", _audience("edition_loyalty_audience"), nullable=False),
        sa.Column("previous_show_id", sa.Integer(), nullable=True),
        sa.Column("computed_at", expo_crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("previous_participants", sa.Integer(), nullable=True),
        sa.Column("repeat", sa.Integer(), nullable=False),
        sa.Column("retention", sa.Numeric(precision=5, scale=4), nullable=True),
        sa.Column("up_selling", sa.Integer(), nullable=True),
        sa.Column("cross_selling", sa.Integer(), nullable=True),
        sa.Column("orders", sa.Integer(), nullable=True),
        sa.Column("order_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("satisfaction", sa.Numeric(precision=3, scale=2), nullable=True),
        sa.Column("nps", sa.Numeric(precision=4, scale=2), nullable=True),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("referrals", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "retention >= 0 AND retention <= 1", name=op.f("ck_edition_loyalty_retention_range")
        ),
        sa.CheckConstraint(
            "repeat <= participants", name=op.f("ck_edition_loyalty_repeat_took_part")
        ),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_edition_loyalty_show_id_shows"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["previous_show_id"],
            ["shows.id"],
            name=op.f("fk_edition_loyalty_previous_show_id_shows"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("show_id", "audience", name=op.f("pk_edition_loyalty")),
    )
    op.create_table(
        "edition_retention",
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("audience", _audience("edition_retention_audience"), nullable=False),
        sa.Column("segment", sa.String(length=40), nullable=False),
        sa.Column("computed_at", expo_crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("previous_participants", sa.Integer(), nullable=False),
        sa.Column("repeat", sa.Integer(), nullable=False),
        sa.Column("retention", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.CheckConstraint(
            "previous_participants > 0",
            name=op.f("ck_edition_retention_segment_had_participants"),
        ),
        sa.CheckConstraint(
            "repeat <= previous_participants",
            name=op.f("ck_edition_retention_repeat_of_previous"),
        ),
        sa.CheckConstraint(
            "retention >= 0 AND retention <= 1",
            name=op.f("ck_edition_retention_retention_range"),
        ),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_edition_retention_show_id_shows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "show_id", "audience", "segment", name=op.f("pk_edition_retention")
        ),
    )


def downgrade():
    op.drop_table("edition_retention")
    op.drop_table("edition_loyalty")
