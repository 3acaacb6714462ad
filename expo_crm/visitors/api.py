"""Gate check-in API (docs/contracts.md): POST /api/v1/checkins, a gate device's bearer token."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from expo_crm.auth.permissions import device_token
from expo_crm.converters import json_nests_deeper_than
from expo_crm.db import reads_first
from expo_crm.visitors.checkin import BadRequest, check_in, parse_request

bp = Blueprint("visitors_api", __name__, url_prefix="/api/v1")

# A scan is a flat object of a few short fields: a larger body is a 413, a deeper one a 400.
MAX_BODY_BYTES = 4096
MAX_JSON_DEPTH = 8


@bp.route("/checkins", methods=["POST"])
@device_token("gate")
@reads_first
def checkins():
    token = g.device_token
    # The app-wide limit already bounds what is read (the stream is opened before this view).
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise RequestEntityTooLarge()
    text = request.get_data(cache=True)
    if len(text) > MAX_BODY_BYTES:
        raise RequestEntityTooLarge()
    try:
        if json_nests_deeper_than(text, MAX_JSON_DEPTH):
            raise BadRequest(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        scan = parse_request(request.get_json(silent=True))
        body, status = check_in(
            show_id=token.show_id,
            code=scan.code,
            gate=scan.gate,
            direction=scan.direction,
            nonce=scan.nonce,
            device_key=f"token:{token.id}",
            device_token_id=token.id,
            scanned_at=scan.scanned_at,
        )
    except BadRequest as refused:
        return jsonify(error="bad_request", detail=str(refused)), 400
    return jsonify(body), status
