from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expo_crm.auth.permissions import Role, role_has
from expo_crm.db import TimestampMixin, UTCDateTime, db, enum_type


class StaffUser(TimestampMixin, db.Model):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, "staff_role"))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped on password change or reset, role change and deactivation: sessions signed with
    # an older value are ended (sign-out ends one session: EndedSession).
    session_version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lowercase"),)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"staff:{self.id}:{self.session_version}"

    kind = "staff"

    def can(self, capability: str) -> bool:
        return self.active and role_has(self.role, capability)

    def __repr__(self) -> str:
        return f"<StaffUser {self.email} {self.role.value}>"


class DeviceToken(TimestampMixin, db.Model):
    """A bearer token for a device (gate scanner), scoped to one show, revocable."""

    __tablename__ = "device_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(32))
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    show = relationship("Show")
    created_by = relationship("StaffUser")

    __table_args__ = (sa.CheckConstraint("role IN ('gate')", name="known_role"),)

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class EndedSession(db.Model):
    """A signed-out session: its cookie, copied or kept, no longer signs anyone in.

    Sessions live in signed cookies; each carries a random id from sign-in on. Signing out
    records the id here until every cookie that could carry it has expired (the lifetime of a
    session after its last use; a refused cookie is emptied, so it cannot be kept alive)."""

    __tablename__ = "ended_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    forget_after: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class SignInAddress(db.Model):
    """Failed and successful sign-ins of one account from one network address.

    Failures from an address slow down that address (auth/throttle.py); an address that has
    signed in to the account before is trusted, so a stranger's failures from elsewhere never
    lock the account's own people out of their own devices."""

    __tablename__ = "sign_in_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_kind: Mapped[str] = mapped_column(sa.String(16))
    account_id: Mapped[int] = mapped_column()
    address: Mapped[str] = mapped_column(sa.String(64))
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.UniqueConstraint("account_kind", "account_id", "address", name="one_row_per_address"),
        sa.CheckConstraint("account_kind IN ('staff', 'exhibitor')", name="known_account_kind"),
        sa.CheckConstraint("failures >= 0", name="failures_not_negative"),
    )
