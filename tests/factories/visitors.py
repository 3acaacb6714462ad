"""Visitors, registrations with badges, gate device tokens."""

from __future__ import annotations

import itertools

from expo_crm.auth.services import create_device_token
from expo_crm.db import db
from expo_crm.visitors import services
from expo_crm.visitors.models import RegistrationCategory

_seq = itertools.count(1)

__all__ = ["create_registration", "create_gate_token", "badge_code_of"]


def create_registration(
    show,
    *,
    name: str | None = None,
    email: str | None = None,
    company: str = "Acme Tools",
    category: RegistrationCategory | str | None = RegistrationCategory.professional,
    locale: str = "en",
    send_email: bool = False,
    commit: bool = True,
    **details,
):
    """An active registration with a valid badge; returns (registration, plain QR code)."""
    n = next(_seq)
    outcome = services.register(
        show,
        email=email or f"visitor{n}@example.com",
        details={"name": name or f"Visitor {n}", "company": company, "locale": locale} | details,
        terms_accepted=True,
        category=category,
        send_email=send_email,
        check_open=False,
    )
    registration = outcome.registration
    code = services.badge_code(registration.active_badge)
    if commit:
        db.session.commit()
    return registration, code


def create_gate_token(show, name: str = "Gate W1") -> str:
    _, secret = create_device_token(show.id, name, "gate")
    db.session.commit()
    return secret


def badge_code_of(registration) -> str:
    return services.badge_code(registration.active_badge)
