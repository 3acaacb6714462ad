"""In real Chromium: a visitor answers the post-show survey through the one-time link in the email,
and the service staff see the answer on the campaign's results page."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from expo_crm.db import db
from expo_crm.mail.models import OutboxMessage
from expo_crm.surveys.models import QuestionKind, SurveyResponse
from tests.factories import (
    create_checked_in_visitors,
    create_show,
    create_staff,
    create_survey_campaign,
)
from tests.helpers import sign_in_page


def _emailed_link(address: str) -> str:
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.to_address == address))
    return re.search(r"https?://[^/\s]+(/s/\S+)", message.body_text).group(1)


def test_a_visitor_answers_through_the_emailed_link_and_staff_see_it_in_the_results(page, app):
    show = create_show(name_en="Hardware Fair 2027")
    create_checked_in_visitors(show, 2, prefix="answer")
    campaign = create_survey_campaign(show, send=True)
    questions = {q.kind: q for q in reversed(campaign.survey.questions)}  # the first of each kind
    link = _emailed_link("answer-0@example.com")

    page.goto(link)
    expect(page.locator("h1")).to_have_text("Post-show satisfaction survey", use_inner_text=True)
    page.locator("button[type=submit]").click()
    expect(page.locator("body")).to_contain_text(
        "Please answer", use_inner_text=True
    )  # nothing chosen yet: refused, kept open

    page.check(f"input[name=q{questions[QuestionKind.nps].id}][value='9']")
    for question in campaign.survey.questions:
        if question.kind is QuestionKind.rating:
            page.check(f"input[name=q{question.id}][value='4']")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("See new products").check()
    page.get_by_label("Industry networking").check()
    page.fill(
        f"textarea[name=q{questions[QuestionKind.text].id}]",
        "The new hall layout made finding suppliers easy.",
    )
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status")).to_contain_text("have been recorded", use_inner_text=True)

    page.goto(link)
    expect(page.locator("body")).to_contain_text("already been answered", use_inner_text=True)
    db.session.rollback()  # a fresh snapshot: the answer was committed by the server
    response = db.session.scalars(sa.select(SurveyResponse)).one()
    assert (response.nps, str(response.satisfaction)) == (9, "4.00")

    staff = create_staff("service", locale="en")
    sign_in_page(page, staff.email)
    page.goto(f"/surveys/campaigns/{campaign.id}")
    expect(page.locator("#response-rate")).to_contain_text("50%", use_inner_text=True)
    expect(page.locator("#response-rate")).to_contain_text("1 / 2", use_inner_text=True)
    expect(page.locator("#nps")).to_contain_text(
        "100", use_inner_text=True
    )  # one promoter, no detractor
    expect(page.locator("#satisfaction")).to_contain_text("4.00", use_inner_text=True)
    expect(page.locator("body")).to_contain_text(
        "The new hall layout made finding suppliers easy.", use_inner_text=True
    )
