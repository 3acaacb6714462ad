"""What the exhibitor modules share: the error that refuses a change, and money rounding."""

from __future__ import annotations

from decimal import Decimal

from expo_crm.errors import UserError

CENT = Decimal("0.01")


class ExhibitorError(UserError):
    """A change refused; str(error) is a message for the user."""


def money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)
