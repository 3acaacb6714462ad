"""survey analysis: question roles (expectation, importance, overall), pairs and levels

A rating question measures performance, the expectation or the importance of another
(performance) question, or overall satisfaction; any question may belong to one of the seeds'
three satisfaction levels (product, service, social). Issue 18, item 3.

Revision ID: 0017_survey_analysis
Revises: 0016_churn_models
Create Date: 2026-12-01 01:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0017_survey_analysis"
down_revision = "0016_churn_models"
branch_labels = None
depends_on = None

ROLES = ("performance", "expectation", "importance", "overall")
LEVELS = ("product", "service", "social")


def upgrade():
    with op.batch_alter_table("survey_questions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=19), server_default="performance", nullable=False)
        )
        batch_op.add_column(sa.Column("level", sa.String(length=15), nullable=True))
        batch_op.add_column(sa.Column("pairs_with_id", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_survey_questions_survey_question_role"), sa.column("role").in_(ROLES)
        )
        batch_op.create_check_constraint(
            op.f("ck_survey_questions_survey_question_level"), sa.column("level").in_(LEVELS)
        )
        batch_op.create_check_constraint(
            op.f("ck_survey_questions_paired_roles"),
            "(role IN ('expectation', 'importance') AND pairs_with_id IS NOT NULL)"
            " OR (role NOT IN ('expectation', 'importance') AND pairs_with_id IS NULL)",
        )
        batch_op.create_foreign_key(
            op.f("fk_survey_questions_pairs_with_id_survey_questions"),
            "survey_questions",
            ["pairs_with_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint(
            op.f("uq_survey_questions_pairs_with_id_role"), ["pairs_with_id", "role"]
        )
        batch_op.create_index(
            op.f("ix_survey_questions_pairs_with_id"), ["pairs_with_id"], unique=False
        )
        batch_op.create_index(
            "uq_survey_questions_one_overall",
            ["survey_id"],
            unique=True,
            sqlite_where=sa.text("role = 'overall'"),
            postgresql_where=sa.text("role = 'overall'"),
        )


def downgrade():
    with op.batch_alter_table("survey_questions", schema=None) as batch_op:
        batch_op.drop_index("uq_survey_questions_one_overall")
        batch_op.drop_index(op.f("ix_survey_questions_pairs_with_id"))
        batch_op.drop_constraint(op.f("uq_survey_questions_pairs_with_id_role"), type_="unique")
        batch_op.drop_constraint(
            op.f("fk_survey_questions_pairs_with_id_survey_questions"), type_="foreignkey"
        )
        batch_op.drop_constraint(op.f("ck_survey_questions_paired_roles"), type_="check")
        batch_op.drop_constraint(op.f("ck_survey_questions_survey_question_level"), type_="check")
        batch_op.drop_constraint(op.f("ck_survey_questions_survey_question_role"), type_="check")
        batch_op.drop_column("pairs_with_id")
        batch_op.drop_column("level")
        batch_op.drop_column("role")
