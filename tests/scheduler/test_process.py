"""The real `expo-crm scheduler` process: killed mid-send and restarted, and run twice at once.

A scheduler sends the due mail at once when it becomes active; only the test of an SMTP server
coming back waits for a next run, and its scheduler runs the every-minute jobs every TICK seconds
(EXPO_CRM_SCHEDULER_TICK_SECONDS), so that comes within seconds, not a minute."""

from __future__ import annotations

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
from expo_crm.surveys import campaigns
from tests.conftest import MailSink, _free_port
from tests.factories import (
    create_checked_in_visitors,
    create_outbox_message,
    create_show,
    create_survey_campaign,
)
from tests.helpers import ROOT, process_env

pytestmark = pytest.mark.slow

TICK = "5"


class SchedulerProcess:
    """`python -m expo_crm scheduler` against the test's database and SMTP sink."""

    def __init__(
        self, database_url: str, smtp_url: str, instance: Path, name: str, **settings: str
    ):
        env = process_env(database_url, instance, SMTP_URL=smtp_url, **settings)
        self.log = instance / f"{name}.log"
        with open(self.log, "w") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "expo_crm", "scheduler"],
                env=env,
                cwd=ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
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


def _wait_until(
    condition, what: str, processes=(), seconds: float = 180, every: float = 0.2
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        for process in processes:
            assert process.process.poll() is None, f"scheduler exited:\n{process.output[-3000:]}"
        time.sleep(every)
    logs = "\n".join(p.output[-3000:] for p in processes)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def _count(*states: MailState) -> int:
    db.session.rollback()  # a fresh snapshot each time
    return db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.state.in_(states))
    )


def _past_show():
    """A show long over: no step of its plan is due, so the outbox holds only the test's mail."""
    return create_show(open_from=clock.now().date() - timedelta(days=40))


# Enough surveys that the kill falls well inside the run: it comes once a quarter are received,
# and the sink takes a few milliseconds over each message, as a real server does, so the rest
# takes seconds however fast the sender.
SURVEYS = 600


def test_a_scheduler_killed_while_sending_600_surveys_leaves_every_recipient_with_one_email(
    app, database_url, smtp_server, tmp_path
):
    show = _past_show()
    create_checked_in_visitors(show, SURVEYS, prefix="kill")
    campaign = create_survey_campaign(show, send=True)
    addresses = {i.email for i in campaigns.invitations_of(campaign)}
    queued = {m.message_id: m.to_address for m in db.session.scalars(sa.select(OutboxMessage))}
    assert len(addresses) == len(queued) == SURVEYS
    db.session.commit()
    smtp_server.delay = 0.004

    first = SchedulerProcess(database_url, smtp_server.url, tmp_path, "first")
    try:
        _wait_until(
            lambda: len(smtp_server.messages) >= SURVEYS // 4,
            "the first emails",
            [first],
            every=0.02,
        )
        first.kill()
    finally:
        first.stop()
    assert 0 < _count(MailState.pending) < SURVEYS, "killed in the middle of sending"

    second = SchedulerProcess(database_url, smtp_server.url, tmp_path, "second")
    try:
        _wait_until(lambda: _count(MailState.pending) == 0, "the outbox to empty", [second])
    finally:
        second.stop()

    received = Counter(str(m["Message-ID"]) for m in smtp_server.messages)
    assert set(received.values()) == {1}, "an email was sent twice"
    # The kill leaves at most one message "handed over, not confirmed": the one in flight. It was
    # delivered unless the kill fell between its commit and its end-of-data line.
    db.session.rollback()  # a snapshot taken after the second scheduler stopped
    unconfirmed = set(
        db.session.scalars(
            sa.select(OutboxMessage.message_id).where(OutboxMessage.state == MailState.sending)
        )
    )
    assert len(unconfirmed) <= 1
    assert _count(MailState.sent) == SURVEYS - len(unconfirmed)
    assert set(queued) - unconfirmed <= set(received) <= set(queued)
    by_recipient = Counter(m["To"].addresses[0].addr_spec for m in smtp_server.messages)
    assert set(by_recipient.values()) == {1}
    assert set(by_recipient) == addresses - {queued[i] for i in unconfirmed - set(received)}
    timeline = db.session.scalar(
        sa.select(sa.func.count(Interaction.id)).where(Interaction.source_key.like("mail:%"))
    )
    assert timeline == SURVEYS


def test_two_schedulers_started_together_send_once_and_the_standby_takes_over(
    app, database_url, smtp_server, tmp_path
):
    for n in range(150):
        create_outbox_message(f"early-{n}@example.com")
    _past_show()

    pair = [SchedulerProcess(database_url, smtp_server.url, tmp_path, name) for name in ("a", "b")]
    try:
        _wait_until(
            lambda: (
                _count(MailState.pending, MailState.sending) == 0 and any(p.active for p in pair)
            ),
            "the first batch",
            pair,
        )
        _wait_until(
            lambda: all("standby" in p.output or p.active for p in pair), "the standby", pair
        )
        [active] = [p for p in pair if p.active]
        [standby] = [p for p in pair if p is not active]
        assert "standby: another scheduler is active" in standby.output

        active.kill()
        db.session.rollback()  # end the polling snapshot; write as the app does, beside a live scheduler
        with writing():
            for n in range(50):
                create_outbox_message(f"late-{n}@example.com")
        _wait_until(lambda: standby.active, "the standby to take over", [standby], seconds=60)
        _wait_until(
            lambda: _count(MailState.pending, MailState.sending) == 0, "the second batch", [standby]
        )
    finally:
        for process in pair:
            process.stop()

    received = Counter(m["To"].addresses[0].addr_spec for m in smtp_server.messages)
    expected = {f"early-{n}@example.com" for n in range(150)} | {
        f"late-{n}@example.com" for n in range(50)
    }
    assert set(received) == expected
    assert set(received.values()) == {1}, "some address got two emails"
    assert Counter(db.session.scalars(sa.select(OutboxMessage.state))) == {MailState.sent: 200}


def test_mail_waits_while_the_smtp_server_is_down_and_goes_out_once_when_it_is_back(
    app, database_url, tmp_path
):
    port = _free_port()  # nothing listens there yet
    addresses = [f"waiting-{n}@example.com" for n in range(120)]
    for address in addresses:
        create_outbox_message(address)
    _past_show()

    scheduler = SchedulerProcess(
        database_url, f"smtp://127.0.0.1:{port}", tmp_path, "alone", SCHEDULER_TICK_SECONDS=TICK
    )
    try:

        def told_why() -> bool:
            db.session.rollback()
            return db.session.scalar(
                sa.select(sa.func.count(OutboxMessage.id)).where(
                    OutboxMessage.last_error.like("%refused%")
                )
            ) == len(addresses)

        _wait_until(told_why, "the scheduler to find the server down", [scheduler])
        assert _count(MailState.pending) == len(addresses)
        server = MailSink(port)
        try:
            _wait_until(
                lambda: _count(MailState.pending, MailState.sending) == 0,
                "the mail to go out",
                [scheduler],
                seconds=150,
            )
        finally:
            server.stop()
    finally:
        scheduler.stop()

    received = Counter(m["To"].addresses[0].addr_spec for m in server.messages)
    assert received == Counter(addresses)
    assert Counter(db.session.scalars(sa.select(OutboxMessage.state))) == {
        MailState.sent: len(addresses)
    }
