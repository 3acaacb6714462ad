"""An SMTP server that goes away in the middle of a batch, stays down a while and comes back:
the mail is delayed, never lost, never sent twice."""

from __future__ import annotations

import email
import socket
import threading
from collections import Counter
from datetime import timedelta
from email import policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from expo_crm import clock
from expo_crm.db import db
from expo_crm.mail.jobs import MailServerUnreachable, send_outbox
from expo_crm.mail.models import MailState, OutboxMessage
from tests.conftest import _free_port
from tests.factories import create_outbox_message


class FlakyServer:
    """A real SMTP server on loopback that drops the connection after `accept` messages."""

    def __init__(self, port: int, accept: int | None = None):
        self.received: list = []
        self._lock = threading.Lock()
        server = self

        class Handler:
            async def handle_DATA(self, smtp, session, envelope):
                with server._lock:
                    if accept is not None and len(server.received) >= accept:
                        smtp.transport.close()  # the server goes away mid-conversation
                        return "421 Closing connection"
                    server.received.append(
                        email.message_from_bytes(envelope.content, policy=policy.default)
                    )
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def _states() -> Counter:
    db.session.expire_all()
    return Counter(db.session.scalars(sa.select(OutboxMessage.state)))


def test_mail_waits_through_an_outage_and_goes_out_once_when_the_server_is_back(app):
    port = _free_port()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    addresses = [f"buyer{n}@example.com" for n in range(30)]
    for address in addresses:
        create_outbox_message(address)
    start = clock.freeze(clock.now())

    flaky = FlakyServer(port, accept=10)
    try:
        assert send_outbox(start) == 10
    finally:
        flaky.stop()
    assert _states() == {MailState.sent: 10, MailState.pending: 20}
    cut_off = db.session.scalars(
        sa.select(OutboxMessage).where(
            OutboxMessage.state == MailState.pending, OutboxMessage.attempts == 1
        )
    ).one()
    assert cut_off.next_attempt_at > start and "Disconnected" in cut_off.last_error

    # Down: nothing listens. The mail waits, none is lost, and the outbox says why. No message
    # was tried, so none backs off: each run of the job (every minute) tries the server again.
    down = start + timedelta(seconds=30)
    with pytest.raises(MailServerUnreachable):
        send_outbox(down)
    assert _states() == {MailState.sent: 10, MailState.pending: 20}
    waiting = db.session.scalars(
        sa.select(OutboxMessage).where(
            OutboxMessage.state == MailState.pending, OutboxMessage.id != cut_off.id
        )
    ).all()
    assert len(waiting) == 19
    assert all(
        m.attempts == 0 and m.next_attempt_at <= down and "Connection refused" in m.last_error
        for m in waiting
    )
    late = create_outbox_message("late@example.com")  # mail keeps being queued during the outage
    assert late.state is MailState.pending

    back = FlakyServer(port)
    try:
        assert send_outbox(down + timedelta(minutes=5)) == 21
        assert send_outbox(down + timedelta(minutes=10)) == 0
    finally:
        back.stop()
    assert _states() == {MailState.sent: 31}
    delivered = Counter(m["To"].addresses[0].addr_spec for m in flaky.received + back.received)
    assert delivered == Counter(addresses + ["late@example.com"])


def test_a_server_that_never_answers_holds_the_mail_back_without_losing_it(
    app, smtp_server, monkeypatch
):
    from expo_crm.mail import smtp

    monkeypatch.setattr(smtp, "SMTP_TIMEOUT", 1)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # connections are accepted by the kernel, and never greeted
    real_url = app.config["SMTP_URL"]
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{silent.getsockname()[1]}"
    message = create_outbox_message("patient@example.com")
    start = clock.freeze(clock.now())
    try:
        with pytest.raises(MailServerUnreachable, match="timed out"):
            send_outbox(start)
    finally:
        silent.close()
    db.session.expire_all()
    waiting = db.session.get(OutboxMessage, message.id)
    assert waiting.state is MailState.pending and "timed out" in waiting.last_error

    app.config["SMTP_URL"] = real_url
    assert send_outbox(start + timedelta(minutes=1)) == 1
    assert [str(m["To"]) for m in smtp_server.messages] == ["patient@example.com"]
