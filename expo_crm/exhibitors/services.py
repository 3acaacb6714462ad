"""Companies, contacts, applications, booths, contracts and payments: state changes and queries."""

from __future__ import annotations

import importlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from expo_crm import audit, clock
from expo_crm.db import db
from expo_crm.exhibitors.models import (
    Application,
    ApplicationEvent,
    ApplicationState,
    Booth,
    BoothAssignment,
    BoothStatus,
    BoothType,
    Company,
    Contact,
    Contract,
    ContractState,
    Payment,
    PaymentMethod,
)
from expo_crm.relationships.models import LifecycleStage, RelationshipState, SubjectKind

CENT = Decimal("0.01")
COMPANY_FIELDS = (
    "name_zh", "name_en", "tax_id", "country", "province", "city", "industry",
    "product_categories", "size", "website", "established_on", "notes", "owner_id",
)
# Legal-form words that do not tell two firms apart.
_LEGAL_FORMS = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|集团|公司"
    r"|\b(?:co|company|corp|corporation|inc|incorporated|ltd|limited|llc|gmbh|ag|plc|group|sa|srl|bv)\b)"
)
DEFAULT_DEPOSIT_SHARE = Decimal("0.30")
SQM_PER_BADGE = Decimal(9)


class ExhibitorError(ValueError):
    """A change refused; str(error) is a message for the user."""


def money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


# --- companies ----------------------------------------------------------------------------


def normalize_name(name: str | None) -> str:
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = _LEGAL_FORMS.sub(" ", text)
    return "".join(ch for ch in text if ch.isalnum())[:200]


def normalize_tax_id(tax_id: str | None) -> str | None:
    text = unicodedata.normalize("NFKC", tax_id or "").upper()
    text = "".join(ch for ch in text if ch.isalnum())
    return text or None


def find_duplicates(name_zh: str = "", name_en: str = "", tax_id: str | None = None,
                    exclude_id: int | None = None) -> list[Company]:
    """Existing companies with the same tax id or the same normalised name."""
    conditions = []
    tax = normalize_tax_id(tax_id)
    if tax:
        conditions.append(Company.tax_id == tax)
    names = {n for n in (normalize_name(name_zh), normalize_name(name_en)) if n}
    if names:
        conditions.append(Company.normalized_name.in_(names))
        conditions.append(Company.normalized_name_en.in_(names))
    if not conditions:
        return []
    query = sa.select(Company).where(sa.or_(*conditions)).order_by(Company.id).limit(10)
    if exclude_id is not None:
        query = query.where(Company.id != exclude_id)
    return list(db.session.scalars(query))


def _apply_company_values(company: Company, values: dict) -> None:
    for key in COMPANY_FIELDS:
        if key in values:
            setattr(company, key, values[key])
    company.name_zh = (company.name_zh or "").strip()
    company.name_en = (company.name_en or "").strip()
    company.tax_id = normalize_tax_id(company.tax_id)
    company.country = (company.country or "CN").strip().upper()[:2]
    company.normalized_name = normalize_name(company.name_zh or company.name_en)
    company.normalized_name_en = normalize_name(company.name_en)
    if not company.name_zh and not company.name_en:
        raise ExhibitorError(_("A company needs a Chinese or an English name."))


def create_company(**values) -> Company:
    company = Company()
    _apply_company_values(company, values)
    _check_tax_id_free(company.tax_id, None)
    db.session.add(company)
    db.session.flush()
    audit.record("company.create", company, after=audit.snapshot(company, *COMPANY_FIELDS))
    return company


def update_company(company: Company, **values) -> Company:
    before = audit.snapshot(company, *COMPANY_FIELDS)
    _apply_company_values(company, values)
    _check_tax_id_free(company.tax_id, company.id)
    after = audit.snapshot(company, *COMPANY_FIELDS)
    changed = {k for k in COMPANY_FIELDS if before[k] != after[k]}
    if changed:
        audit.record("company.update", company, {k: before[k] for k in changed}, {k: after[k] for k in changed})
    return company


