"""`python -m tests.mail.dying_sender N MOMENT`: send the outbox and SIGKILL this process while
sending the Nth message, at MOMENT:

- `handing-over`: half the message is with the server, nothing is committed for it;
- `before-end`: its hand-over is committed, the end-of-data line is not sent;
- `after-answer`: the server has answered "250", nothing has recorded that answer.

The kill is real, so the operating system closes the SMTP and database connections as it would
after an out-of-memory kill or a power cut of the process.
"""

from __future__ import annotations

import os
import signal
import sys

from expo_crm import clock, create_app
from expo_crm.mail import jobs, smtp

MOMENTS = ("handing-over", "before-end", "after-answer")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(victim: int, moment: str) -> None:
    assert moment in MOMENTS, moment
    real_hand_over, real_finish = smtp.hand_over, smtp.finish
    handed = {"count": 0}

    def hand_over(connection, message):
        handed["count"] += 1
        if handed["count"] == victim and moment == "handing-over":
            connection.mail(message.sender)
            connection.rcpt(message.recipient)
            connection.docmd("DATA")
            connection.send(message.data[:200])
            _die()
        real_hand_over(connection, message)

    def finish(connection):
        if handed["count"] == victim and moment == "before-end":
            _die()
        real_finish(connection)
        if handed["count"] == victim and moment == "after-answer":
            _die()

    smtp.hand_over, smtp.finish = hand_over, finish
    app = create_app()
    with app.app_context():
        jobs.send_outbox(clock.now())
    raise SystemExit("the outbox ran out before the message to die at")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
