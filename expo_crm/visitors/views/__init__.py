"""Visitors blueprint: public registration and self-service, staff lists, desk, gate, attendance."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from expo_crm.navigation import nav_item

bp = Blueprint("visitors", __name__)

nav_item(_l("Visitors"), "visitors.registration_list", "visitors.view", order=40, group="visitors")
nav_item(_l("On-site desk"), "visitors.desk_home", "visitors.desk", order=41, group="visitors")
nav_item(_l("Gate"), "visitors.gate_home", "gate.scan", order=42, group="visitors")
nav_item(
    _l("Attendance"), "visitors.attendance_home", "attendance.view", order=43, group="visitors"
)

from expo_crm.visitors.views import attendance, gate, public, staff  # noqa: F401
