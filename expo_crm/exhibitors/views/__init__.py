"""Exhibitors blueprint: staff pages (companies, sales, import) and the exhibitor portal."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from expo_crm.navigation import nav_item

bp = Blueprint("exhibitors", __name__, url_prefix="/exhibitors")

nav_item(_l("Exhibitors"), "exhibitors.company_list", "exhibitors.view", order=30)
nav_item(_l("Booths"), "exhibitors.booth_list", "exhibitors.view", order=31)
nav_item(_l("My participation"), "exhibitors.portal_home", audience="exhibitor", order=10)
nav_item(_l("Leads"), "exhibitors.portal_leads", audience="exhibitor", order=20)
nav_item(_l("Messages"), "exhibitors.portal_messages", audience="exhibitor", order=30)

from expo_crm.exhibitors.views import companies, imports, panels, portal, sales  # noqa: F401
