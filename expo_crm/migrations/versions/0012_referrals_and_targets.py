"""customer referral links and plan step targets

Registrations and exhibitor applications record the customer (exhibitor or trade visitor)
whose referral link brought them; customer_values keeps how many each customer's links
brought and how many of those bought (word of mouth, issue 15 item 6), and the loyalty
measures the nightly run now stores beside the value (item 5). A service plan step
gets its own target, a value class or tier (blank: the whole audience); the personal-call steps
keep the value customers they were registered with.

Revision ID: 0012_referrals_and_targets
Revises: 0011_offline_scans
Create Date: 2026-12-01 01:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012_referrals_and_targets"
down_revision = "0011_offline_scans"
branch_labels = None
depends_on = None

REFERRED = ("registrations", "exhibitor_applications")


def upgrade():
    for table in REFERRED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("referrer_company_id", sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column("referrer_visitor_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_referrer_company_id_companies"),
                "companies",
                ["referrer_company_id"],
                ["id"],
                ondelete="SET NULL",
            )
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_referrer_visitor_id_visitors"),
                "visitors",
                ["referrer_visitor_id"],
                ["id"],
                ondelete="SET NULL",
            )
            batch_op.create_index(
                batch_op.f(f"ix_{table}_referrer_company_id"), ["referrer_company_id"]
            )
            batch_op.create_index(
                batch_op.f(f"ix_{table}_referrer_visitor_id"), ["referrer_visitor_id"]
            )
            batch_op.create_check_constraint(
                op.f(f"ck_{table}_one_referrer"),
                "referrer_company_id IS NULL OR referrer_visitor_id IS NULL",
            )
    with op.batch_alter_table("service_plan_steps", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("target", sa.String(length=30), server_default="", nullable=False)
        )
    op.execute(
        "UPDATE service_plan_steps SET target = 'class:value' WHERE action = 'value.personal_calls'"
    )
    with op.batch_alter_table("customer_values", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("referrals", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("referrals_converted", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("cross_selling", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("up_selling", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("decision_days", sa.Numeric(8, 1), nullable=True))
        batch_op.add_column(sa.Column("competitors", sa.Numeric(6, 4), nullable=True))
        batch_op.add_column(sa.Column("price_sensitivity", sa.Numeric(12, 4), nullable=True))
        batch_op.add_column(sa.Column("quality", sa.Numeric(6, 4), nullable=True))
        batch_op.add_column(
            sa.Column(
                "loyalty",
                sa.Enum(
                    "advocate",
                    "follower",
                    "none",
                    name="loyalty_kind",
                    native_enum=False,
                    create_constraint=True,
                    length=16,
                ),
                server_default="none",
                nullable=False,
            )
        )


def downgrade():
    with op.batch_alter_table("customer_values", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_customer_values_loyalty_kind"), type_="check")
        for column in (
            "loyalty",
            "quality",
            "price_sensitivity",
            "competitors",
            "decision_days",
            "up_selling",
            "cross_selling",
        ):
            batch_op.drop_column(column)
        batch_op.drop_column("referrals_converted")
        batch_op.drop_column("referrals")
    with op.batch_alter_table("service_plan_steps", schema=None) as batch_op:
        batch_op.drop_column("target")
    for table in REFERRED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_one_referrer"), type_="check")
            batch_op.drop_index(batch_op.f(f"ix_{table}_referrer_visitor_id"))
            batch_op.drop_index(batch_op.f(f"ix_{table}_referrer_company_id"))
            batch_op.drop_constraint(
                op.f(f"fk_{table}_referrer_visitor_id_visitors"), type_="foreignkey"
            )
            batch_op.drop_constraint(
                op.f(f"fk_{table}_referrer_company_id_companies"), type_="foreignkey"
            )
            batch_op.drop_column("referrer_visitor_id")
            batch_op.drop_column("referrer_company_id")
