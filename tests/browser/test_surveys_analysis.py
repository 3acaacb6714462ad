"""In real Chromium, in English and in Chinese: the satisfaction analysis of the default post-show
survey draws its importance–performance chart and its gap chart, and the tables beside them
show the numbers the database holds."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from expo_crm import clock
from expo_crm.db import db
from expo_crm.surveys import campaigns, responses
from expo_crm.surveys.models import QuestionKind, QuestionRole, SurveyAnswer
from tests.factories import (
    create_checked_in_visitors,
    create_show,
    create_staff,
    create_survey_campaign,
)
from tests.helpers import sign_in_page


def _mean(question_id: int) -> float:
    return float(
        db.session.scalar(
            sa.select(sa.func.avg(SurveyAnswer.number)).where(
                SurveyAnswer.question_id == question_id
            )
        )
    )


@pytest.mark.parametrize(
    ("locale", "heading", "comment_word"),
    [("en", "Satisfaction analysis", "queue"), ("zh", "满意度分析", "展位")],
)
def test_the_analysis_page_draws_its_charts_beside_the_numbers_of_the_database(
    page, app, locale, heading, comment_word
):
    show = create_show(name_en="Tool Fair 2027")
    create_checked_in_visitors(show, 4, prefix="ipa")
    campaign = create_survey_campaign(show, send=True)
    questions = list(campaign.survey.questions)
    comments = [
        "展位太小，排队太久",
        "展位搭建太慢",
        "Long queue at the door",
        "The queue was slow",
    ]
    for n, invitation in enumerate(campaigns.invitations_of(campaign)):
        form = {}
        for position, q in enumerate(questions):
            if q.kind is QuestionKind.nps:
                form[f"q{q.id}"] = [str(6 + n)]
            elif q.kind is QuestionKind.rating:
                form[f"q{q.id}"] = [str(1 + (position * 3 + n * (position % 4)) % 5)]
            elif q.kind is QuestionKind.text:
                form[f"q{q.id}"] = [comments[n]]
        responses.submit_response(invitation, form, clock.now())
    db.session.commit()

    staff = create_staff("service", locale=locale)
    sign_in_page(page, staff.email)
    page.goto(f"/surveys/campaigns/{campaign.id}/analysis")
    expect(page.locator("h1")).to_contain_text(heading)
    items = [
        q for q in questions if q.kind is QuestionKind.rating and q.role is QuestionRole.performance
    ]
    expect(page.locator("#ipa-chart canvas")).to_have_count(1)
    expect(page.locator("#ipa-chart")).to_have_attribute("data-points", str(len(items)))
    expect(page.locator("#gap-chart canvas")).to_have_count(1)

    for item in items:
        row = page.locator(f"#ipa-table tr[data-question='{item.id}']")
        importance = next(
            q for q in questions if q.pairs_with_id == item.id and q.role is QuestionRole.importance
        )
        expect(row.locator(".performance")).to_have_text(f"{_mean(item.id):.2f}")
        expect(row.locator(".importance")).to_have_text(f"{_mean(importance.id):.2f}")
        expectation = next(
            q
            for q in questions
            if q.pairs_with_id == item.id and q.role is QuestionRole.expectation
        )
        gap = _mean(item.id) - _mean(expectation.id)
        expect(page.locator(f"#gap-table tr[data-question='{item.id}'] .gap")).to_have_text(
            f"{gap:+.2f}"
        )
    expect(page.locator("#levels-table tbody.level")).to_have_count(3)
    word = page.locator("#words-table tr", has=page.locator(".word", has_text=comment_word))
    expect(word.locator(".count")).to_have_text("2")
