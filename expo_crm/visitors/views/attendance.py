"""Live attendance: a page whose static script polls a JSON endpoint; a dashboard panel."""

from __future__ import annotations

from flask import current_app, redirect, render_template, url_for

from expo_crm.auth.permissions import requires
from expo_crm.dashboard import dashboard_panel
from expo_crm.db import db
from expo_crm.shows.choice import chosen_show
from expo_crm.shows.models import Show
from expo_crm.shows.services import list_shows
from expo_crm.visitors import attendance, jobs
from expo_crm.visitors.views import bp


@bp.route("/visitors/attendance")
@requires("attendance.view")
def attendance_home():
    show = chosen_show()
    if show is None:
        return render_template("visitors/attendance.html", show=None, shows=[], figures=None)
    return redirect(url_for("visitors.attendance_page", show_id=show.id))


@bp.route("/visitors/attendance/<int:show_id>")
@requires("attendance.view")
def attendance_page(show_id: int):
    show = db.get_or_404(Show, show_id)
    figures = attendance.figures(show)
    return render_template(
        "visitors/attendance.html",
        show=show,
        shows=list_shows(),
        figures=figures,
        charts=attendance.chart_specs(figures),
        snapshots=jobs.snapshots(show)[-24:],
    )


@bp.route("/visitors/attendance/<int:show_id>.json")
@requires("attendance.view")
def attendance_data(show_id: int):
    """Polled by every open attendance page: shared for a few seconds (`as_of` says when the
    figures were computed, `max_age_seconds` how old they may be)."""
    show = db.get_or_404(Show, show_id)
    return current_app.response_class(
        attendance.live_json(show), mimetype=current_app.json.mimetype
    )


@dashboard_panel("visitors/panels/attendance.html", "attendance.view", order=30, lead_for=("gate",))
def attendance_panel() -> dict:
    show = chosen_show()
    return {"show": show, "figures": attendance.figures(show) if show else None}
