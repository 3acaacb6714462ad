"""The navigation menu: each blueprint registers its entries; the menu shows those the user may reach.

Staff entries sit in groups named by the work (sales, visitors and the gate, service,
relationships, administration); each role sees only the entries its capabilities open and only
the groups left with an entry. Exhibitors' portal entries form one ungrouped list.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: object  # a lazy translated string
    order: int


@dataclass(frozen=True)
class NavItem:
    label: object  # a lazy translated string
    endpoint: str
    capability: str | None
    audience: str  # "staff" or "exhibitor"
    order: int
    group: str | None


GROUPS: dict[str, NavGroup] = {
    group.key: group
    for group in (
        NavGroup("sales", _l("Sales"), 20),
        NavGroup("visitors", _l("Visitors and gate"), 30),
        NavGroup("service", _l("Service"), 40),
        NavGroup("relationships", _l("Relationships"), 50),
        NavGroup("admin", _l("Administration"), 90),
    )
}

_items: dict[str, NavItem] = {}


def nav_item(
    label,
    endpoint: str,
    capability: str | None = None,
    audience: str = "staff",
    order: int = 100,
    group: str | None = None,
) -> None:
    """Adds a menu entry; `group` is one of GROUPS' keys, or None for the top of the menu."""
    if group is not None and group not in GROUPS:
        raise LookupError(f"no navigation group {group!r}; known: {', '.join(GROUPS)}")
    _items[endpoint] = NavItem(label, endpoint, capability, audience, order, group)


def _visible(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):  # also a proxy to no user, outside requests
        return []
    kind = getattr(user, "kind", None)
    return [
        item
        for item in sorted(_items.values(), key=lambda i: (i.order, str(i.label)))
        if item.audience == kind
        and not (item.capability and not (kind == "staff" and user.can(item.capability)))
    ]


def items_for(user) -> list[dict]:
    """The entries the user may open, in menu order, each with its group's key."""
    return [
        {
            "label": item.label,
            "url": url_for(item.endpoint),
            "endpoint": item.endpoint,
            "group": item.group,
        }
        for item in _visible(user)
    ]


def sections_for(user) -> list[dict]:
    """The menu as sections: the ungrouped entries first, then each group that has an entry."""
    entries = items_for(user)
    sections = [{"key": None, "label": None, "items": [e for e in entries if e["group"] is None]}]
    for group in sorted(GROUPS.values(), key=lambda g: g.order):
        grouped = [e for e in entries if e["group"] == group.key]
        if grouped:
            sections.append({"key": group.key, "label": group.label, "items": grouped})
    return [s for s in sections if s["items"]]
