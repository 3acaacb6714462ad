"""Serves the OpenAPI description. Public: the contract of docs/contracts.md, no data."""

from __future__ import annotations

from flask import Blueprint, jsonify

from expo_crm.apidocs.spec import openapi_document
from expo_crm.auth.permissions import public

bp = Blueprint("apidocs", __name__, url_prefix="/api/v1")


@bp.route("/openapi.json")
@public
def openapi():
    response = jsonify(openapi_document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
