"""Partners: directory, agreements and deliverables, referral codes, contribution, sponsorship."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _

from expo_crm import audit, clock
from expo_crm.db import db, is_unique_violation
from expo_crm.errors import UserError
from expo_crm.partners.models import (
    Agreement,
    AgreementState,
    Deliverable,
    DeliverableKind,
    DeliverableState,
    Partner,
    PartnerKind,
    ReferralCode,
    Sponsorship,
    SponsorshipPackage,
)
from expo_crm.relationships.value import value_source
from expo_crm.shows.models import Show
from expo_crm.visitors.models import Registration
from expo_crm.visitors.services import referral_resolver


class PartnerError(UserError):
    """A refused change; str(error) is a translated message for the user."""


# --- contract for public registration -----------------------------------------------------


@referral_resolver
def referral_code_id_for(code: str, show_id: int) -> dict[str, int] | None:
    """A visitor registering with one of our codes is attributed to its partner."""
    found = referral_code_for(code, show_id)
    return {"referral_code_id": found.id} if found is not None else None


def referral_code_for(code: str | None, show_id: int) -> ReferralCode | None:
    """The active referral code of that show, or None (unknown, inactive or another show's)."""
    code = (code or "").strip().upper()
    if not code or len(code) > 32:
        return None
    return db.session.scalar(
        sa.select(ReferralCode).where(
            sa.func.upper(ReferralCode.code) == code,
            ReferralCode.show_id == show_id,
            ReferralCode.active.is_(True),
        )
    )


# --- directory ----------------------------------------------------------------------------

PARTNER_FIELDS = (
    "name_zh",
    "name_en",
    "kind",
    "contact_name",
    "email",
    "phone",
    "locale",
    "website",
    "notes",
    "owner_id",
    "active",
)


def get_partner_or_404(partner_id: int) -> Partner:
    return db.session.get(Partner, partner_id) or abort(404)


def create_partner(
    *, name_zh: str = "", name_en: str = "", kind: PartnerKind | str, **values
) -> Partner:
    if not (name_zh.strip() or name_en.strip()):
        raise PartnerError(_("Give the partner a Chinese or English name."))
    partner = Partner(name_zh=name_zh.strip(), name_en=name_en.strip(), kind=PartnerKind(kind))
    for key, value in values.items():
        if key in PARTNER_FIELDS:
            setattr(partner, key, value)
    partner.email = (partner.email or "").strip().lower()
    db.session.add(partner)
    db.session.flush()
    audit.record(
        "partner.create", partner, after=audit.snapshot(partner, "name_zh", "name_en", "kind")
    )
    return partner


def update_partner(partner: Partner, **values) -> Partner:
    before = audit.snapshot(partner, *PARTNER_FIELDS)
    if "kind" in values:
        values["kind"] = PartnerKind(values["kind"])
    for key, value in values.items():
        if key in PARTNER_FIELDS:
            setattr(partner, key, value)
    if not (partner.name_zh.strip() or partner.name_en.strip()):
        raise PartnerError(_("Give the partner a Chinese or English name."))
    partner.email = (partner.email or "").strip().lower()
    audit.record(
        "partner.update", partner, before=before, after=audit.snapshot(partner, *PARTNER_FIELDS)
    )
    return partner


PARTNER_SORTS = {
    "name": (Partner.name_en, Partner.name_zh),
    "kind": (Partner.kind,),
    "created": (Partner.created_at,),
}


def partner_query(
    *, q: str = "", kind: str = "", active: str = "", sort: str = "name"
) -> sa.Select:
    stmt = sa.select(Partner)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            sa.or_(
                Partner.name_zh.ilike(like),
                Partner.name_en.ilike(like),
                Partner.contact_name.ilike(like),
                Partner.email.ilike(like),
            )
        )
    if kind in PartnerKind.__members__:
        stmt = stmt.where(Partner.kind == PartnerKind(kind))
    if active in ("1", "0"):
        stmt = stmt.where(Partner.active.is_(active == "1"))
    descending = sort.startswith("-")
    columns = PARTNER_SORTS.get(sort.lstrip("-")) or PARTNER_SORTS["name"]
    return stmt.order_by(*[c.desc() if descending else c for c in columns], Partner.id)


# --- agreements and deliverables ----------------------------------------------------------