def _check_tax_id_free(tax_id: str | None, company_id: int | None) -> None:
    if not tax_id:
        return
    clash = db.session.scalar(
        sa.select(Company.id).where(Company.tax_id == tax_id, Company.id != (company_id or -1))
    )
    if clash:
        raise ExhibitorError(_("Another company already has the tax id %(tax_id)s.", tax_id=tax_id))


def get_company_or_404(company_id: int) -> Company:
    return db.get_or_404(Company, company_id)


def add_contact(company: Company, *, name: str, email: str = "", phone: str = "", title: str = "",
                locale: str = "zh", is_primary: bool = False) -> Contact:
    has_primary = any(c.is_primary for c in company.contacts)
    if is_primary:
        for other in company.contacts:
            other.is_primary = False
        db.session.flush()
    contact = Contact(
        company=company, name=name.strip(), email=(email or "").strip().lower(), phone=phone.strip(),
        title=title.strip(), locale=locale if locale in ("zh", "en") else "zh",
        is_primary=is_primary or not has_primary,
    )
    db.session.add(contact)
    db.session.flush()
    audit.record("contact.create", contact, after={"company_id": company.id, "name": contact.name})
    return contact


@dataclass
class CompanyFilters:
    q: str = ""
    show_id: int | None = None
    state: str = ""
    hall: str = ""
    owner_id: int | None = None
    stage: str = ""
    sort: str = "name"


SORTS = {
    "name": (Company.name_zh, Company.name_en),
    "name_en": (Company.name_en,),
    "city": (Company.city, Company.name_zh),
    "created": (Company.created_at,),
}


def company_query(filters: CompanyFilters) -> sa.Select:
    """The staff list, filtered and sorted in SQL (ten thousand companies stay fast)."""
    query = sa.select(Company)
    if filters.q:
        needle = f"%{filters.q.strip().lower()}%"
        query = query.where(sa.or_(
            sa.func.lower(Company.name_zh).like(needle), sa.func.lower(Company.name_en).like(needle),
            Company.normalized_name.like(f"%{normalize_name(filters.q)}%") if normalize_name(filters.q) else sa.false(),
            sa.func.lower(Company.tax_id).like(needle), sa.func.lower(Company.city).like(needle),
        ))
    if filters.owner_id:
        query = query.where(Company.owner_id == filters.owner_id)
    if filters.show_id or filters.state:
        applied = sa.select(Application.company_id)
        if filters.show_id:
            applied = applied.where(Application.show_id == filters.show_id)
        if filters.state in ApplicationState.__members__:
            applied = applied.where(Application.state == ApplicationState(filters.state))
        query = query.where(Company.id.in_(applied))
    if filters.hall:
        in_hall = sa.select(BoothAssignment.company_id).join(Booth).where(Booth.hall == filters.hall)
        if filters.show_id:
            in_hall = in_hall.where(BoothAssignment.show_id == filters.show_id)
        query = query.where(Company.id.in_(in_hall))
    if filters.stage in LifecycleStage.__members__:
        in_stage = sa.select(RelationshipState.company_id).where(
            RelationshipState.kind == SubjectKind.exhibitor, RelationshipState.stage == LifecycleStage(filters.stage))
        query = query.where(Company.id.in_(in_stage))
    key = filters.sort.lstrip("-")
    columns = SORTS.get(key, SORTS["name"])
    descending = filters.sort.startswith("-")
    order = [c.desc() if descending else c.asc() for c in columns]
    return query.order_by(*order, Company.id)


def lifecycle_stages(company_ids: list[int]) -> dict[int, LifecycleStage]:
    """The current life-cycle stage of each listed company that has been evaluated."""
    if not company_ids:
        return {}
    return dict(db.session.execute(
        sa.select(RelationshipState.company_id, RelationshipState.stage).where(
            RelationshipState.kind == SubjectKind.exhibitor, RelationshipState.company_id.in_(company_ids))
    ).all())


def halls(show_id: int | None = None) -> list[str]:
    query = sa.select(Booth.hall).distinct().order_by(Booth.hall)
    if show_id:
        query = query.where(Booth.show_id == show_id)
    return list(db.session.scalars(query))


# --- applications --------------------------------------------------------------------------

