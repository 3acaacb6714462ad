"""Staff accounts, passwords and device tokens. No request objects here."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from expo_crm import audit, clock
from expo_crm.auth import throttle
from expo_crm.auth.models import DeviceToken, EndedSession, StaffUser
from expo_crm.auth.permissions import Role, role_has
from expo_crm.db import db
from expo_crm.errors import UserError

hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10
# zxcvbn's scale: 3 is "safely unguessable: moderate protection from offline attacks".
MIN_PASSWORD_SCORE = 3

# Verified against when the email is unknown, so both answers take the same time.
_DUMMY_HASH = hasher.hash("not-a-real-password")


class AuthError(UserError):
    """A sign-in or account change refused; str(error) is a message for the user."""


def hash_password(password: str) -> str:
    return hasher.hash(password)


def _letters(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why this password may not be used by the account with this email and name, or None.

    Long enough, not made of the account's own email or name, and not among the common or
    easily guessed passwords that zxcvbn knows (its dictionaries, keyboard runs, dates…)."""
    from flask_babel import gettext as _
    from zxcvbn import zxcvbn

    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    local_part = email.partition("@")[0]
    own_words = [w for w in (email, local_part, name, *name.split()) if len(_letters(w)) >= 3]
    if any(
        _letters(word) in _letters(password) for word in (local_part, name) if word in own_words
    ):
        return _("The password must not contain your name or email address.")
    inputs = own_words + [_letters(w) for w in own_words]
    if zxcvbn(password[:100], user_inputs=inputs)["score"] < MIN_PASSWORD_SCORE:
        return _(
            "This password is too common or too easy to guess. Use a longer one, such as a few"
            " unrelated words."
        )
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


def too_many_failures() -> AuthError:
    from flask_babel import gettext as _

    return AuthError(_("Too many failed sign-ins. Try again in a few minutes."))


def authenticate(email: str, password: str, address: str) -> StaffUser:
    """The user, or AuthError. Failures slow down further attempts from the same address, and
    from unknown addresses when an account has many (auth/throttle.py). The caller commits,
    refused or not, so that failures are counted."""
    from flask_babel import gettext as _

    user = find_staff(email)
    refused = AuthError(_("Wrong email or password."))
    if user is None:
        with contextlib.suppress(VerificationError):
            hasher.verify(_DUMMY_HASH, password)
        raise refused
    if throttle.waiting_until("staff", user.id, address):
        raise too_many_failures()
    try:
        hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        throttle.record_failure("staff", user.id, address)
        raise refused from None
    if not user.active:
        raise AuthError(_("This account has been deactivated."))
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    throttle.record_success("staff", user.id, address)
    user.last_login_at = clock.now()
    return user


def unlock_staff(user: StaffUser) -> None:
    """Forget the failed sign-ins of the account, from every address."""
    throttle.unlock("staff", user.id)
    audit.record("staff.unlock", user)


def change_password(user: StaffUser, current: str, new: str) -> None:
    from flask_babel import gettext as _

    try:
        hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise AuthError(_("The current password is wrong.")) from None
    problem = password_problem(new, email=user.email, name=user.name)
    if problem:
        raise AuthError(problem)
    user.password_hash = hash_password(new)
    user.session_version += 1
    audit.record("staff.password_change", user)


# --- sessions -----------------------------------------------------------------------------


def _session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def end_session(session_id: str, lifetime: timedelta) -> None:
    """Sign-out: this session's cookie, wherever it was copied, signs no one in any more.

    Remembered for `lifetime` (the cookie's own), after which no cookie with the id is valid."""
    now = clock.now()
    db.session.execute(sa.delete(EndedSession).where(EndedSession.forget_after < now))
    if not session_ended(session_id):
        db.session.add(
            EndedSession(
                session_hash=_session_hash(session_id), ended_at=now, forget_after=now + lifetime
            )
        )


def session_ended(session_id: str) -> bool:
    return (
        db.session.scalar(
            sa.select(EndedSession.id).where(EndedSession.session_hash == _session_hash(session_id))
        )
        is not None
    )


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
