"""Exhibitors blueprint: staff pages (companies, sales, import). The exhibitor portal is expo_crm.portal."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from expo_crm.navigation import nav_item

bp = Blueprint("exhibitors", __name__, url_prefix="/exhibitors")

nav_item(_l("Exhibitors"), "exhibitors.company_list", "exhibitors.view", order=30, group="sales")
nav_item(_l("Applications"), "exhibitors.review_queue", "exhibitors.view", order=31, group="sales")
nav_item(_l("Booths"), "exhibitors.booth_list", "exhibitors.view", order=32, group="sales")
nav_item(
    _l("Exhibitor returns"), "exhibitors.returns_list", "exhibitors.view", order=33, group="sales"
)

from expo_crm.exhibitors.views import (  # noqa: F401
    applying,
    companies,
    hallplan,
    imports,
    panels,
    rebooking,
    returns,
    sales,
)