def create_agreement(
    partner: Partner,
    show: Show,
    *,
    title: str,
    signed_on: date | None = None,
    state: AgreementState | str = AgreementState.active,
    notes: str = "",
) -> Agreement:
    if not title.strip():
        raise PartnerError(_("Give the agreement a title."))
    agreement = Agreement(
        partner_id=partner.id,
        show_id=show.id,
        title=title.strip(),
        signed_on=signed_on,
        state=AgreementState(state),
        notes=notes,
    )
    db.session.add(agreement)
    db.session.flush()
    audit.record(
        "partner.agreement_create",
        agreement,
        after={"partner_id": partner.id, "show_id": show.id, "title": title},
    )
    return agreement


def get_agreement_or_404(partner: Partner, agreement_id: int) -> Agreement:
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None or agreement.partner_id != partner.id:
        abort(404)
    return agreement


def set_agreement_state(agreement: Agreement, state: AgreementState | str) -> Agreement:
    before = agreement.state
    agreement.state = AgreementState(state)
    audit.record(
        "partner.agreement_state",
        agreement,
        before={"state": before.value},
        after={"state": agreement.state.value},
    )
    return agreement


def add_deliverable(
    agreement: Agreement,
    *,
    kind: DeliverableKind | str,
    due_date: date | None,
    description: str = "",
) -> Deliverable:
    if due_date is None:
        raise PartnerError(_("Give the deliverable's due date."))
    deliverable = Deliverable(
        agreement=agreement,
        kind=DeliverableKind(kind),
        due_date=due_date,
        description=description.strip(),
    )
    db.session.add(deliverable)
    db.session.flush()
    audit.record(
        "partner.deliverable_add",
        deliverable,
        after={"kind": deliverable.kind.value, "due_date": due_date},
    )
    return deliverable


def get_deliverable_or_404(partner: Partner, deliverable_id: int) -> Deliverable:
    deliverable = db.session.get(Deliverable, deliverable_id)
    if deliverable is None or deliverable.agreement.partner_id != partner.id:
        abort(404)
    return deliverable


def set_deliverable_state(deliverable: Deliverable, state: DeliverableState | str) -> Deliverable:
    target = DeliverableState(state)
    if deliverable.state is not DeliverableState.pending:
        raise PartnerError(_("This deliverable is already closed."))
    deliverable.state = target
    deliverable.done_at = clock.now() if target is DeliverableState.done else None
    audit.record(
        "partner.deliverable_state",
        deliverable,
        before={"state": "pending"},
        after={"state": target.value},
    )
    return deliverable


def overdue_deliverables(today: date) -> list[Deliverable]:
    """Pending deliverables of live agreements whose due date has passed."""
    return list(
        db.session.scalars(
            sa.select(Deliverable)
            .join(Agreement)
            .where(
                Deliverable.state == DeliverableState.pending,
                Deliverable.due_date < today,
                Agreement.state.in_([AgreementState.active, AgreementState.draft]),
            )
            .order_by(Deliverable.due_date, Deliverable.id)
        )
    )


# --- referral codes -----------------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def create_referral_code(
    partner: Partner, show: Show, *, code: str = "", label: str = ""
) -> ReferralCode:
    code = (code or "").strip().upper() or _new_code()
    if not code.replace("-", "").isalnum() or len(code) > 32 or not code.isascii():
        raise PartnerError(_("A code has up to 32 letters, digits or hyphens."))
    if db.session.scalar(
        sa.select(ReferralCode.id).where(sa.func.upper(ReferralCode.code) == code)
    ):
        raise PartnerError(_("The code %(code)s is already taken.", code=code))
    referral = ReferralCode(partner_id=partner.id, show_id=show.id, code=code, label=label.strip())
    db.session.add(referral)
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:
        if is_unique_violation(error):
            raise PartnerError(_("The code %(code)s is already taken.", code=code)) from None
        raise
    audit.record("partner.referral_code_create", referral, after={"code": code, "show_id": show.id})
    return referral


def get_code_or_404(partner: Partner, code_id: int) -> ReferralCode:
    referral = db.session.get(ReferralCode, code_id)
    if referral is None or referral.partner_id != partner.id:
        abort(404)
    return referral


def set_code_active(referral: ReferralCode, active: bool) -> ReferralCode:
    referral.active = active
    audit.record("partner.referral_code_active", referral, after={"active": active})
    return referral


