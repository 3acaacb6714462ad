"""The demo data, and what it shows on the pages its users open: the category tree, the drawn
hall plan with booths in every state, the past edition's return on exhibiting with its leads,
matchmaking's recommendations and meetings in every state, and an exhibitor's leads and meetings
in the portal. One demo build (it takes a while), read by staff and by an exhibitor as a person
clicking through would."""

import json
import re
from html import escape

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.auth.models import StaffUser
from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.demo import DEMO_PASSWORD, seed_demo
from expo_crm.exhibitors import leads as lead_services
from expo_crm.exhibitors import returns
from expo_crm.exhibitors.demo import PORTAL_PASSWORD, portal_logins
from expo_crm.exhibitors.models import Lead, PortalUser
from expo_crm.invoicing.models import FapiaoRequest
from expo_crm.matchmaking.models import Meeting, MeetingState, Recommendation
from expo_crm.relationships.models import LifecycleStage, RelationshipState
from expo_crm.shows.models import ServiceStage, Show
from expo_crm.surveys.models import CampaignState, SurveyCampaign, SurveyResponse
from expo_crm.visitors.models import Visitor
from tests.helpers import post_form, text_of


def _shows() -> dict[str, Show]:
    return {s.code: s for s in db.session.scalars(sa.select(Show))}


def _sign_in(client, url: str, email: str, password: str) -> None:
    response = post_form(client, url, {"email": email, "password": password})
    assert response.status_code in (302, 303), text_of(response)[:300]


def test_the_demo_shows_every_feature_with_its_data(app, client):
    seed_demo(exhibitors=20, visitors=120)

    # A past, a current and a future show, staff of every role.
    moment = clock.now()
    stages = [
        s.stage_at(moment) for s in db.session.scalars(sa.select(Show).order_by(Show.open_from))
    ]
    assert stages[0] is ServiceStage.post_show and stages[-1] is ServiceStage.pre_show
    assert ServiceStage.in_show in stages
    assert len([s for s in db.session.scalars(sa.select(Show)) if s.is_open_at(moment)]) == 1
    assert set(db.session.scalars(sa.select(StaffUser.role))) == set(Role)
    # The past editions carry answered, closed satisfaction surveys and every life-cycle stage.
    campaigns = db.session.scalars(sa.select(SurveyCampaign)).all()
    assert len(campaigns) == 2 and {c.state for c in campaigns} == {CampaignState.closed}
    assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) > 10
    assert set(db.session.scalars(sa.select(RelationshipState.stage).distinct())) == set(
        LifecycleStage
    )

    shows = _shows()
    past, current, future = shows["CIHF2026"], shows["CIHF2026B"], shows["CIHF2027"]
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    _sign_in(client, "/login", "sales2@demo.expo-crm.cn", DEMO_PASSWORD)

    # The category tree in both languages.
    tree = text_of(client.get("/categories/"))
    assert "门锁" in tree and "Door locks" in tree and "LOCK.DOOR" in tree

    # The hall plan of the show open today: outlines, and every booth placed in its state.
    for show, states in ((current, {"sold", "available", "blocked"}), (future, {"held"})):
        page = text_of(client.get(f"/exhibitors/hall-plan?show={show.id}"))
        plan = json.loads(re.search(r'id="plan-data">(.*?)</script>', page, re.S).group(1))
        assert {h["hall"] for h in plan["halls"]} == {"W1", "W2"}
        assert plan["booths"] and not plan["unplaced"]
        assert states <= {b["s"] for b in plan["booths"]}
        assert all(b["w"] * b["d"] > 0 for b in plan["booths"])

    # The past edition's returns: exhibitors with leads, costs per lead and percentiles.
    table = returns.show_returns(past)
    with_leads = [r for r in table if r.leads]
    assert len(with_leads) == len(table) and len({r.leads for r in table}) > 3
    assert any(r.meetings for r in table)
    assert sum(1 for r in table if r.hall_qualified and r.hall_qualified.percentile) > 1
    ratings = set(db.session.scalars(sa.select(Lead.rating).where(Lead.show_id == past.id)))
    assert ratings == {1, 2, 3, 4, 5}
    page = text_of(client.get(f"/exhibitors/returns?show={past.id}&sort=leads&desc=1"))
    busiest = max(table, key=lambda r: (r.leads, -r.company_id))
    assert escape(busiest.name_en) in page and f"{busiest.cost_per_lead:,.2f}" in page
    assert "No exhibitor has a signed contract" not in page

    # Matchmaking: meetings in every state, and recommendations both ways for today's show.
    states = set(db.session.scalars(sa.select(Meeting.state).distinct()))
    assert {
        MeetingState.requested,
        MeetingState.accepted,
        MeetingState.declined,
        MeetingState.held,
        MeetingState.no_show,
    } <= states
    held = db.session.scalars(sa.select(Meeting).where(Meeting.state == MeetingState.held)).all()
    # Held because the exhibitor scanned the visitor's badge at the booth at the meeting's time.
    assert all(
        db.session.scalar(
            sa.select(Lead.id).where(
                Lead.company_id == m.company_id,
                Lead.visitor_id == m.visitor_id,
                Lead.show_id == m.show_id,
            )
        )
        for m in held
    )
    page = text_of(client.get(f"/matchmaking/shows/{current.id}"))
    for label in ("Awaiting answer", "Confirmed", "Declined", "Held", "No-show"):
        assert f"<td>{label}</td>" in page, label
    assert db.session.scalar(
        sa.select(sa.func.count(Recommendation.id)).where(Recommendation.show_id == current.id)
    )

    # A fapiao request waits for the finance staff.
    assert db.session.scalar(sa.select(sa.func.count(FapiaoRequest.id)))

    # The first portal login: its leads scanned today, its recommended visitors and meetings.
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    email = portal_logins()[0].split(" / ")[0]
    user = db.session.scalar(sa.select(PortalUser).where(PortalUser.email == email))
    _sign_in(client, "/portal/login", email, PORTAL_PASSWORD)
    scanned = lead_services.leads(user.company_id, current.id)
    page = text_of(client.get("/portal/leads"))
    assert scanned and all(escape(view.name) in page for view in scanned)
    page = text_of(client.get("/portal/meetings"))
    recommended = db.session.scalars(
        sa.select(Visitor.name)
        .join(Recommendation, Recommendation.visitor_id == Visitor.id)
        .where(Recommendation.company_id == user.company_id, Recommendation.show_id == current.id)
    ).all()
    section = page.split('id="recommended"', 1)[1]
    assert recommended and any(name in section for name in recommended)

    assert "already present" in seed_demo()
