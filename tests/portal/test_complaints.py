"""The exhibitor's complaints in the portal: raised from the portal, scoped to its company."""

from __future__ import annotations

import sqlalchemy as sa

from expo_crm.db import db
from expo_crm.relationships.models import Complaint
from tests.factories import PASSWORD, create_complaint, create_lc_company, create_portal_user
from tests.helpers import csrf_from, post_form, text_of


def test_portal_complaints_are_scoped_to_the_company(app, client):
    ours, theirs = create_lc_company("Ours"), create_lc_company("Theirs")
    foreign = create_complaint("exhibitor", theirs.id, description="Their private complaint")
    user = create_portal_user(ours)
    post_form(client, "/portal/login", {"email": user.email, "password": PASSWORD})
    response = post_form(
        client,
        "/portal/complaints",
        {
            "category": "booth",
            "show_id": "0",
            "description": "Our booth had no power.",
        },
    )
    assert response.status_code == 302
    page = text_of(client.get("/portal/complaints"))
    assert "Our booth had no power." in page and "Their private complaint" not in page
    ours_complaint = db.session.scalar(sa.select(Complaint).where(Complaint.company_id == ours.id))
    assert ours_complaint.source.value == "portal"
    token = csrf_from(page)
    assert (
        client.post(
            f"/portal/complaints/{foreign.id}/verdict",
            data={"csrf_token": token, "verdict": "satisfied"},
        ).status_code
        == 404
    )
    assert client.get("/relationships/complaints").status_code in (302, 403)