def codes_of(partner_id: int, show_id: int | None = None) -> list[ReferralCode]:
    stmt = sa.select(ReferralCode).where(ReferralCode.partner_id == partner_id)
    if show_id:
        stmt = stmt.where(ReferralCode.show_id == show_id)
    return list(db.session.scalars(stmt.order_by(ReferralCode.show_id.desc(), ReferralCode.code)))


# --- contribution report ------------------------------------------------------------------


@dataclass(frozen=True)
class CodeContribution:
    code: ReferralCode
    registrations: int
    professional: int
    checked_in: int


@dataclass(frozen=True)
class Contribution:
    partner: Partner
    show: Show
    rows: list[CodeContribution]

    @property
    def registrations(self) -> int:
        return sum(r.registrations for r in self.rows)

    @property
    def professional(self) -> int:
        return sum(r.professional for r in self.rows)

    @property
    def checked_in(self) -> int:
        return sum(r.checked_in for r in self.rows)

    @property
    def professional_share(self) -> float:
        return self.professional / self.registrations if self.registrations else 0.0

    @property
    def checkin_rate(self) -> float:
        return self.checked_in / self.registrations if self.registrations else 0.0


def contribution(partner: Partner, show: Show) -> Contribution:
    """Registrations through the partner's codes for a show (active ones), by code."""
    codes = codes_of(partner.id, show.id)
    counts = (
        {
            code_id: (total, professional or 0, checked or 0)
            for code_id, total, professional, checked in db.session.execute(
                sa.select(
                    Registration.referral_code_id,
                    sa.func.count(Registration.id),
                    sa.func.sum(sa.case((Registration.category == "professional", 1), else_=0)),
                    sa.func.sum(
                        sa.case((Registration.first_checked_in_at.is_not(None), 1), else_=0)
                    ),
                )
                .where(
                    Registration.referral_code_id.in_([c.id for c in codes]),
                    Registration.show_id == show.id,
                    Registration.state == "active",
                )
                .group_by(Registration.referral_code_id)
            )
        }
        if codes
        else {}
    )
    rows = [CodeContribution(c, *counts.get(c.id, (0, 0, 0))) for c in codes]
    return Contribution(partner, show, rows)


def shows_with_codes(partner_id: int) -> list[Show]:
    return list(
        db.session.scalars(
            sa.select(Show)
            .join(ReferralCode, ReferralCode.show_id == Show.id)
            .where(ReferralCode.partner_id == partner_id)
            .distinct()
            .order_by(Show.open_from.desc())
        )
    )


# --- sponsorship --------------------------------------------------------------------------


def create_package(
    show: Show,
    *,
    level_zh: str = "",
    level_en: str = "",
    price: Decimal,
    total: int,
    benefits: str = "",
) -> SponsorshipPackage:
    if not (level_zh.strip() or level_en.strip()):
        raise PartnerError(_("Name the sponsorship level."))
    if total is None or total < 1:
        raise PartnerError(_("A package is offered at least once."))
    if price is None or price < 0:
        raise PartnerError(_("The price cannot be negative."))
    package = SponsorshipPackage(
        show_id=show.id,
        level_zh=level_zh.strip(),
        level_en=level_en.strip(),
        price=price,
        total=total,
        benefits=benefits.strip(),
    )
    db.session.add(package)
    db.session.flush()
    audit.record(
        "sponsorship.package_create",
        package,
        after=audit.snapshot(package, "level_zh", "level_en", "price", "total"),
    )
    return package


def get_package_or_404(package_id: int) -> SponsorshipPackage:
    return db.session.get(SponsorshipPackage, package_id) or abort(404)


PACKAGE_SORTS = {
    "show": (Show.open_from,),
    "level": (SponsorshipPackage.level_en, SponsorshipPackage.level_zh),
    "price": (SponsorshipPackage.price,),
    "sold": (SponsorshipPackage.sold,),
}


def package_query(
    *, show_id: int | None = None, q: str = "", availability: str = "", sort: str = "-show"
) -> sa.Select:
    """Packages, filtered by show, text (level or benefits) and availability ("open" or "sold_out")."""
    stmt = sa.select(SponsorshipPackage).join(Show, Show.id == SponsorshipPackage.show_id)
    if show_id:
        stmt = stmt.where(SponsorshipPackage.show_id == show_id)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            sa.or_(
                SponsorshipPackage.level_zh.ilike(like),
                SponsorshipPackage.level_en.ilike(like),
                SponsorshipPackage.benefits.ilike(like),
            )
        )
    if availability == "open":
        stmt = stmt.where(SponsorshipPackage.sold < SponsorshipPackage.total)
    elif availability == "sold_out":
        stmt = stmt.where(SponsorshipPackage.sold >= SponsorshipPackage.total)
    descending = sort.startswith("-")
    columns = PACKAGE_SORTS.get(sort.lstrip("-")) or PACKAGE_SORTS["show"]
    return stmt.order_by(
        *[c.desc() if descending else c for c in columns],
        SponsorshipPackage.price.desc(),
        SponsorshipPackage.id,
    )


