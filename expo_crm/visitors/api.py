"""Gate check-in API (docs/contracts.md): POST /api/v1/checkins, a gate device's bearer token."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from expo_crm.auth.permissions import device_token
from expo_crm.db import reads_first
from expo_crm.visitors.checkin import BadRequest, check_in, parse_request

bp = Blueprint("visitors_api", __name__, url_prefix="/api/v1")


@bp.route("/checkins", methods=["POST"])
@device_token("gate")
@reads_first
def checkins():
    token = g.device_token
    try:
        code, gate, direction, nonce = parse_request(request.get_json(silent=True))
    except BadRequest as refused:
        return jsonify(error="bad_request", detail=str(refused)), 400
    body, status = check_in(
        show_id=token.show_id,
        code=code,
        gate=gate,
        direction=direction,
        nonce=nonce,
        device_key=f"token:{token.id}",
        device_token_id=token.id,
    )
    return jsonify(body), status
