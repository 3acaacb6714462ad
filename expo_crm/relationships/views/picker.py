"""The customer picker's search: a read-only JSON answer for the forms that choose a customer."""

from __future__ import annotations

from flask import jsonify, request

from expo_crm.auth.permissions import requires
from expo_crm.relationships.subjects import search_subjects
from expo_crm.relationships.views import bp


@bp.route("/customers/search.json")
@requires("complaints.manage")
def customer_search():
    """Up to twenty customers of any kind by name, tax id, email, mobile or number."""
    return jsonify(results=search_subjects(request.args.get("q", "")))