TRANSITIONS: dict[ApplicationState, set[ApplicationState]] = {
    ApplicationState.submitted: {ApplicationState.under_review, ApplicationState.approved,
                                 ApplicationState.waitlisted, ApplicationState.rejected,
                                 ApplicationState.withdrawn},
    ApplicationState.under_review: {ApplicationState.approved, ApplicationState.waitlisted,
                                    ApplicationState.rejected, ApplicationState.withdrawn},
    ApplicationState.waitlisted: {ApplicationState.under_review, ApplicationState.approved,
                                  ApplicationState.rejected, ApplicationState.withdrawn},
    ApplicationState.approved: {ApplicationState.withdrawn, ApplicationState.waitlisted},
    ApplicationState.rejected: {ApplicationState.under_review},
    ApplicationState.withdrawn: {ApplicationState.submitted},
}


def create_application(company: Company, show_id: int, *, requested_area_m2, booth_type: BoothType | str,
                       preferred_hall: str = "", notes: str = "", reason: str = "",
                       actor: tuple[str, int | None, str] | None = None) -> Application:
    area = Decimal(str(requested_area_m2 or 0))
    if area <= 0:
        raise ExhibitorError(_("The requested area must be more than 0 m²."))
    exists = db.session.scalar(
        sa.select(Application.id).where(Application.company_id == company.id, Application.show_id == show_id)
    )
    if exists:
        raise ExhibitorError(_("This company has already applied for this show."))
    application = Application(
        company_id=company.id, show_id=show_id, requested_area_m2=area, booth_type=BoothType(booth_type),
        preferred_hall=preferred_hall.strip(), notes=notes, state=ApplicationState.submitted,
    )
    db.session.add(application)
    db.session.flush()
    _record_event(application, None, ApplicationState.submitted, reason or _("Application received."), actor)
    from expo_crm.relationships.services import log_interaction

    log_interaction(
        "exhibitor", company.id, channel="system", direction="inbound", show_id=show_id,
        subject=_("Applied for %(area)s m² (%(type)s)", area=area, type=application.booth_type.label),
        source_key=f"exhibitors.application.{application.id}",
    )
    audit.record("application.create", application, after={"state": "submitted", "show_id": show_id})
    return application


def _record_event(application: Application, old: ApplicationState | None, new: ApplicationState,
                  reason: str, actor: tuple[str, int | None, str] | None) -> None:
    kind, actor_id, label = actor or audit._actor()
    application.events.append(ApplicationEvent(
        at=clock.now(), from_state=old, to_state=new, reason=reason.strip(),
        actor_kind=kind, actor_id=actor_id, actor_label=label,
    ))


def move_application(application: Application, new_state: ApplicationState | str, reason: str,
                     actor: tuple[str, int | None, str] | None = None) -> Application:
    new = ApplicationState(new_state)
    old = application.state
    if new not in TRANSITIONS[old]:
        raise ExhibitorError(_("An application cannot go from “%(old)s” to “%(new)s”.", old=old.label, new=new.label))
    if not reason.strip():
        raise ExhibitorError(_("Please give a reason for the change."))
    if old is ApplicationState.approved:
        signed = db.session.scalar(sa.select(Contract.id).where(
            Contract.application_id == application.id, Contract.state == ContractState.signed))
        if signed:
            raise ExhibitorError(_("The contract is signed: cancel it before changing the application."))
        for contract in db.session.scalars(sa.select(Contract).where(
                Contract.application_id == application.id, Contract.state == ContractState.draft)):
            cancel_contract(contract, reason)
        for assignment in list(_assignments(application.id)):
            release_booth(assignment)
    application.state = new
    _record_event(application, old, new, reason, actor)
    audit.record("application.state", application, {"state": old.value}, {"state": new.value, "reason": reason})
    return application


def _assignments(application_id: int) -> list[BoothAssignment]:
    return list(db.session.scalars(
        sa.select(BoothAssignment).where(BoothAssignment.application_id == application_id)
    ))


def get_application_or_404(application_id: int) -> Application:
    return db.get_or_404(Application, application_id)


# --- booths ---------------------------------------------------------------------------------


