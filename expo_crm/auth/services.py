"""Staff accounts, passwords and device tokens. No request objects here."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from expo_crm import audit, clock
from expo_crm.auth.models import DeviceToken, StaffUser
from expo_crm.auth.permissions import Role, role_has
from expo_crm.db import db
from expo_crm.errors import UserError

hasher = PasswordHasher()

LOCK_AFTER_FAILURES = 10
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10

# Verified against when the email is unknown, so both answers take the same time.
_DUMMY_HASH = hasher.hash("not-a-real-password")


class AuthError(UserError):
    """A sign-in or account change refused; str(error) is a message for the user."""


def hash_password(password: str) -> str:
    return hasher.hash(password)


def password_problem(password: str) -> str | None:
    from flask_babel import gettext as _

    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    return None


def create_staff(
    email: str, name: str, password: str, role: Role | str, locale: str | None = None
) -> StaffUser:
    user = StaffUser(
        email=email.strip().lower(),
        name=name.strip(),
        password_hash=hash_password(password),
        role=Role(role),
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("staff.create", user, after={"email": user.email, "role": user.role.value})
    return user


def find_staff(email: str) -> StaffUser | None:
    return db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email.strip().lower()))


def authenticate(email: str, password: str) -> StaffUser:
    """The user, or AuthError. Failed attempts are counted; too many lock the account a while."""
    from flask_babel import gettext as _

    user = find_staff(email)
    refused = AuthError(_("Wrong email or password."))
    if user is None:
        with contextlib.suppress(VerificationError):
            hasher.verify(_DUMMY_HASH, password)
        raise refused
    now = clock.now()
    if user.locked_until and user.locked_until > now:
        raise AuthError(_("Too many failed sign-ins. Try again in a few minutes."))
    try:
        hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= LOCK_AFTER_FAILURES:
            user.locked_until = now + LOCK_FOR
            user.failed_logins = 0
        db.session.commit()
        raise refused from None
    if not user.active:
        raise AuthError(_("This account has been deactivated."))
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.commit()
    return user


def change_password(user: StaffUser, current: str, new: str) -> None:
    from flask_babel import gettext as _

    try:
        hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise AuthError(_("The current password is wrong.")) from None
    problem = password_problem(new)
    if problem:
        raise AuthError(problem)
    user.password_hash = hash_password(new)
    user.session_version += 1
    audit.record("staff.password_change", user)


def set_locale(user: StaffUser, locale: str) -> None:
    user.locale = locale


# --- device tokens ----------------------------------------------------------------------

TOKEN_PREFIX = "ecg_"


def create_device_token(
    show_id: int, name: str, role: str = "gate", created_by=None
) -> tuple[DeviceToken, str]:
    """The token row and the secret, which is shown once and stored only hashed."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = DeviceToken(
        name=name,
        role=role,
        show_id=show_id,
        token_hash=DeviceToken.hash(secret),
        created_by=created_by,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "device_token.create", token, after={"name": name, "role": role, "show_id": show_id}
    )
    return token, secret


def revoke_device_token(token: DeviceToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        audit.record("device_token.revoke", token)


@dataclass(frozen=True)
class VerifiedDevice:
    """What a request authenticated by a device token may rely on."""

    id: int
    show_id: int
    role: str


# Every gate scan runs this: a plain indexed lookup, no ORM identity map or unit of work.
_TOKEN_LOOKUP = sa.select(DeviceToken.id, DeviceToken.show_id, DeviceToken.role).where(
    DeviceToken.token_hash == sa.bindparam("token_hash"), DeviceToken.revoked_at.is_(None)
)


def verify_device_token(secret: str, role: str) -> VerifiedDevice | None:
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    row = db.session.execute(_TOKEN_LOOKUP, {"token_hash": DeviceToken.hash(secret)}).first()
    if row is None or row.role != role:
        return None
    return VerifiedDevice(row.id, row.show_id, row.role)


def staff_choices(blank_label: str = "—") -> list[tuple[int, str]]:
    """Active staff for an owner select box; 0 stands for nobody."""
    users = db.session.scalars(
        sa.select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.name)
    )
    return [(0, blank_label)] + [(u.id, u.name) for u in users]


def staff_with(capability: str) -> list[StaffUser]:
    """Active staff whose role has the capability."""

    users = db.session.scalars(sa.select(StaffUser).where(StaffUser.active).order_by(StaffUser.id))
    return [u for u in users if role_has(u.role, capability)]
