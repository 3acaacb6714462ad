"""Charts as data (expo_crm/charts.py): what the chart draws is what the table beside it says."""

import pytest

from expo_crm import charts


def test_a_series_chart_keeps_one_value_per_category_and_says_when_it_is_empty():
    spec = charts.series_chart("bar", "Arrivals", ["09:00", "10:00"], [("Entries", [3, 0])])
    assert spec["series"] == [{"name": "Entries", "values": [3, 0]}]
    assert spec["empty"] is False
    assert charts.series_chart("bar", "Arrivals", ["09:00"], [("Entries", [0])])["empty"]
    assert charts.series_chart("bar", "Arrivals", [], [("Entries", [])])["empty"]


def test_a_series_with_the_wrong_number_of_values_is_refused():
    with pytest.raises(ValueError):
        charts.series_chart("bar", "Arrivals", ["09:00", "10:00"], [("Entries", [1])])
    with pytest.raises(ValueError):
        charts.series_chart("radar", "Arrivals", ["09:00"], [("Entries", [1])])


def test_a_flow_drops_empty_links_and_a_funnel_keeps_its_order():
    flow = charts.flow_chart(
        "Flow", [("Trust 2025", "Trust 2026", 4), ("Trust 2025", "Loss 2026", 0)]
    )
    assert flow["links"] == [{"source": "Trust 2025", "target": "Trust 2026", "value": 4}]
    assert charts.flow_chart("Flow", [("a", "b", 0)])["empty"]
    funnel = charts.funnel_chart("Life cycle", [("Cultivation", 9), ("Trust", 4)])
    assert (funnel["kind"], funnel["categories"], funnel["series"][0]["values"]) == (
        "funnel",
        ["Cultivation", "Trust"],
        [9, 4],
    )
