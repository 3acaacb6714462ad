"""The recommender ranks a planted perfect match first both ways, gives its reason in the
reader's language, and never recommends a visitor who did not consent or an exhibitor
without a live contract."""

from __future__ import annotations

import random

import sqlalchemy as sa
from flask_babel import force_locale

from expo_crm.db import db
from expo_crm.exhibitors import contracts
from expo_crm.exhibitors.participation import current_participation
from expo_crm.matchmaking import recommend
from expo_crm.matchmaking.models import Recommendation
from tests.factories import (
    create_buyer,
    create_category,
    create_exhibitor_offering,
    create_show,
)


def test_a_planted_perfect_match_ranks_first_and_the_unwilling_are_never_recommended(app):
    rng = random.Random(17)
    show = create_show()
    tools = create_category("TOOLS", "工具", "Tools", commit=False)
    common = [
        create_category(f"TOOLS.{n}", f"工具{n}", f"tool {n}", parent=tools, commit=False)
        for n in range(8)
    ]
    locks = create_category("LOCK", "锁具", "Locks", commit=False)
    door = create_category("LOCK.DOOR", "门锁", "door locks", parent=locks, commit=False)
    companies = [
        create_exhibitor_offering(show, rng.sample(common, 3), commit=False) for _ in range(12)
    ]
    seller = create_exhibitor_offering(show, [door], commit=False)
    cancelled = create_exhibitor_offering(show, [door, *common], commit=False)
    contracts.cancel_contract(current_participation(cancelled.id, show.id), "test")
    for _ in range(25):
        create_buyer(
            show,
            rng.sample(common, 2),
            authority=rng.choice(["decides", "recommends", "none", None]),
            intent=rng.choice(["buying_now", "within_year", "researching", None]),
            commit=False,
        )
    planted, _ = create_buyer(show, [door], authority="decides", commit=False)
    unwilling = [
        create_buyer(show, [door, *common], consent=False, commit=False)[0].visitor_id
        for _ in range(3)
    ]
    general, _ = create_buyer(show, [door, *common], category="general", commit=False)
    db.session.commit()

    stored = recommend.compute_recommendations(show.id)
    db.session.commit()

    assert stored > 0
    assert [r.visitor_id for r in recommend.for_company(seller.id, show.id)][0] == (
        planted.visitor_id
    )
    best = recommend.for_visitor(planted.visitor_id, show.id)
    assert best[0].company_id == seller.id
    recommended_visitors = set(db.session.scalars(sa.select(Recommendation.visitor_id)))
    assert recommended_visitors.isdisjoint(unwilling + [general.visitor_id])
    assert cancelled.id not in set(db.session.scalars(sa.select(Recommendation.company_id)))
    assert {c.id for c in companies} & set(db.session.scalars(sa.select(Recommendation.company_id)))

    reason = recommend.for_company(seller.id, show.id)[0]
    with force_locale("en"):
        assert recommend.reason_for_exhibitor(reason) == (
            "seeks 门锁 / door locks, which you offer; purchasing authority: decides"
        )
    with force_locale("zh"):
        assert "门锁 / door locks" in recommend.reason_for_exhibitor(reason)
        assert "purchasing" not in recommend.reason_for_exhibitor(reason)


def test_a_visitor_who_withdraws_consent_disappears_at_once(app):
    show = create_show()
    door = create_category("LOCK.DOOR", "门锁", "door locks")
    seller = create_exhibitor_offering(show, [door])
    buyer, _ = create_buyer(show, [door])
    recommend.compute_recommendations(show.id)
    db.session.commit()
    assert [r.visitor_id for r in recommend.for_company(seller.id, show.id)] == [buyer.visitor_id]
    buyer.meeting_consent = False
    db.session.commit()
    assert recommend.for_company(seller.id, show.id) == []
