"""Sending invitations says how many go and to whom first; a question with answers stays."""

from __future__ import annotations

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.mail.models import OutboxMessage
from expo_crm.surveys import responses
from expo_crm.surveys.models import SurveyInvitation, SurveyQuestion
from tests.factories import (
    create_checked_in_visitors,
    create_show,
    create_staff,
    create_survey_campaign,
)
from tests.helpers import login, post_form, text_of
from tests.surveys.test_campaigns import _answers


def test_the_campaign_page_shows_how_many_invitations_will_go_and_to_whom(app, client):
    show = create_show()
    create_checked_in_visitors(show, 3, prefix="preview")
    campaign = create_survey_campaign(show)
    login(client, create_staff("service").email)
    url = f"/surveys/campaigns/{campaign.id}"
    page = text_of(client.get(url))
    assert "Invitations to be emailed: 3" in page
    assert "preview-0@example.com" in page and "preview-2@example.com" in page
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0

    post_form(client, f"{url}/send", {}, page=url)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 3
    assert "Invitations to be emailed: 0" in text_of(client.get(url))


def test_a_question_with_answers_offers_no_remove_and_is_refused(app, client):
    show = create_show()
    create_checked_in_visitors(show, 1, prefix="answered")
    campaign = create_survey_campaign(show, send=True)
    invitation = db.session.scalar(sa.select(SurveyInvitation))
    responses.submit_response(invitation, _answers(campaign.survey, comment="ok"), clock.now())
    db.session.commit()
    question = campaign.survey.questions[0]
    login(client, create_staff("service").email)
    url = f"/surveys/{campaign.survey.id}"
    page = text_of(client.get(url))
    assert "Answers: 1" in page
    assert f"/questions/{question.id}/delete" not in page

    refused = post_form(client, f"{url}/questions/{question.id}/delete", {}, page=url)
    assert "A question with answers cannot be removed" in text_of(client.get(refused.location))
    assert db.session.get(SurveyQuestion, question.id) is not None
