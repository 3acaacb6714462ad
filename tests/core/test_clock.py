from datetime import UTC, datetime, timedelta

from expo_crm import clock


def test_the_environment_starts_the_clock_at_a_given_time_and_it_runs_on(monkeypatch):
    monkeypatch.setenv("EXPO_CRM_NOW", "2027-05-20T09:00:00+08:00")
    monkeypatch.delenv("EXPO_CRM_CLOCK_ANCHOR", raising=False)
    clock.unfreeze()
    first = clock.now()
    assert abs(first - datetime(2027, 5, 20, 1, 0, tzinfo=UTC)) < timedelta(seconds=5)
    assert clock.now() >= first
    clock.unfreeze()


def test_a_frozen_clock_travels_only_when_told():
    clock.freeze("2027-01-01T00:00:00")
    assert clock.now() == datetime(2027, 1, 1, tzinfo=UTC)
    clock.travel(timedelta(days=2))
    assert clock.now() == datetime(2027, 1, 3, tzinfo=UTC)


def test_times_without_a_zone_are_utc():
    assert clock.parse_iso("2027-05-20T09:00").tzinfo == UTC
