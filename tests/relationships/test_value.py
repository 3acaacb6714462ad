"""CLV and word-of-mouth worked examples; the value pyramid and loyalty measures on real rows."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from expo_crm.relationships import value
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
    pyramid = value.customer_values(today=date(2026, 1, 1))
    assert pyramid.retention_rate == pytest.approx(1 / 3)
    tiers = {c.name: c.tier for c in pyramid.customers}
    # Big alone holds 80 % of the value (key and major together); Mid brings the running share to 95 %.
    assert tiers == {"Big": "key", "Mid": "ordinary", "Small": "small"}
    big_value = next(c for c in pyramid.customers if c.name == "Big")
    assert big_value.historical == 160000 and big_value.editions == 2
    # m = 80,000 × 0.35 margin = 28,000; r = 1/3; i = 0.10
    assert big_value.potential == value.clv(28000, 1 / 3, 0.1)
    loyalty = value.loyalty_by_show(today=date(2026, 1, 1))
    assert [(r["exhibitors"], r["repeat"]) for r in loyalty] == [(3, 0), (1, 1)]
    assert loyalty[1]["retention"] == pytest.approx(1 / 3) and loyalty[1]["churn"] == pytest.approx(
        2 / 3
    )


def test_value_pages_and_excel_exports(app, client):
    from expo_crm import clock

    clock.freeze(datetime(2026, 1, 1, tzinfo=UTC))
    first = create_show(open_from=date(2024, 3, 1), series="VAL", code="VAL24")
    create_participation(create_lc_company("Export Co"), first, amount="50000")
    staff = create_staff("sales")
    login(client, staff.email)
    page = text_of(client.get("/relationships/value"))
    assert "Export Co" in page and "CLV" in page
    assert "VAL24" in text_of(client.get("/relationships/loyalty"))
    workbook = load_workbook(io.BytesIO(client.get("/relationships/value.xlsx").data))
    rows = list(workbook.active.values)
    assert rows[1][0] == "Export Co" and float(rows[1][2]) == 50000
    loyalty = load_workbook(io.BytesIO(client.get("/relationships/loyalty.xlsx").data))
    assert list(loyalty.active.values)[1][1] == 1
