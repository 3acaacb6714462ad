"""What matchmaking hears from the packages below it and adds to their registries."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from expo_crm import signals
from expo_crm.exhibitors.returns import meetings_source
from expo_crm.matchmaking import services
from expo_crm.relationships.value import value_source
from expo_crm.visitors.views.public import self_service_page


@signals.lead_scanned.connect
def held_by_scan(
    _lead_id: int, *, company_id: int, show_id: int, visitor_id: int, at: datetime
) -> None:
    """A badge scanned at the booth around a confirmed meeting's time: the meeting was held."""
    services.confirm_by_scan(company_id, show_id, visitor_id, at)


self_service_page(_l("My meetings"), "matchmaking.visitor_meetings")


@value_source("visitor_meetings")
def visitor_meetings() -> list[tuple[int, int, int]]:
    """(visitor_id, show_id, meetings held): each adds to the visitor's profit of that edition."""
    return [(v, s, n) for (v, s), n in services.held_meetings_by_visitor().items()]


@meetings_source
def meetings_held(show_id: int) -> dict[int, int]:
    """Meetings held per exhibitor, for its return on exhibiting."""
    return services.held_meetings_by_company(show_id)