def sell_package(package: SponsorshipPackage, partner: Partner) -> Sponsorship:
    """Sell one unit; the conditional UPDATE (and the CHECK behind it) refuses one too many."""
    if db.session.scalar(
        sa.select(Sponsorship.id).where(
            Sponsorship.package_id == package.id, Sponsorship.partner_id == partner.id
        )
    ):
        raise PartnerError(_("This partner already has this package."))
    sold = db.session.execute(
        sa.update(SponsorshipPackage)
        .where(
            SponsorshipPackage.id == package.id, SponsorshipPackage.sold < SponsorshipPackage.total
        )
        .values(sold=SponsorshipPackage.sold + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if sold != 1:
        raise PartnerError(_("All %(total)d of this package are sold.", total=package.total))
    db.session.refresh(package)
    sponsorship = Sponsorship(
        package_id=package.id, partner_id=partner.id, sold_at=clock.now(), price=package.price
    )
    db.session.add(sponsorship)
    db.session.flush()
    audit.record(
        "sponsorship.sell",
        sponsorship,
        after={"package_id": package.id, "partner_id": partner.id, "sold": package.sold},
    )
    return sponsorship


def sponsorships_of(partner_id: int) -> list[Sponsorship]:
    return list(
        db.session.scalars(
            sa.select(Sponsorship)
            .where(Sponsorship.partner_id == partner_id)
            .order_by(Sponsorship.sold_at.desc())
        )
    )


def buyers_of(package_id: int) -> list[Sponsorship]:
    return list(
        db.session.scalars(
            sa.select(Sponsorship)
            .where(Sponsorship.package_id == package_id)
            .order_by(Sponsorship.sold_at)
        )
    )


def agreements_of(partner_id: int) -> list[Agreement]:
    return list(
        db.session.scalars(
            sa.select(Agreement)
            .where(Agreement.partner_id == partner_id)
            .order_by(Agreement.show_id.desc(), Agreement.id)
        )
    )


DELIVERABLE_SORTS = {
    "due": (Deliverable.due_date,),
    "kind": (Deliverable.kind,),
    "state": (Deliverable.state,),
}


def deliverable_query(
    *,
    show_id: int | None = None,
    state: str = "",
    overdue: bool = False,
    q: str = "",
    sort: str = "due",
    today: date | None = None,
) -> sa.Select:
    stmt = sa.select(Deliverable).join(Agreement).join(Partner, Partner.id == Agreement.partner_id)
    if show_id:
        stmt = stmt.where(Agreement.show_id == show_id)
    if state in DeliverableState.__members__:
        stmt = stmt.where(Deliverable.state == DeliverableState(state))
    if overdue:
        stmt = stmt.where(
            Deliverable.state == DeliverableState.pending,
            Deliverable.due_date < (today or clock.now().date()),
        )
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            sa.or_(
                Partner.name_zh.ilike(like),
                Partner.name_en.ilike(like),
                Deliverable.description.ilike(like),
            )
        )
    descending = sort.startswith("-")
    columns = DELIVERABLE_SORTS.get(sort.lstrip("-")) or DELIVERABLE_SORTS["due"]
    return stmt.order_by(*[c.desc() if descending else c for c in columns], Deliverable.id)


@value_source("referral_reach")
def referral_reach() -> list:
    """Per partner: registrations through its referral codes and how many of them came."""
    return db.session.execute(
        sa.select(
            Partner.id,
            Partner.name_zh,
            Partner.name_en,
            sa.func.count(Registration.id),
            sa.func.count(Registration.first_checked_in_at),
        )
        .join(ReferralCode, ReferralCode.partner_id == Partner.id)
        .join(Registration, Registration.referral_code_id == ReferralCode.id)
        .group_by(Partner.id, Partner.name_zh, Partner.name_en)
        .order_by(sa.func.count(Registration.id).desc())
    ).all()
