"""Password guessing slowed per account and address, without letting a stranger lock anyone out.

- An address gets FREE_PER_ADDRESS failed sign-ins on an account; then it waits 1, 2, 4 …
  minutes (at most LONGEST_WAIT) after its latest failure before it may try again.
- The failures on an account from addresses that have never signed in to it count together:
  past FREE_PER_ACCOUNT, every such address waits the same way after the account's latest
  failure. An address the account has signed in from before is spared that account-wide wait,
  so a gate's own device still signs in while strangers guess from elsewhere.
- While an address waits, its attempts are refused without trying the password and are not
  counted: guessing faster gains nothing.
- A success from an address forgets that address's failures; failures a day old are
  forgotten; an administrator's unlock forgets all of the account's failures.

Used for staff and exhibitor portal accounts alike (account_kind "staff" or "exhibitor").
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from expo_crm import clock
from expo_crm.auth.models import SignInAddress
from expo_crm.db import db

FREE_PER_ADDRESS = 5
FREE_PER_ACCOUNT = 20
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
FORGET_AFTER = timedelta(days=1)


def _wait(failures: int, free: int) -> timedelta:
    if failures < free:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** min(failures - free, 20), LONGEST_WAIT)


def _of_account(kind: str, account_id: int):
    return sa.and_(SignInAddress.account_kind == kind, SignInAddress.account_id == account_id)


def waiting_until(kind: str, account_id: int, address: str) -> datetime | None:
    """When this address may next try this account's password; None if it may now."""
    now = clock.now()
    recent = now - FORGET_AFTER
    rows = list(
        db.session.scalars(
            sa.select(SignInAddress).where(
                _of_account(kind, account_id),
                sa.or_(SignInAddress.address == address, SignInAddress.last_failure_at > recent),
            )
        )
    )
    own = next((r for r in rows if r.address == address), None)
    until = None
    if own is not None and own.last_failure_at is not None and own.last_failure_at > recent:
        until = own.last_failure_at + _wait(own.failures, FREE_PER_ADDRESS)
    if own is None or own.last_success_at is None:
        strangers = [
            r
            for r in rows
            if r.last_success_at is None and r.last_failure_at is not None
            if r.last_failure_at > recent
        ]
        if strangers:
            latest = max(r.last_failure_at for r in strangers)
            account_wait = latest + _wait(sum(r.failures for r in strangers), FREE_PER_ACCOUNT)
            until = max(until, account_wait) if until else account_wait
    return until if until is not None and until > now else None


def record_failure(kind: str, account_id: int, address: str) -> None:
    now = clock.now()
    counted = sa.case(
        (SignInAddress.last_failure_at > now - FORGET_AFTER, SignInAddress.failures + 1),
        else_=1,
    )
    key = sa.and_(_of_account(kind, account_id), SignInAddress.address == address)
    update = sa.update(SignInAddress).where(key).values(failures=counted, last_failure_at=now)
    if db.session.execute(update).rowcount == 0:
        try:
            with db.session.begin_nested():
                db.session.add(
                    SignInAddress(
                        account_kind=kind,
                        account_id=account_id,
                        address=address,
                        failures=1,
                        last_failure_at=now,
                    )
                )
        except IntegrityError:  # the same address failed at the same moment in another request
            db.session.execute(update)
    # Addresses that never signed in and have not failed for a day are of no further use.
    db.session.execute(
        sa.delete(SignInAddress).where(
            _of_account(kind, account_id),
            SignInAddress.last_success_at.is_(None),
            SignInAddress.last_failure_at < now - FORGET_AFTER,
        )
    )


def record_success(kind: str, account_id: int, address: str) -> None:
    now = clock.now()
    key = sa.and_(_of_account(kind, account_id), SignInAddress.address == address)
    update = sa.update(SignInAddress).where(key).values(failures=0, last_success_at=now)
    if db.session.execute(update).rowcount == 0:
        try:
            with db.session.begin_nested():
                db.session.add(
                    SignInAddress(
                        account_kind=kind,
                        account_id=account_id,
                        address=address,
                        failures=0,
                        last_success_at=now,
                    )
                )
        except IntegrityError:
            db.session.execute(update)


def recent_failures(kind: str, account_id: int) -> int:
    """Failed sign-ins on the account in the last day (for the staff page)."""
    return (
        db.session.scalar(
            sa.select(sa.func.sum(SignInAddress.failures)).where(
                _of_account(kind, account_id),
                SignInAddress.last_failure_at > clock.now() - FORGET_AFTER,
            )
        )
        or 0
    )


def unlock(kind: str, account_id: int) -> None:
    """Forget every failure on the account: every address may sign in again at once."""
    db.session.execute(
        sa.update(SignInAddress)
        .where(_of_account(kind, account_id))
        .values(failures=0, last_failure_at=None)
    )
