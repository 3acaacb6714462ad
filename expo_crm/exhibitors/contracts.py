"""Contracts: draw up, price, sign, cancel; badge quotas; signed exhibitors for other areas."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from expo_crm import audit, clock, signals
from expo_crm.db import db
from expo_crm.exhibitors.booths import assigned_booths
from expo_crm.exhibitors.models import (
    CONTRACT_SIGNED,
    Application,
    ApplicationState,
    Booth,
    BoothStatus,
    Company,
    Contact,
    Contract,
    ContractState,
)
from expo_crm.exhibitors.payments import paid_amount
from expo_crm.exhibitors.services import ExhibitorError, money
from expo_crm.relationships.value import value_source
from expo_crm.shows.models import Show
from expo_crm.shows.services import ensure_open_for_sale
from expo_crm.subjects import SubjectKind
from expo_crm.surveys.campaigns import Audience, Recipient, language_of, register_audience
from expo_crm.surveys.models import Segment

DEFAULT_DEPOSIT_SHARE = Decimal("0.30")
SQM_PER_BADGE = Decimal(9)


@dataclass(frozen=True)
class ServiceOrderSource:
    """What an exhibitor orders from the show's suppliers (furniture, power, ...) is charged on
    its contract; the suppliers package, which owns the orders, registers how to read them."""

    orders: Callable[[int, int], list]  # (company_id, show_id) -> every order, cancelled too
    total: Callable[[int, int], Decimal]  # (company_id, show_id) -> sum of those not cancelled
    # (show_id, day) -> the order deadline that counts on that day: the first still ahead, else
    # the last one; None when the show's suppliers offer nothing.
    deadline: Callable[[int, date], date | None]


_service_orders: list[ServiceOrderSource] = []


def charge_service_orders_from(source: ServiceOrderSource) -> None:
    _service_orders[:] = [source]


def _service_order_source() -> ServiceOrderSource:
    if not _service_orders:
        raise LookupError("no source of service orders is registered")
    return _service_orders[0]


def services_total(company_id: int, show_id: int) -> Decimal:
    """What the exhibitor ordered from the show's suppliers (furniture, power, ...)."""
    return money(_service_order_source().total(company_id, show_id))


def service_orders(company_id: int, show_id: int) -> list:
    return _service_order_source().orders(company_id, show_id)


def order_deadline(show_id: int, day: date) -> date | None:
    """The suppliers' order deadline of the show that counts on `day`, if the show has one."""
    return _service_order_source().deadline(show_id, day)


def _contract_number(show_code: str) -> str:
    count = db.session.scalar(sa.select(sa.func.count(Contract.id))) or 0
    return f"{show_code}-{count + 1:05d}"


def create_contract(
    application: Application,
    *,
    discount=0,
    deposit_share: Decimal = DEFAULT_DEPOSIT_SHARE,
    deposit_due: date | None = None,
    balance_due: date | None = None,
) -> Contract:
    if application.state is not ApplicationState.approved:
        raise ExhibitorError(_("Only an approved application can get a contract."))
    ensure_open_for_sale(application.show)
    booths = assigned_booths(application.company_id, application.show_id)
    if not booths:
        raise ExhibitorError(_("Assign a booth before drawing up the contract."))
    live = db.session.scalar(
        sa.select(Contract.id).where(
            Contract.company_id == application.company_id,
            Contract.show_id == application.show_id,
            Contract.state != ContractState.cancelled,
        )
    )
    if live:
        raise ExhibitorError(_("This company already has a contract for this show."))
    show = application.show
    today = clock.today_utc()
    contract = Contract(
        number=_contract_number(show.code),
        company_id=application.company_id,
        show_id=application.show_id,
        application_id=application.id,
        state=ContractState.draft,
        deposit_due=deposit_due or today + timedelta(days=14),
        balance_due=balance_due
        or max(today + timedelta(days=14), show.open_from - timedelta(days=30)),
    )
    _price(contract, booths, money(discount), deposit_share)
    db.session.add(contract)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ExhibitorError(_("This company already has a contract for this show.")) from None
    audit.record(
        "contract.create",
        contract,
        after={"number": contract.number, "total": contract.total_amount},
    )
    return contract


def _price(
    contract: Contract, booths: list[Booth], discount: Decimal, deposit_share: Decimal | None = None
) -> None:
    fee = sum((b.price for b in booths), Decimal("0.00"))
    services = services_total(contract.company_id, contract.show_id)
    if discount < 0 or discount > fee + services:
        raise ExhibitorError(_("The discount must be between 0 and the contract amount."))
    paid = paid_amount(contract) if contract.id else Decimal("0.00")
    total = money(fee + services - discount)
    if total < paid:
        raise ExhibitorError(_("The new total would be less than what has already been paid."))
    contract.booth_fee, contract.services_total, contract.discount = (
        money(fee),
        services,
        money(discount),
    )
    contract.total_amount = total
    contract.booth_area_m2 = sum((b.area_m2 for b in booths), Decimal(0))
    if deposit_share is not None:
        contract.deposit_amount = money(total * deposit_share)
    contract.deposit_amount = min(contract.deposit_amount, total)


