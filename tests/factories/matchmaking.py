"""Categories, exhibitors that offer them and trade visitors that seek them."""

from __future__ import annotations

from expo_crm.categories import services as categories
from expo_crm.db import db
from expo_crm.exhibitors import offers
from expo_crm.visitors import services as visitors

from .exhibitors import create_company, create_contact, create_contract
from .visitors import create_registration

__all__ = ["create_category", "create_exhibitor_offering", "create_buyer"]


def create_category(code: str, name_zh: str, name_en: str, parent=None, commit: bool = True):
    category = categories.save_category(
        code=code, name_zh=name_zh, name_en=name_en, parent_id=parent.id if parent else None
    )
    if commit:
        db.session.commit()
    return category


def create_exhibitor_offering(
    show, categories_offered=(), *, signed: bool = True, locale: str = "en", commit: bool = True
):
    """A company with a contract for the show (signed unless asked), a primary contact, and
    the categories it offers."""
    company = create_company(commit=False)
    create_contact(company, locale=locale, is_primary=True, commit=False)
    create_contract(company, show, signed=signed, commit=False)
    offers.set_offer(company, [c.id for c in categories_offered], "")
    if commit:
        db.session.commit()
    return company


def create_buyer(
    show,
    categories_sought=(),
    *,
    consent: bool = True,
    authority: str | None = "decides",
    intent: str | None = "buying_now",
    locale: str = "en",
    commit: bool = True,
    **details,
):
    """A trade visitor's active registration: (registration, badge code)."""
    registration, code = create_registration(
        show,
        locale=locale,
        purchasing_authority=authority,
        buying_intent=intent,
        commit=False,
        **details,
    )
    registration.meeting_consent = consent
    visitors.set_sought_categories(registration.visitor, [c.id for c in categories_sought])
    if commit:
        db.session.commit()
    return registration, code
