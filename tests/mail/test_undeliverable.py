"""Issue 14, item 4: when the mail server cannot be reached, the outbox, the message page, the
staff dashboard and the jobs console say so, since when and why; nobody reads "ran fine"."""

from __future__ import annotations

from datetime import timedelta

from expo_crm import clock
from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.i18n import localtime
from expo_crm.scheduler import services as scheduler
from expo_crm.scheduler.models import RunState
from tests.factories import create_outbox_message, create_staff
from tests.helpers import login, text_of


def test_an_unreachable_server_is_shown_on_the_outbox_the_dashboard_and_the_jobs_console(client):
    # The test app's SMTP_URL points at a port nothing listens on.
    start = clock.freeze(clock.now().replace(second=0, microsecond=0))
    messages = [create_outbox_message(f"buyer{n}@example.com") for n in range(3)]
    run = scheduler.run_job("mail.send_outbox", start + timedelta(seconds=5))
    assert run.state is RunState.failed
    assert "MailServerUnreachable" in run.error and "ConnectionRefusedError" in run.error
    clock.freeze(start + timedelta(minutes=2))

    with client.application.test_request_context():
        since = localtime(start, fmt="HH:mm")
    expected = f"Mail cannot be delivered since {since}: ConnectionRefusedError"

    login(client, create_staff(Role.service).email)
    dashboard = text_of(client.get("/dashboard"))
    assert expected in dashboard and "Messages waiting: 3." in dashboard
    outbox = text_of(client.get("/mail/outbox"))
    assert expected in outbox and "Messages waiting: 3." in outbox
    assert expected in text_of(client.get(f"/mail/outbox/{messages[0].id}"))

    client.get("/logout")
    login(client, create_staff(Role.admin).email)
    console = text_of(client.get("/jobs/"))
    row = console.split('id="job-mail-send_outbox"')[1].split("</tr>")[0]
    assert "Failed" in row and "MailServerUnreachable" in row and "Done" not in row


def test_once_the_server_answers_the_warning_goes_and_the_run_is_done(client, smtp_server):
    create_outbox_message("buyer@example.com")
    real_url = client.application.config["SMTP_URL"]
    client.application.config["SMTP_URL"] = "smtp://127.0.0.1:9"
    failed = scheduler.run_job("mail.send_outbox", clock.now())
    assert failed.state is RunState.failed

    login(client, create_staff(Role.service).email)
    assert "Mail cannot be delivered" in text_of(client.get("/dashboard"))

    client.application.config["SMTP_URL"] = real_url
    run = scheduler.run_job("mail.send_outbox", clock.now() + timedelta(minutes=1))
    assert run.state is RunState.succeeded and run.result == 1
    db.session.expire_all()
    assert "Mail cannot be delivered" not in text_of(client.get("/dashboard"))
    assert "Mail cannot be delivered" not in text_of(client.get("/mail/outbox"))


def test_staff_who_cannot_open_the_outbox_do_not_get_the_panel(client):
    create_outbox_message("buyer@example.com")
    scheduler.run_job("mail.send_outbox", clock.now())
    login(client, create_staff(Role.sales).email)
    assert "Mail cannot be delivered" not in text_of(client.get("/dashboard"))
