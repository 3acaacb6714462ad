"""Product categories: a tree of codes with a Chinese and an English name."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expo_crm.db import TimestampMixin, db
from expo_crm.i18n import bilingual


class Category(TimestampMixin, db.Model):
    __tablename__ = "product_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(120), default="")
    name_en: Mapped[str] = mapped_column(sa.String(120), default="")
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("product_categories.id", ondelete="RESTRICT"), index=True
    )

    parent = relationship("Category", remote_side=[id])

    __table_args__ = (
        sa.CheckConstraint("name_zh <> '' OR name_en <> ''", name="has_a_name"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)

    @property
    def both_names(self) -> str:
        """门锁 / door locks: how a category reads to either side of a match."""
        names = [n for n in (self.name_zh, self.name_en) if n]
        return " / ".join(dict.fromkeys(names))

    def names(self) -> dict:
        """Stored in event parameters, rendered in the reader's language."""
        return {"zh": self.name_zh, "en": self.name_en}

    def __repr__(self) -> str:
        return f"<Category {self.code}>"