def create_booth(show_id: int, *, hall: str, number: str, area_m2, booth_type: BoothType | str,
                 price_per_m2, corner: bool = False, island: bool = False,
                 status: BoothStatus | str = BoothStatus.available) -> Booth:
    hall, number = hall.strip().upper(), number.strip().upper()
    if not hall or not number:
        raise ExhibitorError(_("A booth needs a hall and a number."))
    area, price = Decimal(str(area_m2 or 0)), money(price_per_m2)
    if area <= 0:
        raise ExhibitorError(_("The booth area must be more than 0 m²."))
    if price < 0:
        raise ExhibitorError(_("The price per m² cannot be negative."))
    taken = db.session.scalar(sa.select(Booth.id).where(Booth.show_id == show_id, Booth.number == number))
    if taken:
        raise ExhibitorError(_("Booth %(number)s already exists in this show.", number=number))
    booth = Booth(show_id=show_id, hall=hall, number=number, area_m2=area, booth_type=BoothType(booth_type),
                  price_per_m2=price, corner=corner, island=island, status=BoothStatus(status))
    db.session.add(booth)
    db.session.flush()
    audit.record("booth.create", booth, after={"show_id": show_id, "number": number, "area_m2": area})
    return booth


def set_booth_blocked(booth: Booth, blocked: bool) -> None:
    if booth.status in (BoothStatus.reserved, BoothStatus.sold):
        raise ExhibitorError(_("Booth %(number)s is taken; release it first.", number=booth.number))
    old = booth.status
    booth.status = BoothStatus.blocked if blocked else BoothStatus.available
    audit.record("booth.status", booth, {"status": old.value}, {"status": booth.status.value})


def booths_for_show(show_id: int, hall: str = "", status: str = "") -> list[tuple[Booth, Company | None]]:
    query = (
        sa.select(Booth, Company)
        .outerjoin(BoothAssignment, BoothAssignment.booth_id == Booth.id)
        .outerjoin(Company, Company.id == BoothAssignment.company_id)
        .where(Booth.show_id == show_id)
        .order_by(Booth.hall, Booth.number)
    )
    if hall:
        query = query.where(Booth.hall == hall)
    if status in BoothStatus.__members__:
        query = query.where(Booth.status == BoothStatus(status))
    return [tuple(row) for row in db.session.execute(query)]


def assign_booth(application: Application, booth_id: int, assigned_by_id: int | None = None) -> BoothAssignment:
    """Give a booth to an approved application. The UNIQUE(booth_id) key settles any race."""
    if application.state is not ApplicationState.approved:
        raise ExhibitorError(_("Only an approved application can get a booth."))
    booth = db.session.scalar(sa.select(Booth).where(Booth.id == booth_id).with_for_update())
    if booth is None or booth.show_id != application.show_id:
        raise ExhibitorError(_("This booth does not belong to the show of the application."))
    if booth.status is not BoothStatus.available:
        raise ExhibitorError(_("Booth %(number)s is not available (%(status)s).",
                               number=booth.number, status=booth.status.label))
    assignment = BoothAssignment(
        booth_id=booth.id, application_id=application.id, company_id=application.company_id,
        show_id=application.show_id, assigned_at=clock.now(), assigned_by_id=assigned_by_id,
    )
    db.session.add(assignment)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ExhibitorError(_("Booth %(number)s has just been given to another exhibitor.",
                               number=booth.number)) from None
    booth.status = BoothStatus.reserved
    audit.record("booth.assign", booth, after={"application_id": application.id, "company_id": application.company_id})
    return assignment


def release_booth(assignment: BoothAssignment) -> None:
    booth = assignment.booth
    signed = db.session.scalar(sa.select(Contract.id).where(
        Contract.application_id == assignment.application_id, Contract.state == ContractState.signed))
    if signed:
        raise ExhibitorError(_("The contract is signed: cancel it before releasing the booth."))
    booth.status = BoothStatus.available
    audit.record("booth.release", booth, before={"company_id": assignment.company_id})
    db.session.delete(assignment)
    db.session.flush()


def assigned_booths(company_id: int, show_id: int) -> list[Booth]:
    return list(db.session.scalars(
        sa.select(Booth).join(BoothAssignment)
        .where(BoothAssignment.company_id == company_id, BoothAssignment.show_id == show_id)
        .order_by(Booth.hall, Booth.number)
    ))


