"""Roles, capabilities and access declarations.

Every view declares who may reach it with one of the decorators below; `authorise_request`
(run before every request) is the only place that checks. A view without a declaration is
refused, so a forgotten decorator fails closed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask_babel import lazy_gettext as _l

from expo_crm.db import LabeledEnum


class Role(LabeledEnum):
    admin = "admin"
    sales = "sales"
    service = "service"
    gate = "gate"
    marketing = "marketing"

    @classmethod
    def labels(cls) -> dict:
        return {
            "admin": _l("Administrator"),
            "sales": _l("Sales"),
            "service": _l("Customer service"),
            "gate": _l("Gate staff"),
            "marketing": _l("Marketing"),
        }


ALL_STAFF = frozenset(Role)

# capability -> roles that hold it (admin holds every capability).
CAPABILITIES: dict[str, frozenset[Role]] = {
    "dashboard.view": ALL_STAFF,
    "shows.view": ALL_STAFF,
    "shows.manage": frozenset({Role.admin}),
    "exhibitors.view": frozenset({Role.sales, Role.service, Role.marketing}),
    "exhibitors.manage": frozenset({Role.sales}),
    "exhibitors.finance": frozenset({Role.sales}),
    "exhibitors.import": frozenset({Role.sales}),
    "invoicing.view": frozenset({Role.sales, Role.service}),
    "invoicing.manage": frozenset({Role.sales}),
    "visitors.view": frozenset({Role.service, Role.marketing}),
    "visitors.manage": frozenset({Role.service}),
    "visitors.export": frozenset(),
    "visitors.desk": frozenset({Role.gate, Role.service}),
    "gate.scan": frozenset({Role.gate, Role.service}),
    "gate.devices": frozenset(),
    "attendance.view": frozenset({Role.gate, Role.service, Role.marketing, Role.sales}),
    "suppliers.view": frozenset({Role.service, Role.sales}),
    "suppliers.manage": frozenset({Role.service}),
    "partners.view": frozenset({Role.marketing, Role.sales}),
    "partners.manage": frozenset({Role.marketing}),
    "relationships.view": frozenset({Role.sales, Role.service, Role.marketing}),
    "relationships.manage": frozenset({Role.sales, Role.service}),
    "lifecycle.configure": frozenset(),
    "complaints.manage": frozenset({Role.service, Role.sales}),
    "surveys.view": frozenset({Role.service, Role.marketing}),
    "surveys.manage": frozenset({Role.service}),
    "mail.view": frozenset({Role.service}),
    "tasks.view": frozenset({Role.sales, Role.service, Role.marketing, Role.gate}),
    "team.view": frozenset(),
    "staff.manage": frozenset(),
    "jobs.manage": frozenset(),
    "audit.view": frozenset(),
    "reports.view": frozenset({Role.sales, Role.service, Role.marketing}),
    "categories.view": frozenset({Role.sales, Role.service, Role.marketing}),
    "categories.manage": frozenset({Role.sales, Role.marketing}),
    "matchmaking.view": frozenset({Role.sales, Role.service, Role.marketing}),
    "matchmaking.manage": frozenset({Role.sales, Role.service}),
}


def role_has(role: Role | str, capability: str) -> bool:
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    role = Role(role)
    return role is Role.admin or role in CAPABILITIES[capability]


# --- declarations -----------------------------------------------------------------------


class Access:
    """What a view requires. kind: public | staff | portal | token."""

    def __init__(self, kind: str, capabilities: tuple[str, ...] = (), token_role: str = ""):
        self.kind = kind
        self.capabilities = capabilities
        self.token_role = token_role

    def __repr__(self) -> str:
        return f"Access({self.kind!r}, {self.capabilities!r}, {self.token_role!r})"


def _declare(access: Access) -> Callable:
    def decorator(view: Callable) -> Callable:
        for cap in access.capabilities:
            if cap not in CAPABILITIES:
                raise KeyError(f"{view.__name__}: unknown capability {cap!r}")

        @wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        wrapper.access = access  # type: ignore[attr-defined]
        return wrapper

    return decorator


def public(view: Callable) -> Callable:
    """Reachable by anyone, signed in or not (registration pages, login, survey links)."""
    return _declare(Access("public"))(view)


def requires(*capabilities: str) -> Callable:
    """A signed-in, active staff user whose role holds every capability named."""
    return _declare(Access("staff", capabilities))


def portal(view: Callable) -> Callable:
    """A signed-in exhibitor portal user; the view must still scope every query to its company."""
    return _declare(Access("portal"))(view)


def device_token(role: str) -> Callable:
    """A bearer token of a device with this role (gate scanners)."""
    return _declare(Access("token", token_role=role))


def access_of(view: Callable | None) -> Access | None:
    return getattr(view, "access", None)
