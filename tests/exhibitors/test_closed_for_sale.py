"""Issue 14, item 3: a show that is over is closed for sale (no new applications, booths or
contracts) unless an administrator reopens it with a reason; who, when and why are kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale

from expo_crm import clock
from expo_crm.audit.models import AuditEvent
from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.errors import UserError
from expo_crm.exhibitors import applications, booths, contracts
from expo_crm.exhibitors.models import ApplicationState
from tests.factories import (
    create_application,
    create_booth,
    create_company,
    create_show,
    create_staff,
)
from tests.helpers import login, post_form, text_of


def _last_years_show():
    return create_show(open_from=clock.now().date() - timedelta(days=365), code="FAIR2025")


def test_a_show_that_is_over_takes_no_new_application_booth_or_contract(app):
    show = _last_years_show()
    with force_locale("en"):
        _refused_for_sale(show)


def _refused_for_sale(show) -> None:
    with pytest.raises(UserError, match="is over and closed for sale"):
        applications.create_application(
            create_company(), show.id, requested_area_m2=18, booth_type="shell_scheme"
        )
    db.session.rollback()

    approved = create_application(show=show, state=ApplicationState.approved)  # made at the time
    booth = create_booth(show)
    with pytest.raises(UserError, match="closed for sale"):
        booths.assign_booth(approved, booth.id)
    db.session.rollback()
    with pytest.raises(UserError, match="closed for sale"):
        contracts.create_contract(approved)


def test_a_show_still_to_come_is_on_sale(app):
    show = create_show()
    application = applications.create_application(
        create_company(), show.id, requested_area_m2=18, booth_type="shell_scheme"
    )
    assert application.id is not None


def test_an_admin_reopens_a_show_for_sale_with_a_reason_and_it_is_kept_and_audited(client):
    admin = create_staff(Role.admin, name="Admin Li")
    show = _last_years_show()
    login(client, admin.email)
    page = text_of(client.get(f"/shows/{show.id}"))
    assert "closed for sale" in page

    refused = post_form(
        client, f"/shows/{show.id}/sales/reopen", {"reason": " "}, page=f"/shows/{show.id}"
    )
    assert refused.status_code == 302
    db.session.expire_all()
    assert show.sales_reopened_at is None

    post_form(
        client,
        f"/shows/{show.id}/sales/reopen",
        {"reason": "Late contract signed on site, entered afterwards"},
        page=f"/shows/{show.id}",
    )
    db.session.expire_all()
    assert show.sales_reopened_by_id == admin.id and show.sales_reopened_at is not None
    assert show.sales_reopened_reason == "Late contract signed on site, entered afterwards"
    event = db.session.query(AuditEvent).filter_by(action="show.reopen_for_sale").one()
    assert event.actor_label == admin.email
    assert event.after["reason"] == "Late contract signed on site, entered afterwards"
    page = text_of(client.get(f"/shows/{show.id}"))
    assert "reopened for sale by Admin Li" in page and "Late contract signed on site" in page

    application = applications.create_application(
        create_company(), show.id, requested_area_m2=18, booth_type="shell_scheme"
    )
    assert application.show_id == show.id

    post_form(client, f"/shows/{show.id}/sales/close", {}, page=f"/shows/{show.id}")
    db.session.expire_all()
    assert show.sales_reopened_at is None
    assert db.session.query(AuditEvent).filter_by(action="show.close_for_sale").count() == 1


def test_only_an_admin_may_reopen_a_show_for_sale(client):
    show = _last_years_show()
    login(client, create_staff(Role.sales).email)
    page = text_of(client.get(f"/shows/{show.id}"))
    assert "closed for sale" in page and "Reopen for sale" not in page
    response = client.post(f"/shows/{show.id}/sales/reopen", data={"reason": "please"})
    assert response.status_code in (400, 403)
    db.session.expire_all()
    assert show.sales_reopened_at is None
