"""hall plan and applications: booth geometry, hall outlines, online applications, rebooking

Booths get a position, size and rotation on a drawn hall plan and the state "held"; halls get
an outline; applications remember their channel and applicant contact, and keep the documents
sent with them; rebooking windows and the holds a pick puts on a booth (issue 19, items 1-3).

Revision ID: 0019_hall_plan_and_applications
Revises: 0018_invoices
Create Date: 2026-12-01 01:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019_hall_plan_and_applications"
down_revision = "0018_invoices"
branch_labels = None
depends_on = None

STATUSES = ("available", "reserved", "sold", "blocked", "held")
STATUS_CHECK = "ck_booths_booth_status"


def upgrade():
    op.create_table(
        "hall_outlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("hall", sa.String(length=20), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_hall_outlines_show_id_shows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_outlines")),
        sa.UniqueConstraint("show_id", "hall", name=op.f("uq_hall_outlines_show_id_hall")),
    )
    with op.batch_alter_table("hall_outlines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hall_outlines_show_id"), ["show_id"], unique=False)

    op.create_table(
        "rebooking_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_hours", sa.Integer(), nullable=False),
        sa.Column("companies_per_window", sa.Integer(), nullable=False),
        sa.Column("hold_minutes", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "companies_per_window > 0", name=op.f("ck_rebooking_plans_group_positive")
        ),
        sa.CheckConstraint("hold_minutes > 0", name=op.f("ck_rebooking_plans_hold_positive")),
        sa.CheckConstraint("window_hours > 0", name=op.f("ck_rebooking_plans_window_positive")),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_rebooking_plans_show_id_shows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rebooking_plans")),
        sa.UniqueConstraint("show_id", name=op.f("uq_rebooking_plans_show_id")),
    )
    op.create_table(
        "rebooking_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("reason_event", sa.String(length=80), nullable=False),
        sa.Column("reason_params", sa.JSON(), nullable=True),
        sa.Column("offer_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "opens_at < closes_at", name=op.f("ck_rebooking_windows_window_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_rebooking_windows_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_rebooking_windows_show_id_shows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rebooking_windows")),
        sa.UniqueConstraint(
            "show_id", "company_id", name=op.f("uq_rebooking_windows_show_id_company_id")
        ),
        sa.UniqueConstraint("show_id", "rank", name=op.f("uq_rebooking_windows_show_id_rank")),
    )
    with op.batch_alter_table("rebooking_windows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rebooking_windows_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rebooking_windows_show_id"), ["show_id"], unique=False)

    op.create_table(
        "booth_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booth_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "active",
                "booked",
                "released",
                "lapsed",
                name="hold_state",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("held_at < expires_at", name=op.f("ck_booth_holds_hold_ordered")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["exhibitor_applications.id"],
            name=op.f("fk_booth_holds_application_id_exhibitor_applications"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["booth_id"],
            ["booths.id"],
            name=op.f("fk_booth_holds_booth_id_booths"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_booth_holds_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["show_id"], ["shows.id"], name=op.f("fk_booth_holds_show_id_shows"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booth_holds")),
    )
    with op.batch_alter_table("booth_holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booth_holds_booth_id"), ["booth_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_booth_holds_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_booth_holds_show_id"), ["show_id"], unique=False)
        batch_op.create_index(
            "uq_booth_holds_active_booth",
            ["booth_id"],
            unique=True,
            sqlite_where=sa.text("state = 'active'"),
            postgresql_where=sa.text("state = 'active'"),
        )
        batch_op.create_index(
            "uq_booth_holds_active_company",
            ["company_id", "show_id"],
            unique=True,
            sqlite_where=sa.text("state = 'active'"),
            postgresql_where=sa.text("state = 'active'"),
        )

    op.create_table(
        "exhibitor_application_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "business_licence",
                "product_brochure",
                name="document_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("token", sa.String(length=60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "size > 0", name=op.f("ck_exhibitor_application_documents_size_positive")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["exhibitor_applications.id"],
            name=op.f("fk_exhibitor_application_documents_application_id_exhibitor_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exhibitor_application_documents")),
        sa.UniqueConstraint("token", name=op.f("uq_exhibitor_application_documents_token")),
    )
    with op.batch_alter_table("exhibitor_application_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exhibitor_application_documents_application_id"),
            ["application_id"],
            unique=False,
        )

    with op.batch_alter_table("booths", schema=None) as batch_op:
        batch_op.add_column(sa.Column("x", sa.Numeric(precision=8, scale=2), nullable=True))
        batch_op.add_column(sa.Column("y", sa.Numeric(precision=8, scale=2), nullable=True))
        batch_op.add_column(sa.Column("width", sa.Numeric(precision=8, scale=2), nullable=True))
        batch_op.add_column(sa.Column("depth", sa.Numeric(precision=8, scale=2), nullable=True))
        batch_op.add_column(
            sa.Column("rotation", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.create_check_constraint(
            op.f("ck_booths_geometry_whole"),
            sa.text(
                "(x IS NULL AND y IS NULL AND width IS NULL AND depth IS NULL)"
                " OR (x IS NOT NULL AND y IS NOT NULL AND width > 0 AND depth > 0)"
            ),
        )
        batch_op.create_check_constraint(
            op.f("ck_booths_rotation_range"), sa.text("rotation >= 0 AND rotation < 360")
        )
        batch_op.drop_constraint(op.f(STATUS_CHECK), type_="check")
        batch_op.create_check_constraint(op.f(STATUS_CHECK), sa.column("status").in_(STATUSES))
    with op.batch_alter_table("booths", schema=None) as batch_op:
        batch_op.alter_column("rotation", server_default=None)

    with op.batch_alter_table("exhibitor_applications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=17), nullable=False, server_default="staff")
        )
        batch_op.create_check_constraint(
            op.f("ck_exhibitor_applications_application_channel"),
            sa.column("channel").in_(("staff", "online", "rebooking")),
        )
        batch_op.add_column(sa.Column("contact_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_exhibitor_applications_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_exhibitor_applications_contact_id_company_contacts"),
            "company_contacts",
            ["contact_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("exhibitor_applications", schema=None) as batch_op:
        batch_op.alter_column("channel", server_default=None)


def downgrade():
    with op.batch_alter_table("exhibitor_applications", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_exhibitor_applications_contact_id_company_contacts"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_exhibitor_applications_contact_id"))
        batch_op.drop_constraint(
            op.f("ck_exhibitor_applications_application_channel"), type_="check"
        )
        batch_op.drop_column("contact_id")
        batch_op.drop_column("channel")

    op.execute("UPDATE booths SET status = 'available' WHERE status = 'held'")
    with op.batch_alter_table("booths", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(STATUS_CHECK), type_="check")
        batch_op.create_check_constraint(op.f(STATUS_CHECK), sa.column("status").in_(STATUSES[:-1]))
        batch_op.drop_constraint(op.f("ck_booths_rotation_range"), type_="check")
        batch_op.drop_constraint(op.f("ck_booths_geometry_whole"), type_="check")
        batch_op.drop_column("rotation")
        batch_op.drop_column("depth")
        batch_op.drop_column("width")
        batch_op.drop_column("y")
        batch_op.drop_column("x")

    with op.batch_alter_table("exhibitor_application_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exhibitor_application_documents_application_id"))

    op.drop_table("exhibitor_application_documents")
    with op.batch_alter_table("booth_holds", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_booth_holds_active_company",
            sqlite_where=sa.text("state = 'active'"),
            postgresql_where=sa.text("state = 'active'"),
        )
        batch_op.drop_index(
            "uq_booth_holds_active_booth",
            sqlite_where=sa.text("state = 'active'"),
            postgresql_where=sa.text("state = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_booth_holds_show_id"))
        batch_op.drop_index(batch_op.f("ix_booth_holds_company_id"))
        batch_op.drop_index(batch_op.f("ix_booth_holds_booth_id"))

    op.drop_table("booth_holds")
    with op.batch_alter_table("rebooking_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rebooking_windows_show_id"))
        batch_op.drop_index(batch_op.f("ix_rebooking_windows_company_id"))

    op.drop_table("rebooking_windows")
    op.drop_table("rebooking_plans")
    with op.batch_alter_table("hall_outlines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hall_outlines_show_id"))

    op.drop_table("hall_outlines")
