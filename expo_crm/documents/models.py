from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from expo_crm.db import UTCDateTime, db


class ImportConfirmation(db.Model):
    """A confirmed import preview: the unique token makes a second confirmation (a double
    click, two tabs, a retry) import nothing, whichever database and however concurrent."""

    __tablename__ = "import_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_by: Mapped[int | None]
