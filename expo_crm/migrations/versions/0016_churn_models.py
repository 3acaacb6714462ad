"""churn models: trained churn-prediction models, their evaluation, customers' scores

Each training run of the churn model of a kind of customer is a versioned row (the pickled
scikit-learn pipeline with its format version, the editions learned from, the edition tested
on, AUC, precision at the top 10 %, calibration bins), or says why there was not enough data;
each scored customer gets a probability with its factors; the life cycle keeps the predicted
probability and whether it is an early warning.

Revision ID: 0016_churn_models
Revises: 0015_matchmaking
Create Date: 2026-12-01 01:30:00

"""

import sqlalchemy as sa
from alembic import op

import expo_crm.db

revision = "0016_churn_models"
down_revision = "0015_matchmaking"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "churn_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "exhibitor",
                "visitor",
                "supplier",
                "partner",
                name="churn_model_kind",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "ready",
                "not_enough_data",
                name="churn_model_state",
                native_enum=False,
                create_constraint=True,
                length=23,
            ),
            nullable=False,
        ),
        sa.Column(
            "shortfall",
            sa.Enum(
                "no_history",
                "empty_edition",
                "one_class",
                "no_features",
                "too_few",
                name="churn_shortfall",
                native_enum=False,
                create_constraint=True,
                length=21,
            ),
            nullable=True,
        ),
        sa.Column("trained_at", expo_crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source_key", sa.String(length=80), nullable=False),
        sa.Column("format_version", sa.Integer(), nullable=False),
        sa.Column("library", sa.String(length=40), nullable=False),
        sa.Column("model", sa.LargeBinary(), nullable=True),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("train_show_ids", sa.JSON(), nullable=False),
        sa.Column("train_from", sa.Date(), nullable=True),
        sa.Column("train_to", sa.Date(), nullable=True),
        sa.Column("tested_show_id", sa.Integer(), nullable=True),
        sa.Column("train_examples", sa.Integer(), nullable=False),
        sa.Column("test_examples", sa.Integer(), nullable=False),
        sa.Column("test_churned", sa.Integer(), nullable=False),
        sa.Column("auc", sa.Numeric(precision=5, scale=4), nullable=True),
        sa.Column("precision_top10", sa.Numeric(precision=5, scale=4), nullable=True),
        sa.Column("base_rate", sa.Numeric(precision=5, scale=4), nullable=True),
        sa.Column("calibration", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "(state = 'ready') = (model IS NOT NULL AND shortfall IS NULL)",
            name=op.f("ck_churn_models_model_when_ready"),
        ),
        sa.CheckConstraint(
            "kind IN ('exhibitor', 'visitor')", name=op.f("ck_churn_models_churn_model_kind_known")
        ),
        sa.CheckConstraint(
            "auc IS NULL OR auc BETWEEN 0 AND 1", name=op.f("ck_churn_models_auc_range")
        ),
        sa.ForeignKeyConstraint(
            ["tested_show_id"],
            ["shows.id"],
            name=op.f("fk_churn_models_tested_show_id_shows"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_churn_models")),
        sa.UniqueConstraint("kind", "version", name="uq_churn_models_kind_version"),
        sa.UniqueConstraint("source_key", name=op.f("uq_churn_models_source_key")),
    )
    op.create_table(
        "churn_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=True),
        sa.Column("probability", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("factors", sa.JSON(), nullable=False),
        sa.Column("scored_at", expo_crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("visitor_id", sa.Integer(), nullable=True),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN company_id IS NULL THEN 0 ELSE 1 END + CASE WHEN visitor_id IS NULL THEN 0 ELSE 1 END + CASE WHEN supplier_id IS NULL THEN 0 ELSE 1 END + CASE WHEN partner_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_churn_scores_one_subject"),
        ),
        sa.CheckConstraint(
            "probability BETWEEN 0 AND 1", name=op.f("ck_churn_scores_probability_range")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_churn_scores_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["churn_models.id"],
            name=op.f("fk_churn_scores_model_id_churn_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_churn_scores_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_churn_scores_show_id_shows"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_churn_scores_supplier_id_suppliers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name=op.f("fk_churn_scores_visitor_id_visitors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_churn_scores")),
        sa.UniqueConstraint("model_id", "company_id", name="uq_churn_scores_model_company"),
        sa.UniqueConstraint("model_id", "visitor_id", name="uq_churn_scores_model_visitor"),
    )
    with op.batch_alter_table("churn_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_churn_scores_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_churn_scores_model_id"), ["model_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_churn_scores_partner_id"), ["partner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_churn_scores_supplier_id"), ["supplier_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_churn_scores_visitor_id"), ["visitor_id"], unique=False
        )

    with op.batch_alter_table("lifecycle_states", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("churn_probability", sa.Numeric(precision=5, scale=4), nullable=True)
        )
        batch_op.add_column(
            sa.Column("churn_risk", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("lifecycle_states", schema=None) as batch_op:
        batch_op.alter_column("churn_risk", server_default=None)

    with op.batch_alter_table("lifecycle_transitions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("churn_probability", sa.Numeric(precision=5, scale=4), nullable=True)
        )
        batch_op.add_column(
            sa.Column("churn_risk", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("lifecycle_transitions", schema=None) as batch_op:
        batch_op.alter_column("churn_risk", server_default=None)


def downgrade():
    with op.batch_alter_table("lifecycle_transitions", schema=None) as batch_op:
        batch_op.drop_column("churn_risk")
        batch_op.drop_column("churn_probability")

    with op.batch_alter_table("lifecycle_states", schema=None) as batch_op:
        batch_op.drop_column("churn_risk")
        batch_op.drop_column("churn_probability")

    with op.batch_alter_table("churn_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_churn_scores_visitor_id"))
        batch_op.drop_index(batch_op.f("ix_churn_scores_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_churn_scores_partner_id"))
        batch_op.drop_index(batch_op.f("ix_churn_scores_model_id"))
        batch_op.drop_index(batch_op.f("ix_churn_scores_company_id"))

    op.drop_table("churn_scores")
    op.drop_table("churn_models")
