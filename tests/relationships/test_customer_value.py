"""Customer value by profit, with measured retention: worked examples of each formula on rows in
the database, the value matrix and pyramid, bad settings refused, customers with no history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from expo_crm import clock
from expo_crm.db import db
from expo_crm.relationships import loyalty, settings, value
from expo_crm.relationships.models import CustomerValueState
from expo_crm.relationships.services import evaluate_all, evaluate_values
from tests.factories import (
    create_checkin,
    create_complaint,
    create_interaction,
    create_lc_company,
    create_lc_visitor,
    create_participation,
    create_show,
)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=3, tzinfo=UTC)


def value_of(column: str, subject_id: int) -> CustomerValueState:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(CustomerValueState).where(getattr(CustomerValueState, column) == subject_id)
    )


def three_editions():
    return [
        create_show(open_from=date(2024 + n, 3, 1), series="CV", code=f"CV{2024 + n}")
        for n in range(3)
    ]


def test_profit_after_cost_to_serve_and_clv_with_measured_retention(app):
    e1, e2, _e3 = three_editions()
    loyal, once = create_lc_company("Loyal Co"), create_lc_company("Once Co")
    for show in (e1, e2):
        create_participation(loyal, show, amount="100000")
    create_participation(once, e1, amount="100000")
    clock.freeze(at("2025-05-01"))
    create_complaint("exhibitor", loyal.id)  # 500 to handle
    create_interaction("exhibitor", loyal.id, subject="Call about the next edition")  # 60
    create_interaction("exhibitor", loyal.id, subject="Visit", channel="face_to_face")  # 60
    evaluate_values(at("2025-06-01"))

    row = value_of("company_id", loyal.id)
    # Margin per edition: 0.35 × (100,000 booth fee − 0 discount) = 35,000.
    assert row.margin_historical == Decimal("35000.00")  # edition 1
    assert row.margin_current == Decimal("35000.00")  # edition 2, closed within a year
    # Cost to serve this year: one complaint (500) and two staff contacts (2 × 60).
    assert (row.complaints, row.contacts, row.cost_current) == (1, 2, Decimal("620.00"))
    assert row.current == Decimal("34380.00") and row.historical == Decimal("35000.00")
    # m = (70,000 − 620) / 2 editions = 34,690 profit per edition.
    assert row.margin_per_edition == Decimal("34690.00")
    # Retention measured: edition 1 → 2 kept 1 of 2 exhibitors. Prior 0.5, k = 5:
    # r_kind = (5·0.5 + 1) / (5 + 2) = 0.5, the segment is the whole kind: r_segment = 0.5;
    # own history 1 of 1: r = (5·0.5 + 1) / (5 + 1) = 7/12.
    assert row.retention_own == Decimal("1.0000")
    assert row.retention_segment == Decimal("0.5000")
    assert float(row.retention) == pytest.approx(7 / 12, abs=1e-4)
    # CLV = m·r / (1 + i − r) = 34,690 × 7/12 / (1.1 − 7/12)
    assert float(row.potential) == pytest.approx(value.clv(34690, 7 / 12, 0.1), abs=0.01)
    assert float(row.potential) == pytest.approx(39166.13, abs=0.01)
    assert not row.estimated
    # 34,380 current ≥ 10,000 and 39,166 potential ≥ 20,000: a value customer; it holds
    # 69,380 of 104,380 (66 %), first in line: a key customer.
    assert row.value_class.value == "value" and row.tier.value == "key"

    gone = value_of("company_id", once.id)
    # Missed edition 2: own r = 0 of 1, r = (5·0.5 + 0) / 6 = 0.4167; nothing current.
    assert float(gone.retention) == pytest.approx(2.5 / 6, abs=1e-4)
    assert gone.current == 0 and gone.historical == Decimal("35000.00")
    assert float(gone.potential) == pytest.approx(value.clv(35000, 2.5 / 6, 0.1), abs=0.01)
    assert gone.value_class.value == "potential"


def test_a_prospect_is_valued_as_what_similar_customers_became_and_marked_estimated(app):
    e1, e2, _e3 = three_editions()
    for n in range(2):
        company = create_lc_company(f"Member {n}")
        create_participation(company, e1, amount="50000")
        create_participation(company, e2, amount="50000")
    prospect = create_lc_company("Prospect Co")
    visitor = create_lc_visitor("First-time Visitor")
    evaluate_values(at("2026-06-01"))

    row = value_of("company_id", prospect.id)
    assert row.estimated and row.editions == 0 and row.current == 0
    # Segment (the whole kind): 2 of 3 companies took part; conversion shrunk toward the kind's
    # own rate, which is the same here: (5·c + 2) / (5 + 3) with c = (5·0.5 + 2)/(5 + 3).
    kind_conversion = (5 * 0.5 + 2) / 8
    conversion = (5 * kind_conversion + 2) / 8
    assert float(row.conversion) == pytest.approx(conversion, abs=1e-4)
    # Profit per edition of the segment: 4 editions × 17,500 = 70,000 over 4, shrunk toward the
    # kind's 17,500: 17,500. Retention: 2 of 2 kept (1 → 2), 2 of 2 lost (2 → 3):
    # r_kind = (2.5 + 2) / (5 + 4) = 0.5 = r_segment.
    assert row.margin_per_edition == Decimal("17500.00")
    assert float(row.potential) == pytest.approx(conversion * value.clv(17500, 0.5, 0.1), abs=0.02)

    # A visitor nobody has measured: the prior, no crash, estimated.
    fresh = value_of("visitor_id", visitor.id)
    assert fresh.estimated and fresh.potential == 0 and fresh.value_class.value == "low"


def test_visitors_are_valued_by_attendance(app):
    e1, e2, _e3 = three_editions()
    regular = create_lc_visitor("Regular Buyer")
    for show in (e1, e2):
        create_checkin(regular, show)
    evaluate_values(at("2025-06-01"))
    row = value_of("visitor_id", regular.id)
    # 300 per edition attended. The only visitor kept 1 of 1, at every level:
    # r_kind = (5·0.5 + 1)/6, r_segment = (5·r_kind + 1)/6, r = (5·r_segment + 1)/6.
    assert row.historical == Decimal("300.00") and row.current == Decimal("300.00")
    r_kind = 3.5 / 6
    r_segment = (5 * r_kind + 1) / 6
    assert float(row.retention) == pytest.approx((5 * r_segment + 1) / 6, abs=1e-4)
    # CLV = 300 × 0.7106 / (1.1 − 0.7106) = 547: current high (≥ 300), potential below 600.
    assert float(row.potential) == pytest.approx(
        value.clv(300, (5 * r_segment + 1) / 6, 0.1), abs=0.01
    )
    assert row.value_class.value == "maintain"


def test_an_odd_total_over_two_editions_keeps_its_half(app):
    """Whole decimals are integers in SQLite: the profit per edition and the segment's margin
    must still divide as decimals, the same on both databases."""
    e1, e2, _e3 = three_editions()
    member, prospect = create_lc_company("Odd Co"), create_lc_company("Odd Prospect")
    create_participation(member, e1, amount="100000")  # 0.35 × 100,000 = 35,000
    create_participation(member, e2, amount="100020")  # 0.35 × 100,020 = 35,007
    evaluate_values(at("2025-06-01"))

    row = value_of("company_id", member.id)
    assert (row.historical, row.current) == (Decimal("35000.00"), Decimal("35007.00"))
    # 70,007 over 2 editions, not 35,003.
    assert row.margin_per_edition == Decimal("35003.50")
    # The prospect's is the segment's, shrunk toward the kind's (70,007 / 2 as well):
    # (5 × 35,003.5 + 70,007) / (5 + 2) = 35,003.5; the kind at 35,003 would give 35,003.14.
    assert value_of("company_id", prospect.id).margin_per_edition == Decimal("35003.50")


def test_a_fixed_retention_rate_replaces_the_measured_one(app):
    e1, *_ = three_editions()
    company = create_lc_company("Fixed Co")
    create_participation(company, e1, amount="100000")
    settings.save(
        {s.key: str(s.default) for s in settings.SETTINGS} | {"retention_rate": "0.8"}, None
    )
    db.session.commit()
    evaluate_values(at("2024-06-01"))
    row = value_of("company_id", company.id)
    assert row.retention == Decimal("0.8000")
    assert float(row.potential) == pytest.approx(value.clv(35000, 0.8, 0.1), abs=0.01)


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("discount_rate", "1", "between"),
        ("discount_rate", "1.5", "between"),
        ("margin_rate", "-0.1", "between"),
        ("complaint_cost", "-5", "between"),
        ("retention_rate", "1", "between"),
        ("retention_credibility", "0", "between"),
        ("class_current_exhibitor", "abc", "not a number"),
    ],
)
def test_settings_out_of_range_are_refused_with_a_message(app, key, text, message):
    values = {s.key: str(s.default) for s in settings.SETTINGS} | {key: text}
    values["retention_rate"] = values["retention_rate"] if key == "retention_rate" else ""
    with force_locale("en"), pytest.raises(settings.SettingError, match=message):
        settings.save(values, None)


def test_the_nightly_computation_is_idempotent(app):
    e1, e2, _e3 = three_editions()
    company = create_lc_company("Steady Co")
    create_participation(company, e1)
    create_participation(company, e2)
    first = evaluate_values(at("2025-06-01"))
    again = evaluate_values(at("2025-06-02"))
    assert first["created"] >= 1
    assert again == {"created": 0, "updated": 0, "changed": 0, "fell": 0, "owners": 0}


def stored_rows() -> dict[tuple, tuple]:
    """Every stored value row by customer: when it was last written, and all its values."""
    db.session.expire_all()
    table = CustomerValueState.__table__
    values = [c for c in table.columns if c.name not in ("id", "computed_at")]
    return {
        (row.kind, row.company_id, row.visitor_id): (row.computed_at, tuple(row))
        for row in db.session.execute(sa.select(table.c.computed_at, *values)).all()
    }


def test_a_quiet_night_writes_no_row_and_a_change_rewrites_only_that_customer(app):
    e1, e2, _e3 = three_editions()
    steady, changing = create_lc_company("Steady Co"), create_lc_company("Changing Co")
    for show in (e1, e2):
        create_participation(steady, show, amount="100000")
        create_participation(changing, show)
    create_checkin(create_lc_visitor("Visitor Wu"), e2)
    first = evaluate_values(at("2025-06-01"))
    before = stored_rows()
    assert first["created"] == 3 and {stamp for stamp, _ in before.values()} == {at("2025-06-01")}

    quiet = evaluate_values(at("2025-06-02"))
    assert (quiet["created"], quiet["updated"]) == (0, 0)
    assert stored_rows() == before  # not one row rewritten, not even its computed_at
    # The pages still say when the values were last computed: the quiet night.
    assert value.stored_pyramid().computed_at == at("2025-06-02")
    assert loyalty.computed_at() == at("2025-06-02")

    clock.freeze(at("2025-06-02"))
    create_complaint("exhibitor", changing.id)  # 500 to handle, this year
    busy = evaluate_values(at("2025-06-03"))
    after = stored_rows()
    assert busy["updated"] == 1
    key = ("exhibitor", changing.id, None)
    assert after[key][0] == at("2025-06-03") and after[key] != before[key]
    assert value_of("company_id", changing.id).complaints == 1
    assert {k: v for k, v in after.items() if k != key} == {
        k: v for k, v in before.items() if k != key
    }


def test_matrix_page_json_excel_and_value_panel(app, client):
    import io

    from openpyxl import load_workbook

    from tests.factories import create_staff
    from tests.helpers import login, text_of

    e1, e2, _e3 = three_editions()
    star = create_lc_company("Star Exhibitor")
    for show in (e1, e2):
        create_participation(star, show, amount="100000")
    create_lc_company("Newcomer <b>Co</b>")
    evaluate_all(at("2025-06-01"))
    evaluate_values(at("2025-06-01"))
    clock.freeze(at("2025-06-02"))
    login(client, create_staff("marketing").email)

    page = text_of(client.get("/relationships/value/matrix?kind=exhibitor"))
    assert "Value matrix" in page and "Star Exhibitor" in page
    assert "Newcomer &lt;b&gt;Co&lt;/b&gt;" in page  # names are escaped
    assert "Value customers" in text_of(client.get("/relationships/value/matrix?class=value"))
    data = client.get("/relationships/value/matrix.json?kind=exhibitor").get_json()
    assert data["thresholds"] == {"current": 10000.0, "potential": 20000.0}
    star_point = next(p for p in data["points"] if p["name"] == "Star Exhibitor")
    assert star_point["class"] == "value" and star_point["current"] == 35000.0
    assert client.get("/relationships/value/matrix?kind=supplier").status_code == 404
    assert client.get("/relationships/value/matrix.json?class=nonsense").status_code == 404

    workbook = load_workbook(io.BytesIO(client.get("/relationships/value/matrix.xlsx").data))
    rows = list(workbook.active.values)
    assert rows[0][0] == "Customer" and rows[1][0] == "Star Exhibitor"
    assert rows[1][1] == "Value customers" and float(rows[1][5]) == 35000

    panel = text_of(client.get(f"/relationships/exhibitor/{star.id}/stage"))
    assert 'id="value-class"' in panel and "Value customers" in panel
    assert "r = (k·segment + kept) / (k + editions)" in panel
