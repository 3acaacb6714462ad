"""Relationships blueprint: timelines, the life cycle, alerts, complaints, value and loyalty."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from expo_crm.navigation import nav_item
from expo_crm.relationships.subjects import segment_label

bp = Blueprint("relationships", __name__, url_prefix="/relationships")
# Stored segments are codes ("large · hardware · CN"): templates show them translated.
bp.add_app_template_global(segment_label, "segment_label")

nav_item(
    _l("Relationships"),
    "relationships.customer_list",
    "relationships.view",
    order=60,
    group="relationships",
)
nav_item(
    _l("Alerts"), "relationships.alert_inbox", "relationships.view", order=61, group="relationships"
)
nav_item(
    _l("Churn risk"), "relationships.at_risk", "relationships.view", order=64, group="relationships"
)
nav_item(
    _l("Complaints"), "relationships.complaint_list", "complaints.manage", order=62, group="service"
)
nav_item(
    _l("Customer value"),
    "relationships.value_report",
    "reports.view",
    order=63,
    group="relationships",
)

from expo_crm.relationships.views import (  # noqa: F401
    churn,
    complaints,
    lifecycle,
    picker,
    prediction,
    timeline,
    value,
)
