"""Partners, agreements with deliverables, referral codes, sponsorship packages."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from expo_crm.db import db
from expo_crm.partners import services
from expo_crm.partners.models import PartnerKind

_seq = itertools.count(1)

__all__ = [
    "create_agreement",
    "create_deliverable",
    "create_package",
    "create_partner",
    "create_referral_code",
]


def create_partner(
    kind: PartnerKind | str = PartnerKind.association,
    *,
    name_en: str | None = None,
    name_zh: str | None = None,
    owner=None,
    email: str = "",
    locale: str = "en",
    commit: bool = True,
):
    n = next(_seq)
    partner = services.create_partner(
        name_zh=name_zh if name_zh is not None else f"合作伙伴{n}",
        name_en=name_en if name_en is not None else f"Partner {n}",
        kind=kind,
        owner_id=owner.id if owner is not None else None,
        email=email or f"partner{n}@example.org",
        locale=locale,
    )
    if commit:
        db.session.commit()
    return partner


def create_agreement(partner, show, title: str = "Media cooperation", commit: bool = True):
    agreement = services.create_agreement(partner, show, title=title)
    if commit:
        db.session.commit()
    return agreement


def create_deliverable(
    agreement,
    due_date: date,
    kind: str = "logo_placement",
    description: str = "",
    commit: bool = True,
):
    deliverable = services.add_deliverable(
        agreement, kind=kind, due_date=due_date, description=description
    )
    if commit:
        db.session.commit()
    return deliverable


def create_referral_code(partner, show, code: str = "", commit: bool = True):
    referral = services.create_referral_code(partner, show, code=code)
    if commit:
        db.session.commit()
    return referral


def create_package(
    show, *, level_en: str = "Gold", total: int = 2, price: str = "50000", commit: bool = True
):
    package = services.create_package(
        show, level_zh="金牌", level_en=level_en, price=Decimal(price), total=total
    )
    if commit:
        db.session.commit()
    return package
