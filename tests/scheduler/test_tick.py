"""EXPO_CRM_SCHEDULER_TICK_SECONDS: how often the scheduler process runs its every-minute jobs."""

from expo_crm.scheduler import process, services


def test_every_minute_jobs_run_each_tick_and_others_keep_their_trigger(app, monkeypatch):
    monkeypatch.delenv("EXPO_CRM_SCHEDULER_TICK_SECONDS", raising=False)
    assert process._trigger_of("mail.send_outbox") == ("interval", {"seconds": 60.0})
    assert process._trigger_of(services.RUN_DUE_JOB) == ("interval", {"seconds": 60.0})

    monkeypatch.setenv("EXPO_CRM_SCHEDULER_TICK_SECONDS", "5")
    assert process._trigger_of("mail.send_outbox") == ("interval", {"seconds": 5.0})
    assert process._trigger_of(services.RUN_DUE_JOB) == ("interval", {"seconds": 5.0})
    assert process._trigger_of("exhibitors.release_lapsed_holds") == ("interval", {"seconds": 5.0})
    assert process._trigger_of("matchmaking.reminders") == ("interval", {"minutes": 15})
    assert process._trigger_of("lifecycle.nightly") == ("cron", {"hour": 2, "minute": 0})
