"""Demo data: the post-show satisfaction survey of the two past editions, answered by most.

Runs after the exhibitors and visitors demo (its recipients are their contacts and check-ins) and
before the relationships demo, whose life-cycle evaluation reads these answers. No email is
queued: the invitations of past shows went out long ago.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from expo_crm.surveys import campaigns, responses, services
from expo_crm.surveys.models import CampaignAudience, CampaignState, QuestionKind, QuestionRole

ANSWER_SHARE = 0.6
# Visitors' and exhibitors' comments: some words recur (展位, 搭建, 观众, queue, buyers …) so that
# the analysis groups them.
COMMENTS = (
    "",
    "",
    "",
    "观众质量比去年高，希望继续保持。",
    "展位搭建进场太慢，第一天上午才完工。",
    "搭建商进场排队太久，展位到开幕前才完工。",
    "专业观众很多，采购商质量不错。",
    "餐饮区太拥挤，建议增加座位。",
    "现场餐饮价格偏高，座位不够。",
    "撤场安排混乱，货车排队两个小时。",
    "Great buyers from the Middle East this year.",
    "Serious buyers, we met three new distributors.",
    "The registration desk queue on day one was too long.",
    "Long queue at the registration desk, and the badge printer broke.",
    "Move-in was slow: our booth was finished only on the first morning.",
    "Very well organised, see you next year.",
)

# What the demo's respondents feel, hidden in the answers for the analysis to find, by the
# default survey's items in order: (performance, expectation, importance weight) per segment.
# Organisation and service weigh much and disappoint (concentrate here); the hall layout pleases
# but matters little (possible overkill); build-up matters to exhibitors, hardly to visitors.
ITEM_TRUTHS = {
    "exhibitor": (
        (4.3, 4.0, 0.30),
        (4.2, 3.6, 0.05),
        (3.2, 4.2, 0.35),
        (3.0, 3.8, 0.25),
        (3.9, 4.0, 0.05),
    ),
    "visitor": (
        (4.1, 3.9, 0.30),
        (4.4, 3.7, 0.05),
        (3.3, 4.0, 0.40),
        (3.6, 3.4, 0.05),
        (4.0, 3.9, 0.20),
    ),
}


def seed(ctx) -> None:
    for show in (ctx.earlier, ctx.past):
        _answered_campaign(ctx, show)
    ctx.notes.append("surveys: post-show campaigns of the two past editions, answered by about 60%")


def _answered_campaign(ctx, show) -> None:
    rng = ctx.rng
    sent_at = datetime.combine(show.open_to + timedelta(days=1), time(10), tzinfo=show.tz)
    campaign = campaigns.create_campaign(
        services.default_survey(),
        show,
        CampaignAudience.both,
        campaigns.default_close_at(show),
        at=sent_at,
        automatic=True,
    )
    campaigns.add_invitations(campaign)
    campaign.state = CampaignState.open
    campaign.sent_at = sent_at
    questions = list(campaign.survey.questions)
    for invitation in campaigns.invitations_of(campaign):
        invitation.invited_at = sent_at
        if rng.random() >= ANSWER_SHARE:
            continue
        happy = rng.random() < 0.8
        answered_at = sent_at + timedelta(hours=rng.randint(2, 200))
        answers = _answers(rng, questions, happy, invitation.segment.value)
        responses.submit_response(invitation, answers, answered_at)
    campaigns.close_campaign(campaign, campaign.closes_at)


def _rating(value: float) -> int:
    return max(1, min(5, round(value)))


def _answers(rng, questions, happy: bool, segment: str) -> dict[str, list[str]]:
    truths = ITEM_TRUTHS[segment]
    mood = 0.4 if happy else -1.3
    items = [
        q for q in questions if q.kind is QuestionKind.rating and q.role is QuestionRole.performance
    ]
    performance: dict[int, int] = {}
    for item, (quality, _, _) in zip(items, truths, strict=False):
        performance[item.id] = _rating(quality + mood + rng.gauss(0, 0.6))
    truth_of = {item.id: truth for item, truth in zip(items, truths, strict=False)}
    weights = sum(w for _, _, w in truth_of.values()) or 1
    # Overall satisfaction follows the items by their hidden weights; the NPS follows it.
    overall_value = sum(performance[i] * truth_of[i][2] for i in truth_of) / weights
    overall = _rating(overall_value + rng.gauss(0, 0.3))
    form: dict[str, list[str]] = {}
    for question in questions:
        if question.kind is QuestionKind.nps:
            value = [str(max(0, min(10, round((overall_value - 1) * 2.6 + rng.gauss(0, 1)))))]
        elif question.kind is QuestionKind.rating:
            if question.role is QuestionRole.overall:
                number = overall
            elif question.role is QuestionRole.expectation and question.pairs_with_id in truth_of:
                number = _rating(truth_of[question.pairs_with_id][1] + rng.gauss(0, 0.6))
            elif question.role is QuestionRole.importance and question.pairs_with_id in truth_of:
                weight = truth_of[question.pairs_with_id][2]
                number = _rating(2.2 + weight * 7 + rng.gauss(0, 0.6))
            else:
                number = performance.get(
                    question.id, _rating((4.3 if happy else 2.2) + rng.gauss(0, 0.5))
                )
            value = [str(number)]
        elif question.kind is QuestionKind.single:
            value = ["0" if happy else str(rng.randint(1, len(question.options) - 1))]
        elif question.kind is QuestionKind.multiple:
            picks = rng.sample(range(len(question.options)), rng.randint(1, len(question.options)))
            value = [str(p) for p in sorted(picks)]
        else:
            value = [rng.choice(COMMENTS)]
        form[f"q{question.id}"] = value
    return form
