"""The exhibitor portal's pages. Every query is scoped to current_user.company_id: another
company's record is a 404, a staff user gets 403 (auth.guard), every form carries CSRF.

The blueprint has no url_prefix because it also answers the addresses the portal had before
it moved under /portal (old_addresses.py): invitation links already emailed, bookmarks."""

from flask import Blueprint, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from expo_crm.exhibitors import participation
from expo_crm.exhibitors.models import Contract
from expo_crm.navigation import nav_item

bp = Blueprint("portal", __name__)

nav_item(_l("My participation"), "portal.home", audience="exhibitor", order=10)
nav_item(_l("Leads"), "portal.leads", audience="exhibitor", order=20)
nav_item(_l("Our products"), "portal.offer", audience="exhibitor", order=22)
nav_item(_l("My return"), "portal.returns_page", audience="exhibitor", order=25)
nav_item(_l("Messages"), "portal.messages", audience="exhibitor", order=30)
nav_item(_l("Services"), "portal.service_catalogue", audience="exhibitor", order=40)
nav_item(_l("Complaints"), "portal.complaints", audience="exhibitor", order=60)


def participation_or_404(show_id: int | None) -> Contract | None:
    """The company's contract for the show asked for (404 if it has none), else its current one."""
    contract = participation.current_participation(current_user.company_id, show_id)
    if contract is None and show_id is not None:
        abort(404)
    return contract


def own_contract_or_404(contract_id: int) -> Contract:
    contract = participation.own_contract(current_user.company_id, contract_id)
    if contract is None:
        abort(404)
    return contract


from expo_crm.portal.views import (  # noqa: F401  (routes on this blueprint)
    account,
    complaints,
    contracts,
    leads,
    messages,
    offers,
    old_addresses,
    orders,
    rebooking,
    returns,
)
