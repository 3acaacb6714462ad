"""Demo data: the post-show satisfaction survey of the two past editions, answered by most.

Runs after the exhibitors and visitors demo (its recipients are their contacts and check-ins) and
before the relationships demo, whose life-cycle evaluation reads these answers. No email is
queued: the invitations of past shows went out long ago.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from expo_crm.surveys import campaigns, responses, services
from expo_crm.surveys.models import CampaignAudience, CampaignState, QuestionKind

ANSWER_SHARE = 0.6
COMMENTS = (
    "",
    "",
    "观众质量比去年高，希望继续保持。",
    "展位搭建进场太慢，第一天上午才完工。",
    "Great buyers from the Middle East this year.",
    "The registration desk queue on day one was too long.",
    "餐饮区太拥挤，建议增加座位。",
    "Very well organised, see you next year.",
)


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
        responses.submit_response(invitation, _answers(rng, questions, happy), answered_at)
    campaigns.close_campaign(campaign, campaign.closes_at)


def _answers(rng, questions, happy: bool) -> dict[str, list[str]]:
    form: dict[str, list[str]] = {}
    for question in questions:
        if question.kind is QuestionKind.nps:
            value = [str(rng.randint(8, 10) if happy else rng.randint(2, 6))]
        elif question.kind is QuestionKind.rating:
            value = [str(rng.randint(4, 5) if happy else rng.randint(1, 3))]
        elif question.kind is QuestionKind.single:
            value = ["0" if happy else str(rng.randint(1, len(question.options) - 1))]
        elif question.kind is QuestionKind.multiple:
            picks = rng.sample(range(len(question.options)), rng.randint(1, len(question.options)))
            value = [str(p) for p in sorted(picks)]
        else:
            value = [rng.choice(COMMENTS)]
        form[f"q{question.id}"] = value
    return form
