"""A show set against the editions of its series: the management's first question.

The figures come from the domains through `dashboard.edition_measure`; this module only lines
them up, this edition beside the last, and every edition of the series as a trend.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from expo_crm import charts
from expo_crm.dashboard import EditionMeasure, edition_measures
from expo_crm.shows.models import Show
from expo_crm.shows.services import editions_of, previous_edition


@dataclass(frozen=True)
class Comparison:
    measure: EditionMeasure
    now: Decimal | int | None
    before: Decimal | int | None

    @property
    def change_percent(self) -> int | None:
        """The change against the last edition in percent; None when either side is unknown
        or the last edition had none (a change from nothing has no percentage)."""
        if self.now is None or self.before is None or not self.before:
            return None
        return round(100 * (Decimal(self.now) - Decimal(self.before)) / abs(Decimal(self.before)))


def compare(show: Show) -> tuple[Show | None, list[Comparison]]:
    before = previous_edition(show)
    return before, [
        Comparison(m, m.compute(show.id), m.compute(before.id) if before else None)
        for m in edition_measures()
    ]


def trend_charts(show: Show) -> list[tuple[str, dict]]:
    """One line chart per measure over every edition of the series (an unknown figure as 0
    would lie, so an edition without the figure is left out of that chart)."""
    shows = editions_of(show)
    specs = []
    for measure in edition_measures():
        points = [(s.name, measure.compute(s.id)) for s in shows]
        points = [(name, value) for name, value in points if value is not None]
        title = f"{measure.label} ({measure.unit})" if measure.unit else str(measure.label)
        specs.append(
            (
                measure.key,
                charts.series_chart(
                    "line",
                    title,
                    [name for name, _value in points],
                    [(str(measure.label), [value for _name, value in points])],
                    category_name=show.series,
                    value_name=str(measure.unit),
                ),
            )
        )
    return specs
