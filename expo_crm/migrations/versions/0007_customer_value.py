"""customer value: nightly values per customer, value alerts, churn reasons

One row per customer in customer_values (value parts by profit, measured retention, value
class and tier); alerts may be raised by a fall in the value matrix (no transition, an event
kind instead); an editable list of reasons why customers decline or are lost, and the records.

Revision ID: 0007_customer_value
Revises: 0003_import_confirmations
Create Date: 2026-12-05 10:00:00

"""

import sqlalchemy as sa
from alembic import op

import expo_crm.db

revision = "0007_customer_value"
down_revision = "0003_import_confirmations"
branch_labels = None
depends_on = None

DEFAULT_REASONS = (
    ("price", "价格太高", "Price too high"),
    ("results", "展会效果不佳", "Poor results at the show"),
    ("visitors", "观众质量不高", "Visitor quality too low"),
    ("service", "服务问题", "Service problems"),
    ("competitor", "转向竞争展会", "Went to a competing show"),
    ("budget", "预算削减", "Budget cut"),
    ("business", "业务变化", "Business changed"),
    ("schedule", "日期冲突", "Date conflict"),
    ("other", "其他", "Other"),
)


def upgrade():
    op.create_table(
        "churn_reasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label_zh", sa.String(length=120), nullable=False),
        sa.Column("label_en", sa.String(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_churn_reasons")),
        sa.UniqueConstraint("code", name=op.f("uq_churn_reasons_code")),
    )
    op.create_table(
        "churn_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=True),
        sa.Column("reason_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "declined",
                "lost",
                name="churn_outcome",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("recorded_at", expo_crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("visitor_id", sa.Integer(), nullable=True),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN company_id IS NULL THEN 0 ELSE 1 END + CASE WHEN visitor_id IS NULL THEN 0 ELSE 1 END + CASE WHEN supplier_id IS NULL THEN 0 ELSE 1 END + CASE WHEN partner_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_churn_records_one_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_churn_records_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_churn_records_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reason_id"],
            ["churn_reasons.id"],
            name=op.f("fk_churn_records_reason_id_churn_reasons"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_churn_records_show_id_shows"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_users.id"],
            name=op.f("fk_churn_records_staff_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_churn_records_supplier_id_suppliers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name=op.f("fk_churn_records_visitor_id_visitors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_churn_records")),
    )
    with op.batch_alter_table("churn_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_churn_records_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_churn_records_partner_id"), ["partner_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_churn_records_reason_id"), ["reason_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_churn_records_show_id"), ["show_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_churn_records_supplier_id"), ["supplier_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_churn_records_visitor_id"), ["visitor_id"], unique=False
        )

    op.create_table(
        "customer_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "exhibitor",
                "visitor",
                "supplier",
                "partner",
                name="value_kind",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("computed_at", expo_crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("segment", sa.String(length=200), nullable=False),
        sa.Column("editions", sa.Integer(), nullable=False),
        sa.Column("current_editions", sa.Integer(), nullable=False),
        sa.Column("revenue_historical", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("revenue_current", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("margin_historical", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("margin_current", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("cost_historical", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("cost_current", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("complaints", sa.Integer(), nullable=False),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.Column("historical", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("current", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("margin_per_edition", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("opportunities", sa.Integer(), nullable=False),
        sa.Column("retention_own", sa.Numeric(precision=6, scale=4), nullable=True),
        sa.Column("retention_segment", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("retention", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("conversion", sa.Numeric(precision=6, scale=4), nullable=True),
        sa.Column("potential", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("word_of_mouth", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("estimated", sa.Boolean(), nullable=False),
        sa.Column(
            "value_class",
            sa.Enum(
                "value",
                "potential",
                "maintain",
                "low",
                name="value_class",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column(
            "tier",
            sa.Enum(
                "key",
                "major",
                "ordinary",
                "small",
                name="value_tier",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("class_since", expo_crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("visitor_id", sa.Integer(), nullable=True),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN company_id IS NULL THEN 0 ELSE 1 END + CASE WHEN visitor_id IS NULL THEN 0 ELSE 1 END + CASE WHEN supplier_id IS NULL THEN 0 ELSE 1 END + CASE WHEN partner_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_customer_values_one_subject"),
        ),
        sa.CheckConstraint(
            "retention >= 0 AND retention < 1", name=op.f("ck_customer_values_retention_range")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_customer_values_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_customer_values_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_customer_values_supplier_id_suppliers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name=op.f("fk_customer_values_visitor_id_visitors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_values")),
        sa.UniqueConstraint("company_id", name="uq_customer_values_company"),
        sa.UniqueConstraint("partner_id", name="uq_customer_values_partner"),
        sa.UniqueConstraint("visitor_id", name="uq_customer_values_visitor"),
    )
    with op.batch_alter_table("customer_values", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_values_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_customer_values_kind"), ["kind"], unique=False)
        batch_op.create_index(
            "ix_customer_values_kind_class", ["kind", "value_class"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_values_partner_id"), ["partner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_values_supplier_id"), ["supplier_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_values_visitor_id"), ["visitor_id"], unique=False
        )

    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))
        batch_op.alter_column("transition_id", nullable=True)
        batch_op.alter_column("stage", nullable=True)
        batch_op.create_check_constraint(
            "alert_stage_or_event",
            "(transition_id IS NULL) = (stage IS NULL) AND (stage IS NULL) = (event IS NOT NULL)",
        )

    reasons = sa.table(
        "churn_reasons",
        sa.column("code", sa.String),
        sa.column("label_zh", sa.String),
        sa.column("label_en", sa.String),
        sa.column("active", sa.Boolean),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        reasons,
        [
            {"code": code, "label_zh": zh, "label_en": en, "active": True, "position": n}
            for n, (code, zh, en) in enumerate(DEFAULT_REASONS)
        ],
    )


def downgrade():

    op.execute("DELETE FROM alerts WHERE transition_id IS NULL")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_constraint("alert_stage_or_event", type_="check")
        batch_op.alter_column("stage", nullable=False)
        batch_op.alter_column("transition_id", nullable=False)
        batch_op.drop_column("params")
        batch_op.drop_column("event")

    with op.batch_alter_table("customer_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_values_visitor_id"))
        batch_op.drop_index(batch_op.f("ix_customer_values_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_customer_values_partner_id"))
        batch_op.drop_index("ix_customer_values_kind_class")
        batch_op.drop_index(batch_op.f("ix_customer_values_kind"))
        batch_op.drop_index(batch_op.f("ix_customer_values_company_id"))

    op.drop_table("customer_values")
    with op.batch_alter_table("churn_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_churn_records_visitor_id"))
        batch_op.drop_index(batch_op.f("ix_churn_records_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_churn_records_show_id"))
        batch_op.drop_index(batch_op.f("ix_churn_records_reason_id"))
        batch_op.drop_index(batch_op.f("ix_churn_records_partner_id"))
        batch_op.drop_index(batch_op.f("ix_churn_records_company_id"))

    op.drop_table("churn_records")
    op.drop_table("churn_reasons")
