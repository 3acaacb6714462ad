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
    assert data["arrivals"] == [
        {"hour": "05-20 09:00", "count": 2},
        {"hour": "05-20 10:00", "count": 1},
        {"hour": "05-21 00:00", "count": 1},
    ]
    assert (data["registered"], data["checked_in"]) == (5, 4)
