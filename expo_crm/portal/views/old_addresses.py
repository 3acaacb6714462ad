"""The addresses the portal's pages had before they moved under /portal. Invitation links
already emailed and bookmarks keep working: each answers with a permanent redirect to the
page's new address, path arguments (the invitation token) and query string kept. Forms are
only posted from our own pages, so only GET addresses are kept."""

from collections.abc import Callable

from flask import redirect, request, url_for

from expo_crm.auth.permissions import public
from expo_crm.portal.views import bp

# old rule -> endpoint of the page now
OLD_ADDRESSES = {
    "/exhibitors/portal/login": "portal.login",
    "/exhibitors/portal/welcome/<token>": "portal.welcome",
    "/exhibitors/portal/": "portal.home",
    "/exhibitors/portal/contracts/<int:contract_id>/contract-<any(zh,en):language>.pdf": (
        "portal.contract_pdf"
    ),
    "/exhibitors/portal/messages": "portal.messages",
    "/exhibitors/portal/leads": "portal.leads",
    "/exhibitors/portal/leads.xlsx": "portal.leads_export",
    "/relationships/portal/complaints": "portal.complaints",
    "/suppliers/portal/services": "portal.service_catalogue",
    "/suppliers/portal/services/<int:item_id>/order": "portal.order_service",
}


def _moved_to(endpoint: str) -> Callable:
    def moved(**arguments):
        target = url_for(endpoint, **arguments)
        if request.query_string:
            target += "?" + request.query_string.decode("latin-1")
        return redirect(target, 301)

    return public(moved)


for rule, endpoint in OLD_ADDRESSES.items():
    bp.add_url_rule(
        rule,
        endpoint="old_" + endpoint.removeprefix("portal."),
        view_func=_moved_to(endpoint),
        methods=["GET"],
    )