def recalculate_contract(contract: Contract, discount=None) -> Contract:
    """Booths and service orders may change after drafting: take them in again."""
    if contract.state is ContractState.cancelled:
        raise ExhibitorError(_("A cancelled contract cannot change."))
    before = audit.snapshot(contract, "booth_fee", "services_total", "discount", "total_amount")
    booths = assigned_booths(contract.company_id, contract.show_id)
    _price(contract, booths, money(contract.discount if discount is None else discount))
    audit.record(
        "contract.recalculate",
        contract,
        before,
        audit.snapshot(contract, "booth_fee", "services_total", "discount", "total_amount"),
    )
    signals.contract_repriced.send(
        contract.id,
        contract=contract,
        before_total=before["total_amount"],
        after_total=contract.total_amount,
    )
    return contract


def sign_contract(contract: Contract) -> Contract:
    if contract.state is not ContractState.draft:
        raise ExhibitorError(_("Only a draft contract can be signed."))
    ensure_open_for_sale(contract.show)
    contract.state = ContractState.signed
    contract.signed_at = clock.now()
    for booth in assigned_booths(contract.company_id, contract.show_id):
        booth.status = BoothStatus.sold
    from expo_crm.relationships.services import log_interaction

    log_interaction(
        "exhibitor",
        contract.company_id,
        channel="system",
        show_id=contract.show_id,
        event=CONTRACT_SIGNED,
        params={"number": contract.number},
        source_key=f"exhibitors.contract_signed.{contract.id}",
    )
    audit.record("contract.sign", contract, {"state": "draft"}, {"state": "signed"})
    return contract


def cancel_contract(contract: Contract, reason: str) -> Contract:
    """Cancels the contract; the reason is required and kept on it as typed."""
    if contract.state is ContractState.cancelled:
        raise ExhibitorError(_("The contract is already cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise ExhibitorError(_("Give a reason for cancelling the contract."))
    old = contract.state
    contract.state = ContractState.cancelled
    contract.cancelled_at = clock.now()
    contract.cancel_reason = reason
    for booth in assigned_booths(contract.company_id, contract.show_id):
        booth.status = BoothStatus.reserved
    audit.record(
        "contract.cancel", contract, {"state": old.value}, {"state": "cancelled", "reason": reason}
    )
    signals.contract_cancelled.send(contract.id, contract=contract, reason=reason)
    return contract


def get_contract_or_404(contract_id: int) -> Contract:
    return db.get_or_404(Contract, contract_id)


def contracts_of(company_id: int) -> list[Contract]:
    return list(
        db.session.scalars(
            sa.select(Contract)
            .where(Contract.company_id == company_id)
            .order_by(Contract.created_at.desc())
        )
    )


def live_contract(company_id: int, show_id: int) -> Contract | None:
    return db.session.scalar(
        sa.select(Contract).where(
            Contract.company_id == company_id,
            Contract.show_id == show_id,
            Contract.state != ContractState.cancelled,
        )
    )


# --- for other areas (contracts.md) -----------------------------------------------------------


def primary_contacts(show_id: int) -> list[tuple[Company, Contact]]:
    """Exhibitors with a signed contract for the show, with their primary contact."""
    query = (
        sa.select(Company, Contact)
        .join(Contract, Contract.company_id == Company.id)
        .join(Contact, sa.and_(Contact.company_id == Company.id, Contact.is_primary.is_(True)))
        .where(Contract.show_id == show_id, Contract.state == ContractState.signed)
        .order_by(Company.id)
    )
    return [(company, contact) for company, contact in db.session.execute(query)]


def participating_company_ids(show_id: int) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(Contract.company_id).where(
                Contract.show_id == show_id, Contract.state == ContractState.signed
            )
        )
    )


def badge_quota(contract: Contract) -> int:
    if contract.badge_quota is not None:
        return contract.badge_quota
    area = Decimal(str(contract.booth_area_m2 or 0))
    return max(1, int(area // SQM_PER_BADGE)) if area > 0 else 0


def set_badge_quota(contract: Contract, quota: int | None) -> None:
    if quota is not None and quota < 0:
        raise ExhibitorError(_("The badge quota cannot be negative."))
    before = contract.badge_quota
    contract.badge_quota = quota
    audit.record("contract.badge_quota", contract, {"badge_quota": before}, {"badge_quota": quota})


@value_source("participations")
def signed_participations() -> list:
    """(company_id, show_id, series, open_from, area, amount) of every signed contract."""
    return db.session.execute(
        sa.select(
            Contract.company_id,
            Contract.show_id,
            Show.series,
            Show.open_from,
            Contract.booth_area_m2.label("area"),
            Contract.total_amount.label("amount"),
        )
        .join(Show, Show.id == Contract.show_id)
        .where(Contract.state == "signed")
    ).all()


@value_source("participation_query")
def participation_query() -> sa.Select:
    """(company_id, show_id, area) of every signed contract, as a query the nightly run builds on."""
    return sa.select(
        Contract.company_id, Contract.show_id, Contract.booth_area_m2.label("area")
    ).where(Contract.state == "signed")


def _survey_recipients(show_id: int) -> list[Recipient]:
    return [
        Recipient(
            SubjectKind.exhibitor,
            company.id,
            contact.email,
            contact.name,
            language_of(contact.locale),
            Segment.exhibitor,
            "exhibitor",
        )
        for company, contact in primary_contacts(show_id)
        if contact.email
    ]


register_audience(
    Segment.exhibitor,
    Audience(
        recipients=_survey_recipients,
        category_label=lambda key: Segment.exhibitor.label if key == "exhibitor" else None,
    ),
)
