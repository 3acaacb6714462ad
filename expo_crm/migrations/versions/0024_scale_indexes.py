"""scale indexes: the relationship and complaint lists read a page off an index

At Canton-Fair size (330,000 relationships, 30,000 complaints; benchmarks/canton.py) the
relationship list (weakest first) and the complaint list (newest first) sorted every row for
each page they showed. An index in each list's order lets a page be read off it.

Revision ID: 0024_scale_indexes
Revises: 0023_subject_indexes
Create Date: 2026-12-01 05:30:00

"""

from alembic import op

revision = "0024_scale_indexes"
down_revision = "0023_subject_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_lifecycle_states_health_id", "lifecycle_states", ["health", "id"])
    op.create_index("ix_complaints_opened_at_id", "complaints", ["opened_at", "id"])


def downgrade():
    op.drop_index("ix_complaints_opened_at_id", table_name="complaints")
    op.drop_index("ix_lifecycle_states_health_id", table_name="lifecycle_states")
