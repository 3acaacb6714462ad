"""Invoicing pages: staff (reconciliation, documents, the accountant's export, fapiao requests)
under /invoicing, and the exhibitor's invoices and fapiao requests under /portal/invoices."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from expo_crm.navigation import nav_item

bp = Blueprint("invoicing", __name__)

nav_item(_l("Invoices"), "invoicing.overview", "invoicing.view", order=35, group="sales")
nav_item(
    _l("Fapiao requests"), "invoicing.fapiao_requests", "invoicing.view", order=36, group="sales"
)
nav_item(_l("Invoices"), "invoicing.portal_invoices", audience="exhibitor", order=15)

from expo_crm.invoicing.views import portal, staff  # noqa: F401  (routes on this blueprint)
