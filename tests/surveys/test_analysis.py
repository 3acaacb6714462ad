"""Satisfaction analysis: a hand-made survey's gaps, importance and IPA quadrants come out as
computed by hand; comments group by recurring words in Chinese and in English; a survey without
expectation questions says why it has no gap chart; staff pair questions on the survey page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.surveys import campaigns, responses, services
from expo_crm.surveys.analysis import ImportanceMethod, Quadrant, analyse
from expo_crm.surveys.comments import word_groups
from expo_crm.surveys.models import (
    QuestionKind,
    QuestionRole,
    SatisfactionLevel,
    SurveyQuestion,
    SurveyResponse,
)
from tests.factories import (
    create_checked_in_visitors,
    create_show,
    create_staff,
    create_survey_campaign,
)
from tests.helpers import login, post_form, text_of

# Four trade visitors' answers (one column each) to the hand-made survey.
NPS = (10, 8, 10, 8)
OVERALL = (5, 4, 5, 4)
PERFORMANCE = {"A": (5, 4, 5, 4), "B": (2, 3, 2, 3), "C": (4, 4, 3, 3), "D": (2, 2, 2, 3)}
IMPORTANCE = {"A": (5, 5, 4, 4), "B": (5, 4, 5, 4), "C": (2, 2, 3, 3), "D": (2, 3, 2, 3)}
EXPECTATION = {"A": (4, 4, 4, 4), "C": (5, 4, 4, 3)}
LEVELS = {
    "A": SatisfactionLevel.product,
    "B": SatisfactionLevel.service,
    "C": SatisfactionLevel.service,
    "D": SatisfactionLevel.social,
}


def _hand_made_survey():
    survey = services.create_survey("手工调查", "Hand-made survey")
    questions = {
        "nps": services.add_question(survey, QuestionKind.nps, "推荐", "Recommend"),
        "overall": services.add_question(
            survey, QuestionKind.rating, "总体", "Overall", role=QuestionRole.overall
        ),
    }
    for key, level in LEVELS.items():
        item = services.add_question(
            survey, QuestionKind.rating, f"项目{key}", f"Item {key}", level=level
        )
        questions[key] = item
        if key in EXPECTATION:
            questions[f"{key}-expected"] = services.add_question(
                survey,
                QuestionKind.rating,
                f"期望{key}",
                f"Expected {key}",
                role=QuestionRole.expectation,
                pairs_with=item,
            )
        questions[f"{key}-importance"] = services.add_question(
            survey,
            QuestionKind.rating,
            f"重要{key}",
            f"Importance {key}",
            role=QuestionRole.importance,
            pairs_with=item,
        )
    questions["comment"] = services.add_question(
        survey, QuestionKind.text, "意见", "Comments", required=False
    )
    return survey, questions


def _answer_all(campaign, questions, *, prefix: str = "hand") -> None:
    by_email = {i.email: i for i in campaigns.invitations_of(campaign)}
    for n in range(4):
        form = {
            f"q{questions['nps'].id}": [str(NPS[n])],
            f"q{questions['overall'].id}": [str(OVERALL[n])],
        }
        for key in LEVELS:
            form[f"q{questions[key].id}"] = [str(PERFORMANCE[key][n])]
            form[f"q{questions[f'{key}-importance'].id}"] = [str(IMPORTANCE[key][n])]
            if key in EXPECTATION:
                form[f"q{questions[f'{key}-expected'].id}"] = [str(EXPECTATION[key][n])]
        responses.submit_response(by_email[f"{prefix}-{n}@example.com"], form, clock.now())
    db.session.commit()


@pytest.fixture
def hand_made(app):
    show = create_show()
    create_checked_in_visitors(show, 4, prefix="hand", category="professional")
    create_checked_in_visitors(show, 1, prefix="other", category="general")
    survey, questions = _hand_made_survey()
    campaign = create_survey_campaign(show, survey=survey, send=True)
    _answer_all(campaign, questions)
    # A general visitor who rates everything 1: in "all visitors", not in "trade visitors".
    other = next(i for i in campaigns.invitations_of(campaign) if i.email.startswith("other"))
    ones = {f"q{q.id}": ["1"] for q in survey.questions if q.kind is QuestionKind.rating}
    responses.submit_response(other, {**ones, f"q{questions['nps'].id}": ["0"]}, clock.now())
    db.session.commit()
    return campaign, questions


def test_stated_importance_places_each_item_in_its_quadrant_as_computed_by_hand(hand_made):
    campaign, questions = hand_made
    result = analyse(campaign, "visitor", "professional")
    assert result.responses == 4
    assert result.method is ImportanceMethod.stated  # every item has an importance question
    by_key = {k: next(i for i in result.items if i.question.id == questions[k].id) for k in LEVELS}
    # performance: A (5+4+5+4)/4, B 10/4, C 14/4, D 9/4; importance likewise from its question
    expected = {
        "A": (4.5, 4.5, Quadrant.keep_up),
        "B": (2.5, 4.5, Quadrant.concentrate),
        "C": (3.5, 2.5, Quadrant.overkill),
        "D": (2.25, 2.5, Quadrant.low_priority),
    }
    for key, (performance, importance, quadrant) in expected.items():
        item = by_key[key]
        assert (item.performance, item.importance, item.quadrant) == (
            pytest.approx(performance),
            pytest.approx(importance),
            quadrant,
        ), key
    # crosshairs: the means of the items
    assert result.mean_performance == pytest.approx((4.5 + 2.5 + 3.5 + 2.25) / 4)
    assert result.mean_importance == pytest.approx(3.5)


def test_derived_importance_is_the_mean_correlation_with_overall_satisfaction_and_nps(hand_made):
    campaign, questions = hand_made
    result = analyse(campaign, "visitor", "professional", ImportanceMethod.derived)
    by_key = {k: next(i for i in result.items if i.question.id == questions[k].id) for k in LEVELS}
    # overall (5,4,5,4) and NPS (10,8,10,8) move together: each item has one r with both.
    # A moves with them (r = 1), B against them (−1), C across them (0); D: deviations
    # (−.25,−.25,−.25,.75) against (.5,−.5,.5,−.5): −0.5 / √(0.75 × 1) = −0.57735.
    hand = {"A": 1.0, "B": -1.0, "C": 0.0, "D": -0.5 / 0.75**0.5}
    for key, r in hand.items():
        assert by_key[key].r_overall == pytest.approx(r, abs=1e-9)
        assert by_key[key].r_nps == pytest.approx(r, abs=1e-9)
        assert by_key[key].importance == pytest.approx(r, abs=1e-9)
    assert result.mean_importance == pytest.approx(sum(hand.values()) / 4)
    assert [by_key[k].quadrant for k in "ABCD"] == [
        Quadrant.keep_up,
        Quadrant.low_priority,
        Quadrant.keep_up,
        Quadrant.low_priority,
    ]


def test_gap_is_performance_minus_expectation_over_respondents_who_answered_both(hand_made):
    campaign, questions = hand_made
    result = analyse(campaign, "visitor", "professional")
    gaps = {i.question.id: i for i in result.gap_items}
    assert set(gaps) == {questions["A"].id, questions["C"].id}
    a, c = gaps[questions["A"].id], gaps[questions["C"].id]
    assert (a.expectation, a.paired_performance, a.gap, a.paired) == (4.0, 4.5, 0.5, 4)
    assert (c.expectation, c.paired_performance, c.gap, c.paired) == (4.0, 3.5, -0.5, 4)
    # by level: service holds B (no expectation) and C
    levels = {g.level: g for g in result.levels}
    assert [i.question.id for i in levels[SatisfactionLevel.service].items] == [
        questions["B"].id,
        questions["C"].id,
    ]
    assert levels[SatisfactionLevel.service].performance == pytest.approx(3.0)
    assert levels[SatisfactionLevel.service].gap == pytest.approx(-0.5)


def test_segments_filter_respondents_and_satisfaction_leaves_expectation_out(hand_made):
    campaign, questions = hand_made
    assert analyse(campaign).responses == 5
    assert analyse(campaign, "visitor").responses == 5
    assert analyse(campaign, "visitor", "general").responses == 1
    first = db.session.scalars(sa.select(SurveyResponse).order_by(SurveyResponse.id)).first()
    # overall 5 and items 5, 2, 4, 2: expectation and importance answers are not satisfaction
    assert str(first.satisfaction) == "3.60"


def test_chinese_comments_group_by_words_jieba_finds():
    comments = [
        "展位搭建太慢了",
        "展位位置很好",
        "餐饮价格太贵",
        "餐饮区拥挤，展位太小",
        "观众质量高",
        "采购商和观众都很专业",
    ]
    groups = word_groups(comments)
    assert [(g.word, g.count) for g in groups] == [("展位", 3), ("观众", 2), ("餐饮", 2)]
    assert groups[0].comments == [comments[0], comments[1], comments[3]]


def test_english_comments_group_by_words_without_stop_words():
    comments = [
        "The registration queue was far too long.",
        "Long queue at registration!",
        "Great buyers from Europe",
        "Serious buyers, great contacts",
        "Thanks",
    ]
    groups = word_groups(comments)
    assert [(g.word, g.count) for g in groups] == [
        ("buyers", 2),
        ("great", 2),
        ("long", 2),
        ("queue", 2),
        ("registration", 2),
    ]
    assert groups[3].comments == comments[:2]


def test_a_survey_without_pairs_explains_why_there_is_no_gap_chart(app, client):
    show = create_show()
    create_checked_in_visitors(show, 3, prefix="plain")
    survey = services.create_survey("简单调查", "Plain survey")
    services.add_question(survey, QuestionKind.nps, "推荐", "Recommend")
    services.add_question(survey, QuestionKind.rating, "服务", "Service")
    services.add_question(survey, QuestionKind.rating, "观众", "People")
    campaign = create_survey_campaign(show, survey=survey, send=True)
    staff = create_staff("service", locale="en")
    login(client, staff.email)

    page = text_of(client.get(f"/surveys/campaigns/{campaign.id}/analysis"))
    assert "No data yet." in page and 'id="ipa-chart"' not in page

    for n, invitation in enumerate(campaigns.invitations_of(campaign)):
        form = {f"q{q.id}": [str(n + 2)] for q in survey.questions}
        responses.submit_response(invitation, form, clock.now())
    db.session.commit()
    page = text_of(client.get(f"/surveys/campaigns/{campaign.id}/analysis"))
    assert 'id="no-gap"' in page
    assert "no question of this survey asks what respondents expected" in page
    assert 'id="gap-chart"' not in page
    assert "Importance: derived" in page  # no importance questions: derived from the NPS


def test_staff_pair_an_expectation_question_on_the_survey_page(app, client):
    survey = services.create_survey("调查", "Survey")
    item = services.add_question(survey, QuestionKind.rating, "服务", "Service")
    comment = services.add_question(survey, QuestionKind.text, "意见", "Comment", required=False)
    db.session.commit()
    staff = create_staff("service", locale="en")
    login(client, staff.email)
    page = f"/surveys/{survey.id}"

    response = post_form(
        client,
        page,
        {
            "kind": "rating",
            "text_zh": "展前期望",
            "text_en": "Expected service",
            "role": "expectation",
            "pairs_with_id": str(item.id),
            "level": "",
            "required": "",
        },
        follow_redirects=True,
    )
    assert "Question added." in text_of(response)
    response = post_form(
        client,
        f"/surveys/{survey.id}/questions/{item.id}/properties",
        {
            f"q{item.id}-role": "performance",
            f"q{item.id}-pairs_with_id": "0",
            f"q{item.id}-level": "service",
        },
        page=page,
        follow_redirects=True,
    )
    assert "Question updated." in text_of(response)
    db.session.expire_all()
    expected = db.session.scalar(
        sa.select(SurveyQuestion).where(SurveyQuestion.text_en == "Expected service")
    )
    assert (expected.role, expected.pairs_with_id) == (QuestionRole.expectation, item.id)
    assert db.session.get(SurveyQuestion, item.id).level is SatisfactionLevel.service
    assert expected.level is SatisfactionLevel.service  # a pair shares its item's level
    editor = text_of(client.get(page))
    assert f'<option selected value="{item.id}">' in editor  # the pair's current choice shown

    # A free-text question cannot measure importance: refused with a message, nothing changed.
    response = post_form(
        client,
        f"/surveys/{survey.id}/questions/{comment.id}/properties",
        {
            f"q{comment.id}-role": "importance",
            f"q{comment.id}-pairs_with_id": str(item.id),
            f"q{comment.id}-level": "",
        },
        page=page,
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Only a rating question can ask about expectation" in text_of(response)
    db.session.expire_all()
    assert db.session.get(SurveyQuestion, comment.id).role is QuestionRole.performance


def test_pairing_rules_refuse_with_a_message_and_change_nothing(app):
    survey = services.create_survey("调查", "Survey")
    item = services.add_question(survey, QuestionKind.rating, "服务", "Service")
    services.add_question(
        survey, QuestionKind.rating, "期望", "Expected", role="expectation", pairs_with=item
    )
    services.add_question(survey, QuestionKind.rating, "总体", "Overall", role="overall")
    elsewhere = services.create_survey("另一份", "Another")
    stranger = services.add_question(elsewhere, QuestionKind.rating, "观众", "People")
    db.session.commit()
    refusals = {
        "a second expectation question for one item": dict(role="expectation", pairs_with=item),
        "a pair in another survey": dict(role="importance", pairs_with=stranger),
        "a second overall question": dict(role="overall"),
        "an importance question paired with nothing": dict(role="importance"),
    }
    for case, properties in refusals.items():
        with pytest.raises(services.SurveyError):
            services.add_question(survey, QuestionKind.rating, "再问", "Again", **properties)
        db.session.rollback()
        assert len(db.session.get(type(survey), survey.id).questions) == 3, case
    # the item has a pair: it cannot stop being a performance question
    with pytest.raises(services.SurveyError, match="已有其他题目与本题配对"):
        services.set_analysis_properties(item, "overall", None, None)
