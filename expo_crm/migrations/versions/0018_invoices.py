"""invoices, receipts and credit notes numbered without gaps; reminders; fapiao requests

The organiser's invoicing details (one row), a counter per document kind and year, the
documents themselves (never deleted nor renumbered: triggers refuse it on both databases),
overdue reminders sent, and the exhibitors' fapiao requests (issue 19, items 4 and 5).

Revision ID: 0018_invoices
Revises: 0017_survey_analysis
Create Date: 2026-12-01 01:26:40

"""

import sqlalchemy as sa
from alembic import op

revision = "0018_invoices"
down_revision = "0017_survey_analysis"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "invoice_issuers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("tax_id", sa.String(length=40), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("bank", sa.String(length=200), nullable=False),
        sa.Column("account", sa.String(length=60), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("code <> ''", name=op.f("ck_invoice_issuers_has_code")),
        sa.CheckConstraint("id = 1", name=op.f("ck_invoice_issuers_one_organiser")),
        sa.CheckConstraint(
            "tax_rate >= 0 AND tax_rate < 1", name=op.f("ck_invoice_issuers_tax_rate_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_issuers")),
    )
    op.create_table(
        "invoice_counters",
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "invoice",
                "credit_note",
                "receipt",
                name="document_kind",
                native_enum=False,
                create_constraint=True,
                length=19,
            ),
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.CheckConstraint("last_number >= 0", name=op.f("ck_invoice_counters_not_negative")),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["invoice_issuers.id"],
            name=op.f("fk_invoice_counters_issuer_id_invoice_issuers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("issuer_id", "kind", "year", name=op.f("pk_invoice_counters")),
    )
    op.create_table(
        "fapiao_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "normal",
                "special",
                name="fapiao_kind",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "requested",
                "issued",
                name="fapiao_state",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("tax_id", sa.String(length=18), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("bank", sa.String(length=200), nullable=False),
        sa.Column("account", sa.String(length=60), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("fapiao_number", sa.String(length=40), nullable=False),
        sa.Column("fapiao_issued_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(state = 'issued') = (fapiao_number <> '' AND fapiao_issued_on IS NOT NULL)",
            name=op.f("ck_fapiao_requests_issued_has_number"),
        ),
        sa.CheckConstraint(
            "kind <> 'special' OR (address <> '' AND phone <> '' AND bank <> '' AND account <> '')",
            name=op.f("ck_fapiao_requests_special_has_bank_details"),
        ),
        sa.CheckConstraint(
            "title <> '' AND length(tax_id) = 18", name=op.f("ck_fapiao_requests_title_and_tax_id")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_fapiao_requests_amount_positive")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_fapiao_requests_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_fapiao_requests_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_users.id"],
            name=op.f("fk_fapiao_requests_recorded_by_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["portal_users.id"],
            name=op.f("fk_fapiao_requests_requested_by_id_portal_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fapiao_requests")),
    )
    with op.batch_alter_table("fapiao_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fapiao_requests_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fapiao_requests_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_fapiao_requests_state"), ["state"], unique=False)
        batch_op.create_index(
            "uq_fapiao_requests_contract_open",
            ["contract_id"],
            unique=True,
            sqlite_where=sa.text("state = 'requested'"),
            postgresql_where=sa.text("state = 'requested'"),
        )

    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "invoice",
                "credit_note",
                "receipt",
                name="document_kind",
                native_enum=False,
                create_constraint=True,
                length=19,
            ),
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("credited_invoice_id", sa.Integer(), nullable=True),
        sa.Column(
            "credit_cause",
            sa.Enum(
                "cancelled",
                "reduced",
                "corrected",
                name="credit_cause",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=True,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("buyer_name_zh", sa.String(length=200), nullable=False),
        sa.Column("buyer_name_en", sa.String(length=200), nullable=False),
        sa.Column("buyer_tax_id", sa.String(length=40), nullable=False),
        sa.Column("buyer_address", sa.String(length=300), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'credit_note') = (credited_invoice_id IS NOT NULL AND credit_cause IS NOT NULL)",
            name=op.f("ck_invoices_credit_note_credits"),
        ),
        sa.CheckConstraint(
            "(kind = 'receipt') = (payment_id IS NOT NULL)",
            name=op.f("ck_invoices_receipt_of_payment"),
        ),
        sa.CheckConstraint(
            "kind = 'invoice' OR due_on IS NULL", name=op.f("ck_invoices_only_invoices_fall_due")
        ),
        sa.CheckConstraint("language IN ('zh', 'en')", name=op.f("ck_invoices_known_locale")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_invoices_amount_positive")),
        sa.CheckConstraint("sequence > 0", name=op.f("ck_invoices_sequence_positive")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_invoices_company_id_companies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_invoices_contract_id_contracts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["credited_invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoices_credited_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["staff_users.id"],
            name=op.f("fk_invoices_issued_by_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["invoice_issuers.id"],
            name=op.f("fk_invoices_issuer_id_invoice_issuers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_invoices_payment_id_payments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["show_id"], ["shows.id"], name=op.f("fk_invoices_show_id_shows"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint(
            "issuer_id",
            "kind",
            "year",
            "sequence",
            name=op.f("uq_invoices_issuer_id_kind_year_sequence"),
        ),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_invoices_payment_id")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoices_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoices_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_invoices_credited_invoice_id"), ["credited_invoice_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_invoices_issuer_id"), ["issuer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoices_show_id"), ["show_id"], unique=False)

    op.create_table(
        "invoice_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("open_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.CheckConstraint("level >= 1", name=op.f("ck_invoice_reminders_level_positive")),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_reminders_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_reminders")),
        sa.UniqueConstraint(
            "invoice_id", "level", name=op.f("uq_invoice_reminders_invoice_id_level")
        ),
    )
    with op.batch_alter_table("invoice_reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_reminders_invoice_id"), ["invoice_id"], unique=False
        )
    _refuse_deleting_or_renumbering()


# What an issued document says: an UPDATE of any of these, or a DELETE, is refused.
ISSUED_COLUMNS = (
    "issuer_id, kind, year, sequence, number, contract_id, company_id, show_id, payment_id, "
    "credited_invoice_id, amount, tax_rate, issued_on, due_on"
)
REFUSAL = "an invoice is never deleted nor renumbered, only credited"


def _refuse_deleting_or_renumbering():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION invoices_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER invoices_never_deleted BEFORE DELETE ON invoices "
            "FOR EACH ROW EXECUTE FUNCTION invoices_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER invoices_never_renumbered BEFORE UPDATE OF {ISSUED_COLUMNS} "
            "ON invoices FOR EACH ROW EXECUTE FUNCTION invoices_refuse_change()"
        )
        return
    op.execute(
        "CREATE TRIGGER invoices_never_deleted BEFORE DELETE ON invoices "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    )
    op.execute(
        f"CREATE TRIGGER invoices_never_renumbered BEFORE UPDATE OF {ISSUED_COLUMNS} ON invoices "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    )


def downgrade():
    with op.batch_alter_table("invoice_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_reminders_invoice_id"))

    op.drop_table("invoice_reminders")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoices_show_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_issuer_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_credited_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_contract_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_company_id"))

    op.execute("DROP TRIGGER IF EXISTS invoices_never_renumbered" + _on_invoices())
    op.execute("DROP TRIGGER IF EXISTS invoices_never_deleted" + _on_invoices())
    op.drop_table("invoices")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS invoices_refuse_change()")
    with op.batch_alter_table("fapiao_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_fapiao_requests_contract_open",
            sqlite_where=sa.text("state = 'requested'"),
            postgresql_where=sa.text("state = 'requested'"),
        )
        batch_op.drop_index(batch_op.f("ix_fapiao_requests_state"))
        batch_op.drop_index(batch_op.f("ix_fapiao_requests_contract_id"))
        batch_op.drop_index(batch_op.f("ix_fapiao_requests_company_id"))

    op.drop_table("fapiao_requests")
    op.drop_table("invoice_counters")
    op.drop_table("invoice_issuers")


def _on_invoices() -> str:
    return " ON invoices" if op.get_bind().dialect.name == "postgresql" else ""
