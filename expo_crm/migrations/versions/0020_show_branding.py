"""show branding: each show's logo and colour for its public pages

Public pages (visitor registration, exhibitor application, surveys, self-service) carry the
show's name, logo and colour, set by staff (issue 20, item 4).

Revision ID: 0020_show_branding
Revises: 0019_hall_plan_and_applications
Create Date: 2026-12-01 02:00:00

"""

import sqlalchemy as sa
from alembic import op

import expo_crm.db

revision = "0020_show_branding"
down_revision = "0019_hall_plan_and_applications"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "show_brandings",
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(length=40), nullable=True),
        sa.Column("updated_at", expo_crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(colour) = 7", name=op.f("ck_show_brandings_colour_hex")),
        sa.CheckConstraint(
            "(logo IS NULL) = (logo_type IS NULL)",
            name=op.f("ck_show_brandings_logo_with_its_type"),
        ),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_show_brandings_show_id_shows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("show_id", name=op.f("pk_show_brandings")),
    )


def downgrade():
    op.drop_table("show_brandings")
