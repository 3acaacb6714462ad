"""Contracts cancelled or reduced in the exhibitors area are credited here: exhibitors sends
the signal and knows nothing of invoices."""

from __future__ import annotations

from decimal import Decimal

from expo_crm import signals
from expo_crm.invoicing.models import CreditCause
from expo_crm.invoicing.services import credit_down_to


@signals.contract_cancelled.connect
def credit_cancelled_contract(_contract_id, *, contract, reason: str, **_extra) -> None:
    credit_down_to(contract, Decimal(0), CreditCause.cancelled, reason)


@signals.contract_repriced.connect
def credit_reduced_contract(_contract_id, *, contract, after_total, **_extra) -> None:
    credit_down_to(contract, Decimal(str(after_total)), CreditCause.reduced)
