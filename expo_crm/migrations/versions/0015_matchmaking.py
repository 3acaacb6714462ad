"""matchmaking: the product category tree, what exhibitors offer and visitors seek, meetings

The shared product categories (zh/en, a parent, a code); the categories a company offers and a
visitor seeks, with typed product lists, a visitor's buying intent and a registration's consent
to meeting requests; meetings, the slots they occupy (unique per booth seat and per visitor, so
the database refuses a double booking), recommendations, hosted buyers, meeting hours and booth
capacity (issue 17).

Revision ID: 0015_matchmaking
Revises: 0014_exhibitor_service_plan
Create Date: 2026-12-01 01:29:23

"""

import sqlalchemy as sa
from alembic import op

revision = "0015_matchmaking"
down_revision = "0014_exhibitor_service_plan"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "product_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "name_zh <> '' OR name_en <> ''", name=op.f("ck_product_categories_has_a_name")
        ),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id",
            name=op.f("ck_product_categories_not_own_parent"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["product_categories.id"],
            name=op.f("fk_product_categories_parent_id_product_categories"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_categories")),
        sa.UniqueConstraint("code", name=op.f("uq_product_categories_code")),
    )
    with op.batch_alter_table("product_categories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_categories_parent_id"), ["parent_id"], unique=False
        )

    op.create_table(
        "company_categories",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["product_categories.id"],
            name=op.f("fk_company_categories_category_id_product_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_company_categories_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "category_id", name=op.f("pk_company_categories")),
    )
    with op.batch_alter_table("company_categories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_company_categories_category_id"), ["category_id"], unique=False
        )

    op.create_table(
        "hosted_buyers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.Integer(), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["staff_users.id"],
            name=op.f("fk_hosted_buyers_invited_by_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_hosted_buyers_show_id_shows"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name=op.f("fk_hosted_buyers_visitor_id_visitors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hosted_buyers")),
        sa.UniqueConstraint(
            "show_id", "visitor_id", name=op.f("uq_hosted_buyers_show_id_visitor_id")
        ),
    )
    with op.batch_alter_table("hosted_buyers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hosted_buyers_visitor_id"), ["visitor_id"], unique=False
        )

    op.create_table(
        "meeting_capacities",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "capacity BETWEEN 1 AND 50", name=op.f("ck_meeting_capacities_capacity_range")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_meeting_capacities_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_meeting_capacities_show_id_shows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "show_id", name=op.f("pk_meeting_capacities")),
    )
    op.create_table(
        "meeting_hours",
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint("opens < closes", name=op.f("ck_meeting_hours_opens_before_closing")),
        sa.CheckConstraint(
            "slot_minutes BETWEEN 10 AND 240", name=op.f("ck_meeting_hours_slot_length")
        ),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_meeting_hours_show_id_shows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("show_id", name=op.f("pk_meeting_hours")),
    )
    op.create_table(
        "meeting_recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("params_json", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score > 0", name=op.f("ck_meeting_recommendations_score_positive")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_meeting_recommendations_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_meeting_recommendations_show_id_shows"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name=op.f("fk_meeting_recommendations_visitor_id_visitors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_recommendations")),
        sa.UniqueConstraint(
            "show_id",
            "visitor_id",
            "company_id",
            name=op.f("uq_meeting_recommendations_show_id_visitor_id_company_id"),
        ),
    )
    with op.batch_alter_table("meeting_recommendations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_recommendations_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_recommendations_visitor_id"), ["visitor_id"], unique=False
        )

    op.create_table(
        "visitor_categories",
        sa.Column("visitor_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["product_categories.id"],
            name=op.f("fk_visitor_categories_category_id_product_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name=op.f("fk_visitor_categories_visitor_id_visitors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("visitor_id", "category_id", name=op.f("pk_visitor_categories")),
    )
    with op.batch_alter_table("visitor_categories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visitor_categories_category_id"), ["category_id"], unique=False
        )

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "requested",
                "accepted",
                "declined",
                "cancelled",
                "held",
                "no_show",
                name="meeting_state",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column(
            "requested_by",
            sa.Enum(
                "visitor",
                "exhibitor",
                "organiser",
                name="meeting_requested_by",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column(
            "awaiting",
            sa.Enum(
                "visitor",
                "exhibitor",
                "organiser",
                name="meeting_awaiting",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=True,
        ),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("hosted", sa.Boolean(), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "cancelled_by",
            sa.Enum(
                "visitor",
                "exhibitor",
                "organiser",
                name="meeting_cancelled_by",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=True,
        ),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("no_show_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(state = 'cancelled') = (cancelled_at IS NOT NULL)",
            name=op.f("ck_meetings_cancelled_when_cancelled"),
        ),
        sa.CheckConstraint(
            "(state = 'held') = (held_at IS NOT NULL)", name=op.f("ck_meetings_held_when_held")
        ),
        sa.CheckConstraint(
            "requested_by <> 'organiser' OR hosted", name=op.f("ck_meetings_organiser_hosts")
        ),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_meetings_starts_before_end")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_meetings_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_meetings_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["show_id"], ["shows.id"], name=op.f("fk_meetings_show_id_shows"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name=op.f("fk_meetings_visitor_id_visitors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetings_company_id"), ["company_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_meetings_registration_id"), ["registration_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_meetings_show_id"), ["show_id"], unique=False)
        batch_op.create_index(
            "ix_meetings_show_id_starts_at", ["show_id", "starts_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_meetings_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetings_visitor_id"), ["visitor_id"], unique=False)

    op.create_table(
        "meeting_slot_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seat", sa.Integer(), nullable=False),
        sa.CheckConstraint("seat >= 1", name=op.f("ck_meeting_slot_bookings_seat_positive")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_meeting_slot_bookings_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_slot_bookings_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_meeting_slot_bookings_show_id_shows"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name=op.f("fk_meeting_slot_bookings_visitor_id_visitors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_slot_bookings")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_meeting_slot_bookings_meeting_id")),
        sa.UniqueConstraint(
            "show_id", "company_id", "starts_at", "seat", name="uq_meeting_slot_bookings_booth"
        ),
        sa.UniqueConstraint(
            "show_id", "visitor_id", "starts_at", name="uq_meeting_slot_bookings_visitor"
        ),
    )
    # New columns of existing tables are added in place (ALTER TABLE ... ADD COLUMN), never by
    # SQLite's batch copy: dropping the old companies, visitors or registrations table would run
    # its foreign keys' ON DELETE CASCADE and empty the tables that point at it.
    op.add_column(
        "companies", sa.Column("products_offered", sa.Text(), nullable=False, server_default="")
    )
    op.add_column(
        "registrations",
        sa.Column("meeting_consent", sa.Boolean(), nullable=False, server_default="0"),
    )
    op.add_column(
        "visitors", sa.Column("products_sought", sa.Text(), nullable=False, server_default="")
    )
    op.add_column("visitors", sa.Column("buying_intent", sa.String(length=19), nullable=True))
    if op.get_bind().dialect.name != "sqlite":  # SQLite cannot add a CHECK to a table in place
        op.create_check_constraint(
            op.f("ck_visitors_visitor_buying_intent"),
            "visitors",
            "buying_intent IN ('buying_now', 'within_year', 'researching')",
        )


def downgrade():
    # In place, as they were added (SQLite 3.35 and later drop a column without a copy).
    op.drop_column("visitors", "buying_intent")
    op.drop_column("visitors", "products_sought")
    op.drop_column("registrations", "meeting_consent")
    op.drop_column("companies", "products_offered")

    op.drop_table("meeting_slot_bookings")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetings_visitor_id"))
        batch_op.drop_index(batch_op.f("ix_meetings_state"))
        batch_op.drop_index("ix_meetings_show_id_starts_at")
        batch_op.drop_index(batch_op.f("ix_meetings_show_id"))
        batch_op.drop_index(batch_op.f("ix_meetings_registration_id"))
        batch_op.drop_index(batch_op.f("ix_meetings_company_id"))

    op.drop_table("meetings")
    with op.batch_alter_table("visitor_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visitor_categories_category_id"))

    op.drop_table("visitor_categories")
    with op.batch_alter_table("meeting_recommendations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_recommendations_visitor_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_recommendations_company_id"))

    op.drop_table("meeting_recommendations")
    op.drop_table("meeting_hours")
    op.drop_table("meeting_capacities")
    with op.batch_alter_table("hosted_buyers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hosted_buyers_visitor_id"))

    op.drop_table("hosted_buyers")
    with op.batch_alter_table("company_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_company_categories_category_id"))

    op.drop_table("company_categories")
    with op.batch_alter_table("product_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_categories_parent_id"))

    op.drop_table("product_categories")
