"""The gate page for signed-in gate staff.

It posts scans to a staff-session JSON endpoint (CSRF token in the X-CSRFToken header) that
runs the same check-in logic as the device API; the device key is "staff:<user id>", so
nonces stay idempotent per user. Chosen over minting device tokens for browsers: nothing
secret is kept in the page's storage, and signing out ends the access.
"""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from expo_crm.auth.permissions import requires
from expo_crm.db import db
from expo_crm.shows.choice import chosen_show
from expo_crm.shows.models import Show
from expo_crm.shows.services import list_shows
from expo_crm.visitors.checkin import BadRequest, check_in, parse_request
from expo_crm.visitors.views import bp


@bp.route("/visitors/gate")
@requires("gate.scan")
def gate_home():
    show = chosen_show()
    if show is not None and "show" not in request.args:
        return redirect(url_for("visitors.gate_page", show_id=show.id))
    return render_template("visitors/gate_choose.html", shows=list_shows())


@bp.route("/visitors/gate/<int:show_id>")
@requires("gate.scan")
def gate_page(show_id: int):
    show = db.get_or_404(Show, show_id)
    return render_template("visitors/gate.html", show=show, shows=list_shows())


@bp.route("/visitors/gate/<int:show_id>/checkins", methods=["POST"])
@requires("gate.scan")
def gate_checkin(show_id: int):
    db.get_or_404(Show, show_id)
    try:
        scan = parse_request(request.get_json(silent=True))
        body, status = check_in(
            show_id=show_id,
            code=scan.code,
            gate=scan.gate,
            direction=scan.direction,
            nonce=scan.nonce,
            device_key=f"staff:{current_user.id}",
            staff_id=current_user.id,
            scanned_at=scan.scanned_at,
        )
    except BadRequest as refused:
        return jsonify(error="bad_request", detail=str(refused)), 400
    return jsonify(body), status
