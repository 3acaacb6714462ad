"""A sending process SIGKILLed at each moment of a message's transfer: nothing is sent twice, and
the one message whose delivery nobody can know is shown to staff, who may send it again."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.mail.jobs import send_outbox
from expo_crm.mail.models import MailState, OutboxMessage
from expo_crm.relationships.models import Interaction
from expo_crm.visitors.models import Visitor
from tests.factories import create_outbox_message, create_staff
from tests.helpers import ROOT, login, post_form, process_env, text_of
from tests.mail.dying_sender import MOMENTS

ADDRESSES = ["first@example.com", "second@example.com", "third@example.com"]


def _queue_three() -> list[int]:
    visitors = [
        Visitor(name=address.split("@")[0], email=address, locale="en") for address in ADDRESSES
    ]
    db.session.add_all(visitors)
    db.session.commit()
    return [
        create_outbox_message(v.email, subject=f"For {v.name}", subject_ref=("visitor", v.id)).id
        for v in visitors
    ]


def _kill_while_sending_the_second(database_url: str, smtp_url: str, instance, moment: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "tests.mail.dying_sender", "2", moment],
        env=process_env(database_url, instance, SMTP_URL=smtp_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == -signal.SIGKILL, run.stdout + run.stderr


def _states(ids: list[int]) -> list[MailState]:
    db.session.rollback()  # a fresh snapshot: the killed process wrote since this session last read
    return [db.session.get(OutboxMessage, i).state for i in ids]


def _received(smtp_server) -> Counter:
    return Counter(m["To"].addresses[0].addr_spec for m in smtp_server.messages)


# What the server holds after the kill, and each message's state in the database.
AFTER_THE_KILL = {
    "handing-over": (
        {"first@example.com"},
        [MailState.sending, MailState.pending, MailState.pending],
    ),
    "before-end": ({"first@example.com"}, [MailState.sent, MailState.sending, MailState.pending]),
    "after-answer": (
        {"first@example.com", "second@example.com"},
        [MailState.sent, MailState.sending, MailState.pending],
    ),
}


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_sender_killed_at_any_moment_of_a_transfer_sends_nothing_twice(
    app, database_url, smtp_server, tmp_path, moment
):
    ids = _queue_three()
    _kill_while_sending_the_second(database_url, smtp_server.url, tmp_path, moment)
    delivered, states = AFTER_THE_KILL[moment]
    assert set(_received(smtp_server)) == delivered
    assert _states(ids) == states

    assert send_outbox(clock.now()) == states.count(MailState.pending)  # the restarted scheduler
    assert send_outbox(clock.now() + timedelta(hours=7)) == 0
    received = _received(smtp_server)
    assert set(received.values()) == {1}, f"sent twice: {received}"
    # Only a kill between the hand-over's commit and the end-of-data line loses the message, and
    # that message stays "handed over, not confirmed" for staff to see.
    assert set(received) == set(ADDRESSES) - (
        {"second@example.com"} if moment == "before-end" else set()
    )
    unconfirmed = [
        address
        for address, state in zip(ADDRESSES, _states(ids), strict=True)
        if state is MailState.sending
    ]
    assert unconfirmed == (
        ["first@example.com"] if moment == "handing-over" else ["second@example.com"]
    )
    # Every message handed over is on its recipient's timeline once.
    keys = Counter(
        db.session.scalars(
            sa.select(Interaction.source_key).where(Interaction.source_key.like("mail:%"))
        )
    )
    assert keys == Counter(f"mail:{i}" for i in ids)


def test_staff_see_a_message_left_unconfirmed_and_may_send_it_again(
    app, client, database_url, smtp_server, tmp_path
):
    ids = _queue_three()
    _kill_while_sending_the_second(database_url, smtp_server.url, tmp_path, "before-end")
    send_outbox(clock.now())
    staff = create_staff("service")
    login(client, staff.email)

    listed = text_of(client.get("/mail/outbox?state=sending"))
    assert "For second" in listed and "Handed over, not confirmed" in listed
    assert "For first" not in listed and "For third" not in listed
    detail = f"/mail/outbox/{ids[1]}"
    assert "almost certainly delivered" not in text_of(client.get(detail)), (
        "it may still be in flight"
    )
    refused = post_form(client, f"{detail}/retry", {}, page="/mail/outbox", follow_redirects=True)
    assert "cannot be sent again" in text_of(refused)
    assert _states(ids)[1] is MailState.sending

    clock.freeze(clock.now() + timedelta(minutes=11))  # no scheduler confirmed it: its process died
    page = text_of(client.get(detail))
    assert "almost certainly delivered" in page and "Retry" in page
    retried = post_form(client, f"{detail}/retry", {}, follow_redirects=True)
    assert "will be sent again" in text_of(retried)
    assert _states(ids)[1] is MailState.pending
    assert send_outbox(clock.now()) == 1
    assert _received(smtp_server) == Counter(ADDRESSES)
    assert _states(ids) == [MailState.sent] * 3
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Interaction.id)).where(
                Interaction.source_key == f"mail:{ids[1]}"
            )
        )
        == 1
    )
