"""Charts as data: a page builds a chart's specification here and the layout draws it twice, as
an Apache ECharts chart (static/js/charts.js) and as the table of its numbers beside it.

The specification is plain JSON, so the same numbers reach the chart, the table, a live page's
polling endpoint and the tests. A chart without data says so instead of drawing an empty frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

KINDS = ("bar", "hbar", "line", "funnel", "pie", "sankey")


def _number(value) -> float | int:
    """A JSON number: a whole Decimal (an area of 63.00 m²) as an int, any other as a float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value or 0


def series_chart(
    kind: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence]],
    *,
    category_name: str = "",
    value_name: str = "",
    stacked: bool = False,
) -> dict:
    """A bar, horizontal bar, line or pie chart: one value per category in each series."""
    if kind not in KINDS or kind in ("funnel", "sankey"):
        raise ValueError(f"not a series chart kind: {kind!r}")
    categories = [str(c) for c in categories]
    rows = [{"name": str(name), "values": [_number(v) for v in values]} for name, values in series]
    for row in rows:
        if len(row["values"]) != len(categories):
            raise ValueError(f"series {row['name']!r} has {len(row['values'])} values")
    return {
        "kind": kind,
        "title": str(title),
        "categories": categories,
        "series": rows,
        "category_name": str(category_name),
        "value_name": str(value_name),
        "stacked": stacked,
        "empty": not categories or all(not any(r["values"]) for r in rows),
    }


def funnel_chart(title: str, stages: Sequence[tuple[str, int]], *, value_name: str = "") -> dict:
    """A funnel: stages in order, each with its count (the life cycle of a show's customers)."""
    spec = series_chart(
        "bar",
        title,
        [label for label, _count in stages],
        [(value_name, [count for _label, count in stages])],
        value_name=value_name,
    )
    spec["kind"] = "funnel"
    return spec


def flow_chart(
    title: str,
    links: Sequence[tuple[str, str, int]],
    *,
    source_name: str = "",
    target_name: str = "",
    value_name: str = "",
) -> dict:
    """Flows from one set of states to another (stages in one edition → the next), as a sankey.

    Source and target labels are kept apart (an edition's "trust" and the next one's "trust"
    are two nodes), so the table beside it reads from → to → how many."""
    kept = [(str(a), str(b), int(n)) for a, b, n in links if n]
    return {
        "kind": "sankey",
        "title": str(title),
        "links": [{"source": a, "target": b, "value": n} for a, b, n in kept],
        "source_name": str(source_name),
        "target_name": str(target_name),
        "value_name": str(value_name),
        "empty": not kept,
    }
