"""Survey dispatch: the post-show survey to N checked-in visitors, queued by the plan action
`surveys.send` and sent by the outbox job (`mail.send_outbox`) to an SMTP sink on loopback;
against a bare smtplib loop sending the same rendered messages over one connection.

The sink runs in a process of its own (aiosmtpd, accepts and counts), so it does not share
the sender's interpreter lock.
"""

from __future__ import annotations

import multiprocessing
import smtplib
import sys
import time
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32

import sqlalchemy as sa

from benchmarks import common

TARGET = 0.5
# compat32 with the CRLF line ends SMTP wants (smtplib passes bytes through as given).
SMTP_COMPAT32 = compat32.clone(linesep="\r\n")


class _CountingSink:
    def __init__(self, counter):
        self.counter = counter

    async def handle_DATA(self, server, session, envelope):
        with self.counter.get_lock():
            self.counter.value += len(envelope.rcpt_tos)
        return "250 OK"


def _serve_sink(port: int, counter, ready, stop) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(
        _CountingSink(counter), hostname="127.0.0.1", port=port, data_size_limit=0
    )
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class Sink:
    """An SMTP sink in a child process; `received` counts accepted recipients."""

    def __enter__(self):
        context = multiprocessing.get_context("spawn")
        self.port = common.free_port()
        self._counter = context.Value("l", 0)
        ready, self._stop = context.Event(), context.Event()
        self._process = context.Process(
            target=_serve_sink, args=(self.port, self._counter, ready, self._stop)
        )
        self._process.start()
        if not ready.wait(30):
            raise RuntimeError("SMTP sink did not start")
        return self

    @property
    def received(self) -> int:
        return self._counter.value

    def __exit__(self, *exc):
        self._stop.set()
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()


def run(quick: bool) -> dict:
    count = 2_000 if quick else 10_000
    with common.database("sqlite") as bench, Sink() as sink:
        app = common.make_app(bench.url, bench.instance, SMTP_URL=f"smtp://127.0.0.1:{sink.port}")
        with app.app_context():
            from expo_crm import clock
            from expo_crm.db import db
            from expo_crm.mail.jobs import send_outbox
            from expo_crm.mail.models import OutboxMessage
            from expo_crm.shows.models import Show
            from expo_crm.surveys.jobs import send_survey

            print(f"mail: seeding {count:,} checked-in visitors", file=sys.stderr)
            show_id = common.open_show()
            common.seed_registrations(show_id, count, progress=False, checked_in=1.0)
            common.analyse()
            at = clock.now()
            started = time.perf_counter()
            queued = send_survey(db.session.get(Show, show_id), at)
            db.session.commit()
            queued_at = time.perf_counter()
            sent = 0
            while (batch := send_outbox(clock.now())) > 0:
                sent += batch
            ours_seconds = time.perf_counter() - started
            ours_send_seconds = time.perf_counter() - queued_at
            ours_received = sink.received
            messages = db.session.execute(
                sa.select(
                    OutboxMessage.to_address,
                    OutboxMessage.to_name,
                    OutboxMessage.subject,
                    OutboxMessage.body_text,
                    OutboxMessage.body_html,
                    OutboxMessage.message_id,
                ).order_by(OutboxMessage.id)
            ).all()
            sender = app.config["MAIL_FROM"]
        started = time.perf_counter()
        _bare_loop(sink.port, sender, messages)
        baseline_seconds = time.perf_counter() - started
        baseline_received = sink.received - ours_received
    ours, baseline = count / ours_seconds, count / baseline_seconds
    return {
        "name": "survey-dispatch",
        "emails": count,
        "ours": round(ours, 1),
        "baseline": round(baseline, 1),
        "unit": "emails/s",
        "ratio": round(ours / baseline, 3),
        "ours_queue_seconds": round(ours_seconds - ours_send_seconds, 2),
        "ours_send_seconds": round(ours_send_seconds, 2),
        "baseline_seconds": round(baseline_seconds, 2),
        "send_only_ratio": round(baseline_seconds / ours_send_seconds, 3),
        "queued": queued,
        "sent": sent,
        "received": {"ours": ours_received, "baseline": baseline_received},
        "target": f"queue + send >= {TARGET} of the bare loop",
        "met": ours / baseline >= TARGET and ours_received == count == baseline_received,
    }


def _bare_loop(port: int, sender: str, messages) -> None:
    """The floor: the standard library's cheapest way to build and send each message (compat32
    MIME classes, headers encoded once), one connection, nothing stored. `EmailMessage` with
    `policy.default` would be about half as fast, which would flatter our ratio."""
    connection = smtplib.SMTP("127.0.0.1", port, timeout=10)
    connection.ehlo()
    for to_address, _to_name, subject, text, html, message_id in messages:
        plain = MIMEText(text, "plain", "utf-8")
        if html:
            email = MIMEMultipart("alternative")
            email.attach(plain)
            email.attach(MIMEText(html, "html", "utf-8"))
        else:
            email = plain
        email["From"] = sender
        email["To"] = to_address
        email["Subject"] = Header(subject, "utf-8").encode()
        email["Message-ID"] = message_id
        connection.sendmail(sender, [to_address], email.as_bytes(policy=SMTP_COMPAT32))
    connection.quit()
