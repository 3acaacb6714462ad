"""Exhibitors: companies, contacts, applications, booths, contracts, portal users."""

from __future__ import annotations

import itertools
from decimal import Decimal

from expo_crm.auth.services import hash_password
from expo_crm.db import db
from expo_crm.exhibitors import applications, booths, companies, contracts
from expo_crm.exhibitors.models import ApplicationState, PortalUser
from expo_crm.shows.services import entering_history

from .core import PASSWORD, create_show

_seq = itertools.count(1)

__all__ = [
    "create_application",
    "create_booth",
    "create_company",
    "create_contact",
    "create_contract",
    "create_portal_user",
]


def create_company(
    name_zh: str | None = None, name_en: str | None = None, commit: bool = True, **values
):
    n = next(_seq)
    company = companies.create_company(
        name_zh=name_zh if name_zh is not None else f"测试五金有限公司{n}",
        name_en=name_en if name_en is not None else f"Test Hardware {n} Co., Ltd.",
        **values,
    )
    if commit:
        db.session.commit()
    return company


def create_contact(
    company=None,
    email: str | None = None,
    name: str = "王伟",
    locale: str = "en",
    is_primary: bool = False,
    commit: bool = True,
):
    company = company or create_company()
    n = next(_seq)
    contact = companies.add_contact(
        company,
        name=name,
        email=email or f"contact{n}@exhibitor.example",
        locale=locale,
        is_primary=is_primary,
    )
    if commit:
        db.session.commit()
    return contact


def create_application(
    company=None,
    show=None,
    state: ApplicationState | str = ApplicationState.submitted,
    area: str = "18",
    booth_type: str = "shell_scheme",
    commit: bool = True,
):
    company = company or create_company()
    show = show or create_show()
    with entering_history(show):  # an application to a past edition, made at the time
        application = applications.create_application(
            company, show.id, requested_area_m2=Decimal(area), booth_type=booth_type
        )
        if ApplicationState(state) is not ApplicationState.submitted:
            applications.move_application(application, state, "factory")
    if commit:
        db.session.commit()
    return application


def create_booth(
    show=None,
    number: str | None = None,
    hall: str = "W1",
    area: str = "18",
    price: str = "1500",
    booth_type: str = "shell_scheme",
    commit: bool = True,
):
    show = show or create_show()
    n = next(_seq)
    booth = booths.create_booth(
        show.id,
        hall=hall,
        number=number or f"{hall}-{n:03d}",
        area_m2=Decimal(area),
        booth_type=booth_type,
        price_per_m2=Decimal(price),
    )
    if commit:
        db.session.commit()
    return booth


def create_contract(
    company=None,
    show=None,
    area: str = "18",
    price: str = "1500",
    signed: bool = False,
    discount: str = "0",
    commit: bool = True,
):
    """An approved application with one booth assigned and a contract drawn up (signed if asked)."""
    show = show or create_show()
    application = create_application(
        company, show, ApplicationState.approved, area=area, commit=False
    )
    booth = create_booth(show, area=area, price=price, commit=False)
    with entering_history(show):  # the contract of a past edition, made at the time
        booths.assign_booth(application, booth.id)
        contract = contracts.create_contract(application, discount=Decimal(discount))
        if signed:
            contracts.sign_contract(contract)
    if commit:
        db.session.commit()
    return contract


def create_portal_user(
    company=None, email: str | None = None, password: str = PASSWORD, commit: bool = True
):
    company = company or create_company()
    n = next(_seq)
    user = PortalUser(
        company_id=company.id,
        email=email or f"portal{n}@exhibitor.example",
        name=f"Portal {n}",
        password_hash=hash_password(password),
        locale="en",
    )
    db.session.add(user)
    db.session.flush()
    if commit:
        db.session.commit()
    return user