# --- contracts and payments -------------------------------------------------------------------


def services_total(company_id: int, show_id: int) -> Decimal:
    """Service orders from the suppliers area, when that area provides its total."""
    try:
        suppliers = importlib.import_module("expo_crm.suppliers.services")
    except ModuleNotFoundError:
        return Decimal("0.00")
    total = getattr(suppliers, "orders_total", None)
    return money(total(company_id, show_id)) if total else Decimal("0.00")


def service_orders(company_id: int, show_id: int) -> list:
    try:
        suppliers = importlib.import_module("expo_crm.suppliers.services")
    except ModuleNotFoundError:
        return []
    orders_for = getattr(suppliers, "orders_for", None)
    return list(orders_for(company_id, show_id)) if orders_for else []


def _contract_number(show_code: str) -> str:
    count = db.session.scalar(sa.select(sa.func.count(Contract.id))) or 0
    return f"{show_code}-{count + 1:05d}"


def create_contract(application: Application, *, discount=0, deposit_share: Decimal = DEFAULT_DEPOSIT_SHARE,
                    deposit_due: date | None = None, balance_due: date | None = None) -> Contract:
    if application.state is not ApplicationState.approved:
        raise ExhibitorError(_("Only an approved application can get a contract."))
    booths = assigned_booths(application.company_id, application.show_id)
    if not booths:
        raise ExhibitorError(_("Assign a booth before drawing up the contract."))
    live = db.session.scalar(sa.select(Contract.id).where(
        Contract.company_id == application.company_id, Contract.show_id == application.show_id,
        Contract.state != ContractState.cancelled))
    if live:
        raise ExhibitorError(_("This company already has a contract for this show."))
    show = application.show
    today = clock.today_utc()
    contract = Contract(
        number=_contract_number(show.code), company_id=application.company_id, show_id=application.show_id,
        application_id=application.id, state=ContractState.draft,
        deposit_due=deposit_due or today + timedelta(days=14),
        balance_due=balance_due or max(today + timedelta(days=14), show.open_from - timedelta(days=30)),
    )
    _price(contract, booths, money(discount), deposit_share)
    db.session.add(contract)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ExhibitorError(_("This company already has a contract for this show.")) from None
    audit.record("contract.create", contract, after={"number": contract.number, "total": contract.total_amount})
    return contract


def _price(contract: Contract, booths: list[Booth], discount: Decimal, deposit_share: Decimal | None = None) -> None:
    fee = sum((b.price for b in booths), Decimal("0.00"))
    services = services_total(contract.company_id, contract.show_id)
    if discount < 0 or discount > fee + services:
        raise ExhibitorError(_("The discount must be between 0 and the contract amount."))
    paid = paid_amount(contract) if contract.id else Decimal("0.00")
    total = money(fee + services - discount)
    if total < paid:
        raise ExhibitorError(_("The new total would be less than what has already been paid."))
    contract.booth_fee, contract.services_total, contract.discount = money(fee), services, money(discount)
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
    audit.record("contract.recalculate", contract, before,
                 audit.snapshot(contract, "booth_fee", "services_total", "discount", "total_amount"))
    return contract


def sign_contract(contract: Contract) -> Contract:
    if contract.state is not ContractState.draft:
        raise ExhibitorError(_("Only a draft contract can be signed."))
    contract.state = ContractState.signed
    contract.signed_at = clock.now()
    for booth in assigned_booths(contract.company_id, contract.show_id):
        booth.status = BoothStatus.sold
    from expo_crm.relationships.services import log_interaction

    log_interaction(
        "exhibitor", contract.company_id, channel="system", show_id=contract.show_id,
        subject=_("Contract %(number)s signed", number=contract.number),
        source_key=f"exhibitors.contract_signed.{contract.id}",
    )
    audit.record("contract.sign", contract, {"state": "draft"}, {"state": "signed"})
    return contract


