"""CLV and word-of-mouth worked examples; the value pyramid and loyalty measures on real rows."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from expo_crm.relationships import edition_loyalty, value
from expo_crm.relationships.models import ValueTier
from expo_crm.relationships.services import evaluate_values
from tests.factories import create_lc_company, create_participation, create_show, create_staff
from tests.helpers import login, text_of


def test_clv_worked_examples():
    assert value.clv(100, 0.8, 0.1) == 266.67
    # m = 10,500 margin per edition, r = 0.5, i = 0.1: 10,500 × 0.5 / 0.6
    assert value.clv(10500, 0.5, 0.1) == 8750.0
    assert value.clv(1000, 0, 0.1) == 0.0
    with pytest.raises(ValueError):
        value.clv(100, 1.2, 0.1)


def test_word_of_mouth_worked_example():
    # 40 % of 250 referred visitors came, each worth 800 on average.
    assert value.word_of_mouth(0.4, 250, 800) == 80000.0


def test_pyramid_and_measured_retention(app):
    first = create_show(open_from=date(2024, 3, 1), series="VAL")
    second = create_show(open_from=date(2025, 3, 1), series="VAL")
    big, mid, small = (create_lc_company(n) for n in ("Big", "Mid", "Small"))
    create_participation(big, first, amount="80000")
    create_participation(big, second, amount="80000")
    create_participation(mid, first, amount="30000")
    create_participation(small, first, amount="10000")
    evaluate_values(datetime(2026, 1, 1, 3, tzinfo=UTC))
    pyramid = value.stored_pyramid()
    tiers = {c.name: c.tier.value for c in pyramid.customers}
    # Big alone holds 80 % of the value (key and major together); Mid brings the running share to 95 %.
    assert tiers == {"Big": "key", "Mid": "ordinary", "Small": "small"}
    big_value = next(c for c in pyramid.customers if c.name == "Big")
    # By profit: 0.35 margin × 80,000 per edition, two editions (the latest closed within a year).
    assert big_value.total == 56000 and big_value.editions == 2
    assert [pyramid.tiers[t]["customers"] for t in ValueTier] == [1, 0, 1, 1]
    assert [round(pyramid.tiers[t]["value_share"], 4) for t in ValueTier] == [0.8, 0, 0.15, 0.05]
    held = [edition.exhibitors for edition in edition_loyalty.editions()]
    assert [(r.participants, r.repeat) for r in held] == [(3, 0), (1, 1)]
    assert held[1].retention == Decimal("0.3333") and held[1].churn == Decimal("0.6667")


def test_value_pages_and_excel_exports(app, client):
    from expo_crm import clock

    clock.freeze(datetime(2026, 1, 1, tzinfo=UTC))
    first = create_show(open_from=date(2024, 3, 1), series="VAL", code="VAL24")
    create_participation(create_lc_company("Export Co"), first, amount="50000")
    evaluate_values(datetime(2026, 1, 1, 3, tzinfo=UTC))
    staff = create_staff("sales")
    login(client, staff.email)
    page = text_of(client.get("/relationships/value"))
    assert "Export Co" in page and "CLV" in page
    assert first.name_en in text_of(client.get("/relationships/loyalty"))
    workbook = load_workbook(io.BytesIO(client.get("/relationships/value.xlsx").data))
    rows = list(workbook.active.values)
    # Historical value by profit: 0.35 × 50,000.
    assert rows[1][0] == "Export Co" and float(rows[1][2]) == 17500
    loyalty = load_workbook(io.BytesIO(client.get("/relationships/loyalty.xlsx").data))
    # The edition's exhibitors, then its visitors: one exhibitor took part.
    assert list(loyalty.active.values)[1][1:3] == ("Exhibitors", 1)


def test_the_pyramid_page_shows_the_sql_aggregates_of_the_stored_values(app, client):
    """The page's tier table equals the pyramid worked out in Python from every stored row."""
    from decimal import Decimal

    import sqlalchemy as sa

    from expo_crm import clock
    from expo_crm.db import db
    from expo_crm.relationships.models import CustomerValueState

    clock.freeze(datetime(2026, 1, 1, tzinfo=UTC))
    shows = [create_show(open_from=date(2023 + n, 3, 1), series="PY") for n in range(3)]
    for n, fee in enumerate(("90000", "60000", "45000", "30000", "20000", "10000", "5000")):
        company = create_lc_company(f"Pyramid {n}")
        for show in shows[: 1 + n % 3]:
            create_participation(company, show, amount=fee)
    create_lc_company("Never took part")
    evaluate_values(datetime(2026, 1, 1, 3, tzinfo=UTC))

    stored = db.session.scalars(
        sa.select(CustomerValueState).where(CustomerValueState.kind == "exhibitor")
    ).all()
    grand = sum((max(r.total, Decimal(0)) for r in stored), Decimal(0))
    expected = {
        tier: (
            sum(1 for r in stored if r.tier is tier),
            sum((r.total for r in stored if r.tier is tier), Decimal(0)),
        )
        for tier in ValueTier
    }
    pyramid = value.stored_pyramid()
    assert pyramid.count == len(stored) == 8
    for tier, (customers, total) in expected.items():
        assert pyramid.tiers[tier]["customers"] == customers
        assert pyramid.tiers[tier]["value"] == total
        assert pyramid.tiers[tier]["value_share"] == pytest.approx(float(total / grand))
    login(client, create_staff("sales", locale="en").email)
    page = text_of(client.get("/relationships/value"))
    for tier, (customers, total) in expected.items():
        row = page.split(f'<tr class="tier-row-{tier.value}">')[1].split("</tr>")[0]
        cells = [cell.split("</td>")[0] for cell in row.split("<td>")[1:]]
        assert cells[1] == str(customers)
        assert cells[4] == f"{float(total / grand) * 100:.1f}%"
