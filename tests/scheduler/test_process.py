"""The real `expo-crm scheduler` process: killed mid-send and restarted, and run twice at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db, writing
from expo_crm.mail.models import MailState, OutboxMessage
from expo_crm.relationships.models import Interaction
from expo_crm.surveys import services as surveys
from tests.factories import (
    create_checked_in_visitors,
    create_outbox_message,
    create_show,
    create_survey_campaign,
)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


class SchedulerProcess:
    """`python -m expo_crm scheduler` against the test's database and SMTP sink."""

    def __init__(self, database_url: str, smtp_url: str, instance: Path, name: str):
        env = {k: v for k, v in os.environ.items() if not k.startswith("EXPO_CRM_")}
        env.update({
            "EXPO_CRM_DATABASE_URL": database_url, "EXPO_CRM_SMTP_URL": smtp_url,
            "EXPO_CRM_INSTANCE_PATH": str(instance), "EXPO_CRM_SECRET_KEY": "test-secret-key",
            "EXPO_CRM_BASE_URL": "http://localhost",
        })
        self.log = instance / f"{name}.log"
        with open(self.log, "w") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "expo_crm", "scheduler"], env=env, cwd=ROOT,
                stdout=output, stderr=subprocess.STDOUT,
            )

    @property
    def output(self) -> str:
        return self.log.read_text()

    @property
    def active(self) -> bool:
        return f"active scheduler pid {self.process.pid}" in self.output

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def _wait_until(condition, what: str, processes=(), seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        for process in processes:
            assert process.process.poll() is None, f"scheduler exited:\n{process.output[-3000:]}"
        time.sleep(0.2)
    logs = "\n".join(p.output[-3000:] for p in processes)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def _unsent() -> int:
    db.session.rollback()  # a fresh snapshot each time
    return db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.state.in_([MailState.pending, MailState.sending]))
    )


def _past_show():
    """A show long over: no step of its plan is due, so the outbox holds only the test's mail."""
    return create_show(open_from=clock.now().date() - timedelta(days=40))


def test_a_scheduler_killed_while_sending_2000_surveys_leaves_every_recipient_with_one_email(
        app, database_url, smtp_server, tmp_path):
    show = _past_show()
    create_checked_in_visitors(show, 2000, prefix="kill")
    campaign = create_survey_campaign(show, send=True)
    addresses = {i.email for i in surveys.invitations_of(campaign)}
    queued = {m.message_id: m.to_address for m in db.session.scalars(sa.select(OutboxMessage))}
    assert len(addresses) == len(queued) == 2000
    db.session.commit()

    first = SchedulerProcess(database_url, smtp_server.url, tmp_path, "first")
    try:
        _wait_until(lambda: len(smtp_server.messages) >= 300, "the first emails", [first])
        first.kill()
    finally:
        first.stop()
    assert 0 < _unsent() < 2000, "killed in the middle of sending"

    second = SchedulerProcess(database_url, smtp_server.url, tmp_path, "second")
    try:
        _wait_until(lambda: _unsent() == 0, "the outbox to empty", [second])
    finally:
        second.stop()

    states = Counter(db.session.scalars(sa.select(OutboxMessage.state)))
    assert states == {MailState.sent: 2000}
    received = Counter(str(m["Message-ID"]) for m in smtp_server.messages)
    assert set(received) == set(queued)
    by_recipient: dict[str, set[str]] = {}
    for message in smtp_server.messages:
        by_recipient.setdefault(message["To"].addresses[0].addr_spec, set()).add(str(message["Message-ID"]))
    assert set(by_recipient) == addresses
    assert all(len(ids) == 1 for ids in by_recipient.values()), "a recipient got two different emails"
    # The only message that can arrive twice is the one in flight at the kill (SMTP had accepted
    # it, its commit had not happened); it arrives with the same Message-ID, so it is one email.
    assert sum(received.values()) - len(received) <= 1
    timeline = db.session.scalar(sa.select(sa.func.count(Interaction.id)).where(Interaction.source_key.like("mail:%")))
    assert timeline == 2000


def test_two_schedulers_started_together_send_once_and_the_standby_takes_over(
        app, database_url, smtp_server, tmp_path):
    for n in range(150):
        create_outbox_message(f"early-{n}@example.com")
    _past_show()

    pair = [SchedulerProcess(database_url, smtp_server.url, tmp_path, name) for name in ("a", "b")]
    try:
        _wait_until(lambda: _unsent() == 0 and any(p.active for p in pair), "the first batch", pair)
        _wait_until(lambda: all("standby" in p.output or p.active for p in pair), "the standby", pair)
        [active] = [p for p in pair if p.active]
        [standby] = [p for p in pair if p is not active]
        assert "standby: another scheduler is active" in standby.output

        active.kill()
        db.session.rollback()  # end the polling snapshot; write as the app does, beside a live scheduler
        with writing():
            for n in range(50):
                create_outbox_message(f"late-{n}@example.com")
        _wait_until(lambda: standby.active, "the standby to take over", [standby], seconds=60)
        _wait_until(lambda: _unsent() == 0, "the second batch", [standby])
    finally:
        for process in pair:
            process.stop()

    received = Counter(m["To"].addresses[0].addr_spec for m in smtp_server.messages)
    expected = {f"early-{n}@example.com" for n in range(150)} | {f"late-{n}@example.com" for n in range(50)}
    assert set(received) == expected
    assert set(received.values()) == {1}, "some address got two emails"
    assert Counter(db.session.scalars(sa.select(OutboxMessage.state))) == {MailState.sent: 200}