def cancel_contract(contract: Contract, reason: str = "") -> Contract:
    if contract.state is ContractState.cancelled:
        raise ExhibitorError(_("The contract is already cancelled."))
    old = contract.state
    contract.state = ContractState.cancelled
    for booth in assigned_booths(contract.company_id, contract.show_id):
        booth.status = BoothStatus.reserved
    audit.record("contract.cancel", contract, {"state": old.value}, {"state": "cancelled", "reason": reason})
    return contract


def paid_amount(contract: Contract) -> Decimal:
    total = db.session.scalar(sa.select(sa.func.sum(Payment.amount)).where(Payment.contract_id == contract.id))
    return money(total)


def outstanding(contract: Contract) -> Decimal:
    return money(contract.total_amount) - paid_amount(contract)


def record_payment(contract_id: int, amount, *, paid_at=None, method: PaymentMethod | str = PaymentMethod.bank_transfer,
                   reference: str = "", recorded_by_id: int | None = None) -> Payment:
    """A payment larger than the outstanding balance is refused; the contract row is locked first."""
    contract = db.session.scalar(sa.select(Contract).where(Contract.id == contract_id).with_for_update())
    if contract is None:
        raise ExhibitorError(_("No such contract."))
    if contract.state is ContractState.cancelled:
        raise ExhibitorError(_("A cancelled contract takes no payments."))
    value = money(amount)
    if value <= 0:
        raise ExhibitorError(_("The amount must be more than 0."))
    due = outstanding(contract)
    if value > due:
        raise ExhibitorError(_("The payment of %(amount)s is more than the outstanding balance of %(due)s.",
                               amount=value, due=due))
    payment = Payment(contract_id=contract.id, amount=value, paid_at=paid_at or clock.now(),
                      method=PaymentMethod(method), reference=reference.strip(),
                      recorded_by_id=recorded_by_id, recorded_at=clock.now())
    db.session.add(payment)
    db.session.flush()
    audit.record("payment.create", payment, after={"contract_id": contract.id, "amount": value})
    return payment


def get_contract_or_404(contract_id: int) -> Contract:
    return db.get_or_404(Contract, contract_id)


def contracts_of(company_id: int) -> list[Contract]:
    return list(db.session.scalars(
        sa.select(Contract).where(Contract.company_id == company_id).order_by(Contract.created_at.desc())
    ))


def live_contract(company_id: int, show_id: int) -> Contract | None:
    return db.session.scalar(sa.select(Contract).where(
        Contract.company_id == company_id, Contract.show_id == show_id, Contract.state != ContractState.cancelled))


def outstanding_balances(show_id: int | None = None, limit: int = 10) -> list[tuple[Contract, Decimal]]:
    paid = (sa.select(Payment.contract_id, sa.func.sum(Payment.amount).label("paid"))
            .group_by(Payment.contract_id).subquery())
    due = Contract.total_amount - sa.func.coalesce(paid.c.paid, 0)
    query = (sa.select(Contract, due.label("due")).outerjoin(paid, paid.c.contract_id == Contract.id)
             .where(Contract.state == ContractState.signed, due > 0).order_by(due.desc()).limit(limit))
    if show_id:
        query = query.where(Contract.show_id == show_id)
    return [(c, money(d)) for c, d in db.session.execute(query)]


def booth_totals(show_id: int) -> dict:
    rows = db.session.execute(
        sa.select(Booth.status, sa.func.count(Booth.id), sa.func.coalesce(sa.func.sum(Booth.area_m2), 0))
        .where(Booth.show_id == show_id).group_by(Booth.status)
    )
    totals = {s: (0, Decimal(0)) for s in BoothStatus}
    for status, count, area in rows:
        totals[BoothStatus(status)] = (count, Decimal(str(area)))
    return {
        "booths": sum(c for c, _ in totals.values()),
        "area": sum((a for _, a in totals.values()), Decimal(0)),
        "sold": totals[BoothStatus.sold][0], "sold_area": totals[BoothStatus.sold][1],
        "reserved": totals[BoothStatus.reserved][0], "available": totals[BoothStatus.available][0],
    }


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
    return set(db.session.scalars(
        sa.select(Contract.company_id).where(Contract.show_id == show_id, Contract.state == ContractState.signed)
    ))


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
