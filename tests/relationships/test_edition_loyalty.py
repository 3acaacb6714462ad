"""Loyalty edition by edition, stored by the nightly value run: a worked example over three
editions of a series (retention, churn, repeat, up- and cross-selling, per segment), a re-run
that replaces the rows, and the loyalty page and its export in both languages reading them."""

from __future__ import annotations

import io
import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from expo_crm import clock
from expo_crm.db import db
from expo_crm.relationships.models import EditionAudience, EditionLoyalty, EditionRetention
from expo_crm.relationships.services import evaluate_values
from tests.factories import (
    create_catalogue_item,
    create_checkin,
    create_lc_company,
    create_lc_partner,
    create_lc_visitor,
    create_participation,
    create_referral_code,
    create_service_order,
    create_show,
    create_staff,
    create_survey_answer,
)
from tests.helpers import login, text_of

EVALUATED = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
EXHIBITORS, VISITORS = EditionAudience.exhibitors, EditionAudience.visitors


def company(name: str, size: str | None):
    found = create_lc_company(name)
    found.size = size
    db.session.commit()
    return found


@pytest.fixture
def three_editions(app):
    """Series WX held in 2023, 2024 and 2025; a 2026 edition still to come; another series."""
    e1, e2, e3 = (
        create_show(open_from=date(2023 + n, 3, 1), series="WX", code=f"WX{23 + n}")
        for n in range(3)
    )
    create_show(open_from=date(2026, 3, 1), series="WX", code="WX26")
    other = create_show(open_from=date(2024, 9, 1), series="OT", code="OT24")
    a, b = company("Alpha Tools", "large"), company("Beta Parts", "small")
    c, d, e = (
        company("Gamma Unsized", None),
        company("Delta Machines", "large"),
        company("Epsilon Small", "small"),
    )
    # 2023: A, B, C.  2024: A (booth 18 → 36 m², up-selling), B, D.  2025: A, D (18 → 24 m²), E.
    for who, show, area in (
        (a, e1, "18"),
        (b, e1, "18"),
        (c, e1, "18"),
        (a, e2, "36"),
        (b, e2, "18"),
        (d, e2, "18"),
        (a, e3, "27"),
        (d, e3, "24"),
        (e, e3, "18"),
        (c, other, "18"),  # another series: no return to WX
    ):
        create_participation(who, show, area=area)
    # 2024: A orders twice, B once (cross-selling: 2 exhibitors, 3 orders of 100 each).
    clock.freeze(datetime(2024, 1, 10, tzinfo=UTC))
    create_service_order(a, create_catalogue_item(e2))
    create_service_order(a, create_catalogue_item(e2))
    create_service_order(b, create_catalogue_item(e2))
    clock.unfreeze()
    create_survey_answer(a, e2, satisfaction="4.00", nps=8)
    create_survey_answer(b, e2, satisfaction="3.00", nps=6)
    # Visitors: V1 comes every year; V2 only in 2023; V3 (VIP) in 2024 through a referral, 2025.
    v1, v2, v3 = (create_lc_visitor(f"Visitor {n}") for n in (1, 2, 3))
    for who, show in ((v1, e1), (v1, e2), (v1, e3), (v2, e1), (v3, e2), (v3, e3)):
        registration = create_checkin(who, show)
        if who is v3:
            registration.category = "vip"
            if show is e2:
                referral = create_referral_code(create_lc_partner("Media Partner"), e2)
                registration.referral_code_id = referral.id
            db.session.commit()
    create_survey_answer(v1, e2, satisfaction="5.00", nps=10)
    return e1, e2, e3


def loyalty_rows() -> dict:
    from expo_crm.shows.models import Show

    return {
        (code, row.audience): row
        for row, code in db.session.execute(
            sa.select(EditionLoyalty, Show.code).join(Show, Show.id == EditionLoyalty.show_id)
        )
    }


def retention_rows() -> dict:
    from expo_crm.shows.models import Show

    return {
        (code, row.audience, row.segment): (row.previous_participants, row.repeat, row.retention)
        for row, code in db.session.execute(
            sa.select(EditionRetention, Show.code).join(Show, Show.id == EditionRetention.show_id)
        )
    }


