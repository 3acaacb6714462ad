"""sign-in throttling, ended sessions, rate-limit counters

Failed sign-ins are counted per account and address (sign_in_addresses) instead of per account
on the user rows; signed-out sessions are remembered (ended_sessions); rate-limit counters are
kept in the database so that every worker shares them (rate_limit_counters).

Revision ID: 0009_sign_in_and_rate_limits
Revises: 0008_sales_reopened
Create Date: 2026-11-30 22:47:52.590084

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_sign_in_and_rate_limits"
down_revision = "0008_sales_reopened"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ended_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("forget_after", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ended_sessions")),
        sa.UniqueConstraint("session_hash", name=op.f("uq_ended_sessions_session_hash")),
    )
    with op.batch_alter_table("ended_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ended_sessions_forget_after"), ["forget_after"], unique=False
        )

    op.create_table(
        "rate_limit_counters",
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit_counters")),
    )
    with op.batch_alter_table("rate_limit_counters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rate_limit_counters_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "sign_in_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_kind", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "account_kind IN ('staff', 'exhibitor')",
            name=op.f("ck_sign_in_addresses_known_account_kind"),
        ),
        sa.CheckConstraint(
            "failures >= 0", name=op.f("ck_sign_in_addresses_failures_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_addresses")),
        sa.UniqueConstraint("account_kind", "account_id", "address", name="one_row_per_address"),
    )
    with op.batch_alter_table("portal_users", schema=None) as batch_op:
        batch_op.drop_column("failed_logins")

    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")


def downgrade():
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("portal_users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )

    op.drop_table("sign_in_addresses")
    with op.batch_alter_table("rate_limit_counters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limit_counters_expires_at"))

    op.drop_table("rate_limit_counters")
    with op.batch_alter_table("ended_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ended_sessions_forget_after"))

    op.drop_table("ended_sessions")
