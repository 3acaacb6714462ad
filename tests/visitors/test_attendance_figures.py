"""Arrivals per hour are counted by the database and labelled in the show's time zone."""

from datetime import UTC, datetime

from expo_crm.db import db
from expo_crm.visitors.attendance import figures
from tests.factories import create_open_show, create_registration


def test_arrivals_are_counted_per_local_hour(app):
    show = create_open_show(timezone="Asia/Shanghai")
    times = [
        datetime(2026, 5, 20, 1, 5, tzinfo=UTC),  # 09:05 in Shanghai
        datetime(2026, 5, 20, 1, 55, tzinfo=UTC),  # 09:55
        datetime(2026, 5, 20, 2, 0, tzinfo=UTC),  # 10:00
        datetime(2026, 5, 20, 16, 30, tzinfo=UTC),  # 00:30 the next local day
    ]
    for moment in times:
        registration, _ = create_registration(show, commit=False)
        registration.first_checked_in_at = moment
    create_registration(show, commit=False)  # registered, never came
    db.session.commit()

    data = figures(show)
    hours = {row["hour"]: row["count"] for row in data["arrivals"]}
    assert [row["hour"] for row in data["arrivals"]] == [
        f"05-20 {h:02d}:00" for h in range(9, 24)
    ] + ["05-21 00:00"]  # every hour from the first arrival to the last, empty ones as zero
    assert (hours["05-20 09:00"], hours["05-20 10:00"], hours["05-21 00:00"]) == (2, 1, 1)
    assert sum(hours.values()) == 4
    assert data["by_day"] == [{"day": "05-20", "count": 3}, {"day": "05-21", "count": 1}]
    assert (data["registered"], data["checked_in"]) == (5, 4)