def test_the_nightly_run_stores_loyalty_per_edition(three_editions):
    evaluate_values(EVALUATED)
    rows = loyalty_rows()
    # Held editions only (not 2026), each with its exhibitors and its visitors.
    assert sorted(rows) == sorted(
        (code, audience)
        for code in ("WX23", "WX24", "WX25", "OT24")
        for audience in EditionAudience
    )
    first = rows[("WX23", EXHIBITORS)]
    assert (first.participants, first.previous_participants, first.repeat) == (3, None, 0)
    assert first.retention is None and first.churn is None and first.previous_show_id is None

    # 2024: A and B of 2023's A, B, C came back; A took a larger booth; A and B ordered services.
    e2 = rows[("WX24", EXHIBITORS)]
    assert (e2.participants, e2.previous_participants, e2.repeat) == (3, 3, 2)
    assert e2.retention == Decimal("0.6667") and e2.churn == Decimal("0.3333")
    assert (e2.up_selling, e2.cross_selling, e2.orders, e2.order_amount) == (1, 2, 3, 300)
    assert (e2.satisfaction, e2.nps, e2.answers) == (Decimal("3.50"), Decimal("7.00"), 2)
    assert e2.referrals is None

    # 2025: A and D of 2024's A, B, D came back; D grew from 18 to 24 m², A shrank.
    e3 = rows[("WX25", EXHIBITORS)]
    assert (e3.participants, e3.previous_participants, e3.repeat) == (3, 3, 2)
    assert e3.retention == Decimal("0.6667") and e3.churn == Decimal("0.3333")
    assert (e3.up_selling, e3.cross_selling, e3.orders, e3.order_amount) == (1, 0, 0, 0)
    assert e3.previous_show_id == e2.show_id

    visitors = [rows[(code, VISITORS)] for code in ("WX23", "WX24", "WX25")]
    assert [(v.participants, v.previous_participants, v.repeat) for v in visitors] == [
        (2, None, 0),
        (2, 2, 1),
        (2, 2, 2),
    ]
    assert [v.retention for v in visitors] == [None, Decimal("0.5000"), Decimal("1.0000")]
    assert [v.churn for v in visitors] == [None, Decimal("0.5000"), Decimal("0.0000")]
    assert [v.referrals for v in visitors] == [0, 1, 0]
    assert visitors[1].satisfaction == Decimal("5.00") and visitors[1].up_selling is None

    # Per segment of the previous edition: exhibitors by size (codes, "?" unknown), visitors by
    # registration category.
    assert retention_rows() == {
        ("WX24", EXHIBITORS, "large"): (1, 1, Decimal("1.0000")),
        ("WX24", EXHIBITORS, "small"): (1, 1, Decimal("1.0000")),
        ("WX24", EXHIBITORS, "?"): (1, 0, Decimal("0.0000")),
        ("WX25", EXHIBITORS, "large"): (2, 2, Decimal("1.0000")),
        ("WX25", EXHIBITORS, "small"): (1, 0, Decimal("0.0000")),
        ("WX24", VISITORS, "professional"): (2, 1, Decimal("0.5000")),
        ("WX25", VISITORS, "professional"): (1, 1, Decimal("1.0000")),
        ("WX25", VISITORS, "vip"): (1, 1, Decimal("1.0000")),
    }


def test_a_rerun_replaces_the_stored_rows(three_editions):
    evaluate_values(EVALUATED)
    counts = [
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (EditionLoyalty, EditionRetention)
    ]
    later = datetime(2025, 6, 2, 3, 0, tzinfo=UTC)
    evaluate_values(later)
    again = [
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (EditionLoyalty, EditionRetention)
    ]
    assert again == counts == [8, 8]
    times = set(db.session.scalars(sa.select(EditionLoyalty.computed_at)))
    assert times == {later}
    assert loyalty_rows()[("WX24", EXHIBITORS)].repeat == 2


@pytest.mark.parametrize(
    ("locale", "texts"),
    [
        (
            "en",
            [
                "Retention over the editions",
                "Large (1,000 staff or more)",
                "VIP",
                "Visitors",
                "unknown",
            ],
        ),
        ("zh", ["各届留存率", "大型（1000 人及以上）", "VIP", "观众", "未知"]),
    ],
)
def test_the_loyalty_page_shows_the_stored_figures(three_editions, client, locale, texts):
    login(client, create_staff("marketing", locale=locale).email)
    headers = {"Accept-Language": locale}
    before = client.get("/relationships/loyalty", headers=headers)
    assert before.status_code == 200
    assert 'id="editions-not-computed"' in before.get_data(as_text=True)
    evaluate_values(EVALUATED)
    response = client.get("/relationships/loyalty", headers=headers)
    html = response.get_data(as_text=True)
    page = text_of(response)
    assert 'id="editions-not-computed"' not in html and 'id="editions-computed"' in html
    for text in texts:
        assert text in page
    assert "66.7%" in page and "33.3%" in page  # 2024 exhibitor retention and churn
    assert 'id="chart-retention"' in html
    workbook = load_workbook(
        io.BytesIO(client.get("/relationships/loyalty.xlsx", headers=headers).data)
    )
    rows = list(workbook.active.values)
    assert len(rows) == 1 + 8  # the headers, then each held edition's exhibitors and visitors
    exhibitors = {"en": "Exhibitors", "zh": "参展商"}[locale]
    assert (exhibitors, 3, 3, 2, 0.6667, 0.3333, 1, 2, 3) in [row[1:10] for row in rows]


def test_two_runs_at_once_leave_one_set_of_rows(three_editions, app):
    from expo_crm.db import writing
    from expo_crm.relationships import edition_loyalty

    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def run(at: datetime) -> None:
        with app.app_context(), writing():
            try:
                barrier.wait()
                edition_loyalty.store(at)
                db.session.commit()
            except BaseException as error:  # reported below, in the test's thread
                failures.append(error)
                db.session.rollback()

    times = [datetime(2025, 6, 1, 3, minute, tzinfo=UTC) for minute in (0, 1)]
    threads = [threading.Thread(target=run, args=(at,)) for at in times]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert failures == []
    db.session.rollback()
    assert len(loyalty_rows()) == 8 and len(retention_rows()) == 8
    assert len(set(db.session.scalars(sa.select(EditionLoyalty.computed_at)))) == 1
