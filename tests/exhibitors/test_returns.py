"""Return on exhibiting: every figure of a show with known scans, leads, orders and survey
answers, on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from expo_crm import clock
from expo_crm.db import db
from expo_crm.exhibitors import leads, participation, returns
from tests.factories import (
    create_catalogue_item,
    create_company,
    create_contract,
    create_registration,
    create_service_order,
    create_show,
)
from tests.factories.relationships import create_survey_answer

OPEN = date(2026, 6, 2)


@pytest.fixture(autouse=True)
def _english(app):
    from flask_babel import force_locale

    with force_locale("en"):
        yield


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    # Shanghai is UTC+8 all year.
    return datetime(2026, 6, day, hour - 8, minute, tzinfo=UTC)


def build_show():
    """Four exhibitors: three in hall W1 (one category), one alone in W2 without staff or leads."""
    clock.freeze(datetime(2026, 5, 1, 2, 0, tzinfo=UTC))
    show = create_show(open_from=OPEN, days=3)
    tools = "五金工具"
    a = create_company(name_en="Alpha Tools", industry=tools, product_categories="hand tools, sets")
    b = create_company(name_en="Beta Locks", industry=tools, product_categories="door locks")
    c = create_company(name_en="Gamma Bolts", industry=tools, product_categories="fasteners")
    d = create_company(name_en="Delta Taps", industry="卫浴", product_categories="faucets")
    contracts = {}
    for company, discount in ((a, "1000"), (b, "0"), (c, "0"), (d, "0")):
        contracts[company.id] = create_contract(
            company, show, area="18", price="1000", signed=True, discount=discount
        )
    # The factory's booths are in hall W1; Delta's moves to W2.
    from expo_crm.exhibitors.models import Booth, BoothAssignment

    d_booth = db.session.scalar(
        db.select(Booth).join(BoothAssignment).where(BoothAssignment.company_id == d.id)
    )
    d_booth.hall = "W2"
    item = create_catalogue_item(show, price="500.00")
    create_service_order(a, item, 2)
    participation.name_staff(contracts[a.id], "Li Lei", "lilei@alpha.example", "en")
    participation.name_staff(contracts[a.id], "Han Mei", "hanmei@alpha.example", "en")
    participation.name_staff(contracts[b.id], "Wang Fang", "wang@beta.example", "en")
    db.session.commit()
    v1, code1 = create_registration(
        show, purchasing_authority="decides", product_interests=["hand_tools", "garden"]
    )
    v2, code2 = create_registration(show, purchasing_authority="none", product_interests=["locks"])
    v3, code3 = create_registration(
        show, category="general", purchasing_authority="decides", product_interests=["hand_tools"]
    )
    scans = [
        (a, code1, 5, _local(2, 10, 5)),
        (a, code2, 3, _local(2, 10, 40)),
        (a, code3, 1, _local(3, 14, 10)),
        (b, code1, 4, _local(2, 11, 0)),
        (b, code2, 4, _local(2, 11, 30)),
        (c, code2, 2, _local(4, 9, 15)),
    ]
    for company, code, rating, at in scans:
        clock.freeze(at)
        leads.record_lead(contracts[company.id], code, rating)
    db.session.commit()
    create_survey_answer(a, show, satisfaction="4.50", nps=9)
    clock.freeze(_local(8, 9))
    return show, a, b, c, d


def test_every_figure_of_the_return_of_a_known_show():
    show, a, b, c, d = build_show()
    found = {r.company_id: r for r in returns.show_returns(show)}
    assert set(found) == {a.id, b.id, c.id, d.id}
    ra, rb, rc, rd = found[a.id], found[b.id], found[c.id], found[d.id]

    assert (ra.hall, ra.category, rd.hall) == ("W1", "五金工具", "W2")
    assert (ra.staff_badges, rb.staff_badges, rc.staff_badges, rd.staff_badges) == (2, 1, 0, 0)
    # Alpha: a trade visitor who decides and wants hand tools, a trade visitor without a say
    # who wants locks, a general visitor who decides and wants hand tools (not qualified).
    assert (ra.leads, ra.trade, ra.authority, ra.matched, ra.qualified) == (3, 2, 2, 2, 1)
    assert (rb.leads, rb.trade, rb.authority, rb.matched, rb.qualified) == (2, 2, 1, 1, 2)
    assert (rc.leads, rc.trade, rc.authority, rc.matched, rc.qualified) == (1, 1, 0, 0, 0)
    assert (rd.leads, rd.qualified) == (0, 0)
    assert (ra.share(ra.trade), ra.share(ra.authority), ra.share(ra.matched)) == (67, 67, 67)
    assert rd.share(rd.trade) is None
    assert ra.average_rating == Decimal("3.0") and rb.average_rating == Decimal("4.0")
    assert rd.average_rating is None

    assert (ra.satisfaction, ra.nps) == (Decimal("4.50"), 9)
    assert (rb.satisfaction, rb.nps) == (None, None)
    assert all(r.meetings == 0 for r in found.values())  # matchmaking runs: none held here

    assert (ra.booth_fee, ra.discount, ra.services, ra.cost) == (
        Decimal("18000.00"),
        Decimal("1000.00"),
        Decimal("1000.00"),
        Decimal("18000.00"),
    )
    assert rb.cost == rc.cost == rd.cost == Decimal("18000.00")
    assert (ra.cost_per_lead, rb.cost_per_lead, rc.cost_per_lead, rd.cost_per_lead) == (
        Decimal("6000.00"),
        Decimal("9000.00"),
        Decimal("18000.00"),
        None,
    )
    assert (ra.cost_per_qualified, rb.cost_per_qualified, rc.cost_per_qualified) == (
        Decimal("18000.00"),
        Decimal("9000.00"),
        None,
    )
    # Hall W1, cost per lead 6,000 / 9,000 / 18,000: median 9,000.
    assert (ra.hall_lead.peers, ra.hall_lead.median) == (3, Decimal("9000.00"))
    assert (ra.hall_lead.percentile, ra.hall_lead.ratio) == (0, Decimal("0.7"))
    assert (rb.hall_lead.percentile, rb.hall_lead.ratio) == (50, Decimal("1.0"))
    assert (rc.hall_lead.percentile, rc.hall_lead.ratio) == (100, Decimal("2.0"))
    # Per qualified lead 18,000 / 9,000: median 13,500.
    assert (ra.hall_qualified.median, ra.hall_qualified.percentile) == (Decimal("13500.00"), 100)
    assert ra.hall_qualified.ratio == Decimal("1.3")
    assert (rb.hall_qualified.percentile, rb.hall_qualified.ratio) == (0, Decimal("0.7"))
    assert rc.hall_qualified.percentile is None and rc.hall_qualified.peers == 2
    # The category is the same three; Delta is alone in its hall and category.
    assert (ra.category_lead.median, ra.category_lead.percentile) == (Decimal("9000.00"), 0)
    assert rd.hall_lead.median is None and rd.category_qualified.percentile is None


def test_meetings_come_from_matchmaking_when_it_is_registered(monkeypatch):
    show, a, b, c, d = build_show()
    monkeypatch.setattr(returns, "_meetings", [])
    returns.meetings_source(lambda show_id: {a.id: 4} if show_id == show.id else {})
    found = {r.company_id: r for r in returns.show_returns(show)}
    assert (found[a.id].meetings, found[b.id].meetings) == (4, 0)


def test_traffic_by_hour_counts_every_open_hour_and_empty_ones_as_zero():
    show, a, b, *_ = build_show()
    hours = returns.traffic_by_hour(a.id, show)
    by_slot = {(h.day, h.hour): h.count for h in hours}
    assert by_slot[("2026-06-02", 10)] == 2
    assert by_slot[("2026-06-03", 14)] == 1
    assert by_slot[("2026-06-04", 9)] == 0
    assert len(hours) == 3 * 9
    assert sum(h.count for h in hours) == 3
    # During the show, only the days begun so far.
    clock.freeze(_local(2, 12))
    assert {h.day for h in returns.traffic_by_hour(b.id, show)} == {"2026-06-02"}


def test_the_final_return_is_refused_until_the_show_is_over():
    show, a, *_ = build_show()
    clock.freeze(_local(4, 15))
    with pytest.raises(returns.ReturnError):
        returns.final_return(a.id, show)
    clock.freeze(_local(4, 23, 59).replace(hour=16))  # the last open day has ended locally
    assert returns.final_return(a.id, show).leads == 3


def test_previous_editions_compare_with_the_same_figures():
    show, a, *_ = build_show()
    clock.freeze(datetime(2026, 7, 1, tzinfo=UTC))
    later = create_show(open_from=date(2027, 6, 1), days=3)
    create_contract(a, later, area="36", price="1000", signed=True)
    history = returns.previous_editions(a.id, later)
    assert [(r.show_id, r.leads, r.qualified) for r in history] == [(show.id, 3, 1)]
