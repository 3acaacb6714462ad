"""Issue 14, item 5: in real Chromium, staff read the survey invitation and the visitor's
self-service mail on the customer's timeline and on the outbox page without a usable personal
link; the customer's email keeps the working one."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.mail.jobs import send_outbox
from expo_crm.mail.models import OutboxMessage
from expo_crm.surveys.campaigns import token_for
from expo_crm.surveys.models import SurveyInvitation
from expo_crm.visitors.services import registration_for_token
from tests.factories import (
    create_checked_in_visitors,
    create_registration,
    create_show,
    create_staff,
    create_survey_campaign,
)
from tests.helpers import sign_in_page


def _text(page, selector: str) -> str:
    return page.locator(selector).inner_text()


def test_staff_pages_show_no_usable_personal_link(page, app, smtp_server):
    coming = create_show()
    registration, _code = create_registration(coming, email="li.na@example.com", send_email=True)
    past = create_show(open_from=clock.now().date() - timedelta(days=5))
    [guest_id] = create_checked_in_visitors(past, 1, prefix="guest")
    create_survey_campaign(past, send=True)
    assert send_outbox(clock.now()) == 2
    invitation = db.session.scalars(sa.select(SurveyInvitation)).one()
    survey = token_for(invitation)

    # The customers' emails carry the working links.
    [badge_mail] = smtp_server.to("li.na@example.com")
    text = badge_mail.get_body(("plain",)).get_content()
    manage = re.search(r"/visit/manage/(\S+)", text).group(1)
    assert registration_for_token(manage) == registration
    [survey_mail] = smtp_server.to("guest-0@example.com")
    assert f"/s/{survey}" in survey_mail.get_body(("plain",)).get_content()

    sign_in_page(page, create_staff("service").email)
    for visitor_id, secret, masked in (
        (registration.visitor_id, manage, "/visit/manage/••••••"),
        (guest_id, survey, "/s/••••••"),
    ):
        page.goto(f"/relationships/visitor/{visitor_id}")
        timeline = _text(page, "#timeline") + _text(page, "#where-we-left-off")
        assert masked in timeline, timeline
        assert secret not in page.content()
        assert not re.search(r"/(s|visit/manage)/[A-Za-z0-9_.-]{16,}", page.content())

    for message in db.session.scalars(sa.select(OutboxMessage)):
        page.goto(f"/mail/outbox/{message.id}")
        body = _text(page, "pre.mail-body")
        assert "••••••" in body and manage not in body and survey not in body
