"""The navigation menu: each blueprint registers its entries; the menu shows those the user may reach."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for


@dataclass(frozen=True)
class NavItem:
    label: object  # a lazy translated string
    endpoint: str
    capability: str | None
    audience: str  # "staff" or "exhibitor"
    order: int


_items: dict[str, NavItem] = {}


def nav_item(
    label, endpoint: str, capability: str | None = None, audience: str = "staff", order: int = 100
) -> None:
    _items[endpoint] = NavItem(label, endpoint, capability, audience, order)


def items_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):  # also a proxy to no user, outside requests
        return []
    kind = getattr(user, "kind", None)
    visible = []
    for item in sorted(_items.values(), key=lambda i: (i.order, str(i.label))):
        if item.audience != kind:
            continue
        if item.capability and not (kind == "staff" and user.can(item.capability)):
            continue
        visible.append(
            {"label": item.label, "url": url_for(item.endpoint), "endpoint": item.endpoint}
        )
    return visible
