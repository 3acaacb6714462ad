"""Whose record a row is: one of the four kinds of customer, by a foreign key per kind.

The kinds' models live in the blueprints; this module only names the kinds and their columns,
so that any layer can point a row at a customer."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from expo_crm.db import LabeledEnum


class SubjectKind(LabeledEnum):
    """The four kinds of relationship a timeline can belong to."""

    exhibitor = "exhibitor"
    visitor = "visitor"
    supplier = "supplier"
    partner = "partner"

    @classmethod
    def labels(cls) -> dict:
        return {
            "exhibitor": _l("Exhibitor"),
            "visitor": _l("Visitor"),
            "supplier": _l("Supplier"),
            "partner": _l("Partner"),
        }


class SubjectRefMixin:
    """Exactly one of four foreign keys says whose record this is (checked in the database).

    The columns carry no index of their own: each table declares its `subject_indexes`."""

    company_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE")
    )
    visitor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("visitors.id", ondelete="CASCADE"))
    supplier_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("suppliers.id", ondelete="CASCADE")
    )
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id", ondelete="CASCADE"))

    @staticmethod
    def one_subject_check() -> sa.CheckConstraint:
        return sa.CheckConstraint(
            "(CASE WHEN company_id IS NULL THEN 0 ELSE 1 END + CASE WHEN visitor_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN supplier_id IS NULL THEN 0 ELSE 1 END + CASE WHEN partner_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_subject",
        )

    @property
    def subject_kind(self) -> SubjectKind | None:
        for kind, column in SUBJECT_COLUMNS.items():
            if getattr(self, column) is not None:
                return kind
        return None

    @property
    def subject_id(self) -> int | None:
        kind = self.subject_kind
        return None if kind is None else getattr(self, SUBJECT_COLUMNS[kind])


SUBJECT_COLUMNS = {
    SubjectKind.exhibitor: "company_id",
    SubjectKind.visitor: "visitor_id",
    SubjectKind.supplier: "supplier_id",
    SubjectKind.partner: "partner_id",
}


def subject_indexes(
    table: str, *, by_time: str | None = None, served: tuple[str, ...] = ()
) -> tuple[sa.Index, ...]:
    """The indexes that find a subject's rows in `table`: one per subject column, partial (only
    the rows of that kind), so a row is written into the one index of its own kind and not into
    three more that would hold NULL. With `by_time`, each is (subject, time): it serves a
    subject's rows in time order as well as the lookups by subject alone. A column in `served`
    already leads the index of a unique constraint and gets none.

    Every query by subject compares the column (`=`, `IN`, a join), which implies it is not
    NULL, so both SQLite and PostgreSQL use the partial index for it; so do the foreign keys'
    ON DELETE CASCADE lookups."""
    indexes = []
    for column in SUBJECT_COLUMNS.values():
        if column in served:
            continue
        kind = column.removesuffix("_id")
        name = f"ix_{table}_{kind}_time" if by_time else f"ix_{table}_{column}"
        where = sa.text(f"{column} IS NOT NULL")
        columns = (column, by_time) if by_time else (column,)
        indexes.append(sa.Index(name, *columns, sqlite_where=where, postgresql_where=where))
    return tuple(indexes)
