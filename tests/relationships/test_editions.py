"""Issue 20, item 2: the life-cycle funnel of a show and the flow between two editions are the
stages the system held when each edition closed, and the page shows them with their numbers."""

from datetime import UTC, date, datetime

from flask_babel import force_locale

from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.relationships import editions
from expo_crm.relationships.models import LifecycleStage, RelationshipState, StageTransition
from expo_crm.subjects import SubjectKind
from tests.factories import create_lc_company, create_show, create_staff
from tests.helpers import login

S = LifecycleStage


def _history(company, *moves: tuple[datetime, LifecycleStage]) -> None:
    """A customer's transitions; its current state is the last one."""
    at, stage = moves[-1]
    state = RelationshipState(
        kind=SubjectKind.exhibitor,
        company_id=company.id,
        stage=stage,
        stage_since=at,
        stage_since_day=at.date(),
        evaluated_at=at,
    )
    db.session.add(state)
    db.session.flush()
    previous = None
    for at, stage in moves:
        db.session.add(
            StageTransition(
                state_id=state.id, company_id=company.id, from_stage=previous, to_stage=stage, at=at
            )
        )
        previous = stage
    db.session.commit()


def _editions():
    first = create_show(
        open_from=date(2025, 5, 10),
        series="HW",
        name_en="Hardware 2025",
        name_zh="五金展2025",
        code="HW25",
    )
    second = create_show(
        open_from=date(2026, 5, 10),
        series="HW",
        name_en="Hardware 2026",
        name_zh="五金展2026",
        code="HW26",
    )
    return first, second


def _at(year, month, day):
    return datetime(year, month, day, 4, tzinfo=UTC)


def _three_customers():
    _history(create_lc_company(), (_at(2025, 1, 5), S.cultivation), (_at(2025, 4, 1), S.trust))
    _history(
        create_lc_company(),
        (_at(2025, 2, 1), S.trust),
        (_at(2026, 3, 1), S.weakening),
        (_at(2026, 9, 1), S.loss),  # after the second edition closed: not counted for it
    )
    _history(create_lc_company(), (_at(2026, 1, 1), S.cultivation))  # new in the second


def test_the_funnel_counts_each_customers_stage_when_the_show_closed(app):
    first, second = _editions()
    _three_customers()
    with force_locale("en"):
        spec = editions.funnel(first)
    funnel = dict(zip(spec["categories"], spec["series"][0]["values"], strict=True))
    assert funnel == {"Cultivation": 0, "Confirmation": 0, "Trust": 2, "Weakening": 0, "Loss": 0}
    later = editions.funnel(second)
    assert later["series"][0]["values"] == [1, 0, 1, 1, 0]


def test_the_flow_follows_the_customers_of_the_earlier_edition_into_the_next(app):
    first, second = _editions()
    _three_customers()
    with force_locale("en"):
        flow = editions.flow(second)
    assert flow["links"] == [
        {"source": "Trust · Hardware 2025", "target": "Trust · Hardware 2026", "value": 1},
        {"source": "Trust · Hardware 2025", "target": "Weakening · Hardware 2026", "value": 1},
    ]
    assert editions.flow(first) is None  # the first edition of its series


def test_the_relationships_page_shows_the_funnel_and_the_flow_with_their_numbers(client):
    first, second = _editions()
    _three_customers()
    user = create_staff(Role.sales, locale="en")
    login(client, user.email)
    from tests.helpers import post_form

    post_form(client, "/shows/choose", {"show_id": second.id}, page="/shows/")
    html = client.get("/relationships/").get_data(as_text=True)
    assert 'id="chart-lifecycle-funnel"' in html and 'id="chart-lifecycle-flow"' in html
    assert "From Hardware 2025 to Hardware 2026" in html
    assert (
        '<td>Trust · Hardware 2025</td><td>Weakening · Hardware 2026</td><td class="num">1</td>'
        in html
    )
