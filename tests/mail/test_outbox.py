"""The outbox sends over real SMTP (aiosmtpd on loopback), retries, and never sends twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from expo_crm import clock
from expo_crm.db import db
from expo_crm.mail.jobs import MailServerUnreachable, send_outbox
from expo_crm.mail.models import MailCategory, MailState, OutboxMessage
from expo_crm.mail.services import Attachment, unsubscribe, unsubscribe_token
from expo_crm.mail.smtp import parse_smtp_url
from expo_crm.relationships.models import Interaction
from tests.factories import create_outbox_message, create_staff
from tests.helpers import login, post_form, text_of


def test_smtp_urls_are_understood():
    plain = parse_smtp_url("smtp://127.0.0.1:1025")
    assert (plain.host, plain.port, plain.ssl, plain.starttls) == ("127.0.0.1", 1025, False, False)
    secure = parse_smtp_url("smtps://user:p%40ss@mail.example.com:465")
    assert (secure.ssl, secure.username, secure.password) == (True, "user", "p@ss")
    assert parse_smtp_url("smtp+starttls://u:p@mail.example.com").port == 587


def test_a_message_goes_out_with_its_message_id_attachments_and_inline_image(app, smtp_server):
    message = create_outbox_message(
        "anna@example.com",
        subject="Your badge",
        context={"image_cid": "qr1"},
        attachments=[
            Attachment("badge.pdf", "application/pdf", b"%PDF-1.4 test"),
            Attachment("qr.png", "image/png", b"\x89PNG fake", content_id="qr1"),
        ],
    )
    assert send_outbox(clock.now()) == 1
    [received] = smtp_server.to("anna@example.com")
    assert received["Message-ID"] == message.message_id
    assert received["Subject"] == "Your badge"
    parts = {part.get_content_type(): part for part in received.walk()}
    assert "cid:qr1" in parts["text/html"].get_content()
    assert parts["image/png"]["Content-ID"] == "<qr1>"
    assert parts["application/pdf"].get_filename() == "badge.pdf"
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).state is MailState.sent
    assert send_outbox(clock.now()) == 0
    assert len(smtp_server.messages) == 1


def test_a_server_that_is_down_delays_mail_and_loses_none(app, smtp_server):
    for n in range(5):
        create_outbox_message(f"p{n}@example.com")
    start = clock.freeze(clock.now())
    real_url = app.config["SMTP_URL"]
    app.config["SMTP_URL"] = "smtp://127.0.0.1:9"
    with pytest.raises(MailServerUnreachable, match="ConnectionRefusedError"):
        send_outbox(start)
    db.session.expire_all()
    waiting = db.session.scalars(sa.select(OutboxMessage)).all()
    assert {m.state for m in waiting} == {MailState.pending}
    assert all(m.attempts == 0 and "ConnectionRefusedError" in m.last_error for m in waiting)
    app.config["SMTP_URL"] = real_url
    assert send_outbox(start + timedelta(minutes=1)) == 5, "the next run after the server is back"
    assert sorted(str(m["To"]) for m in smtp_server.messages) == [
        f"p{n}@example.com" for n in range(5)
    ]


def test_temporary_refusal_is_retried_and_permanent_refusal_fails(app, smtp_server):
    from expo_crm.visitors.models import Visitor

    visitor = Visitor(name="Li Lei", email="later@example.com", locale="zh")
    db.session.add(visitor)
    db.session.commit()
    message = create_outbox_message("later@example.com", subject_ref=("visitor", visitor.id))
    smtp_server.refuse = True  # "451" after the whole message
    at = clock.now()
    assert send_outbox(at) == 0
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message.id)
    assert (
        message.state is MailState.pending
        and "451" in message.last_error
        and message.sent_at is None
    )
    assert not db.session.scalars(
        sa.select(Interaction).where(Interaction.visitor_id == visitor.id)
    ).all()
    smtp_server.refuse = False
    assert send_outbox(at + timedelta(minutes=2)) == 1
    assert db.session.scalars(
        sa.select(Interaction.source_key).where(Interaction.visitor_id == visitor.id)
    ).all() == [f"mail:{message.id}"]

    bad = create_outbox_message("bad@example.com")
    smtp_server.refuse = "554 5.7.1 Message rejected as spam"
    assert send_outbox(at + timedelta(minutes=3)) == 0
    smtp_server.refuse = False
    assert send_outbox(at + timedelta(hours=7)) == 0, "a permanent refusal is not retried"
    db.session.expire_all()
    bad = db.session.get(OutboxMessage, bad.id)
    assert bad.state is MailState.failed and "554" in bad.last_error and bad.sent_at is None
    assert [str(m["To"]) for m in smtp_server.messages] == ["later@example.com"]


def test_unsubscribed_addresses_get_no_marketing_mail(app, smtp_server):
    kept = create_outbox_message("fan@example.com", category=MailCategory.transactional)
    offer = create_outbox_message("fan@example.com", category=MailCategory.marketing)
    assert "/unsubscribe/" in offer.body_text
    unsubscribe("Fan@example.com")
    db.session.commit()
    later = create_outbox_message("fan@example.com", category=MailCategory.marketing)
    assert later.state is MailState.suppressed
    assert send_outbox(clock.now()) == 1
    db.session.expire_all()
    assert db.session.get(OutboxMessage, kept.id).state is MailState.sent
    assert db.session.get(OutboxMessage, offer.id).state is MailState.suppressed


def test_the_unsubscribe_page_honours_a_signed_token_and_refuses_a_forged_one(app, client):
    token = unsubscribe_token("reader@example.com")
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "reader@example.com" in text_of(page)
    done = post_form(client, f"/unsubscribe/{token}", {})
    assert "will receive no more marketing email" in text_of(done)
    message = create_outbox_message("reader@example.com", category=MailCategory.marketing)
    assert message.state is MailState.suppressed
    forged = client.get(f"/unsubscribe/{token[:-3]}abc")
    assert forged.status_code == 404 and "not valid" in text_of(forged)


def test_sent_mail_with_a_subject_appears_on_the_timeline(app, smtp_server):
    from expo_crm.visitors.models import Visitor

    visitor = Visitor(name="Li Lei", email="lilei@example.com", locale="zh")
    db.session.add(visitor)
    db.session.commit()
    message = create_outbox_message(
        "lilei@example.com", subject="Welcome", subject_ref=("visitor", visitor.id)
    )
    send_outbox(clock.now())
    send_outbox(clock.now())
    [entry] = db.session.scalars(
        sa.select(Interaction).where(Interaction.visitor_id == visitor.id)
    ).all()
    assert entry.source_key == f"mail:{message.id}"
    assert (entry.event, entry.params, entry.subject) == ("mail.sent", {"subject": "Welcome"}, "")
    with force_locale("en"):
        assert entry.headline == "Email sent: Welcome"


def test_the_outbox_page_lists_failures_with_a_retry_button(app, client, smtp_server):
    message = create_outbox_message("x@example.com", subject="Broken")
    message.state = MailState.failed
    message.last_error = "SMTPRecipientsRefused: 550 no such user"
    db.session.commit()
    staff = create_staff("service")
    login(client, staff.email)
    page = client.get("/mail/outbox?state=failed")
    assert "Broken" in text_of(page) and "550 no such user" in text_of(page)
    retried = post_form(client, f"/mail/outbox/{message.id}/retry", {}, page="/mail/outbox")
    assert retried.status_code == 302, text_of(retried)[:300]
    assert retried.location.endswith("/mail/outbox"), retried.location
    db.session.expire_all()
    again = db.session.get(OutboxMessage, message.id)
    assert again.state is MailState.pending, (again.state, again.next_attempt_at)
    assert send_outbox(clock.now()) == 1
    assert smtp_server.to("x@example.com")


def test_staff_without_mail_view_cannot_see_the_outbox(app, client):
    staff = create_staff("gate")
    login(client, staff.email)
    assert client.get("/mail/outbox").status_code == 403


def test_a_dedupe_key_queues_one_email_in_a_transaction_and_across_them(app):
    first = create_outbox_message("once@example.com", dedupe_key="invite:1", commit=False)
    again = create_outbox_message("once@example.com", dedupe_key="invite:1", commit=False)
    assert first is not None and again is None
    db.session.rollback()  # nothing was queued after all: the key is free again
    kept = create_outbox_message("once@example.com", dedupe_key="invite:1")
    assert kept is not None
    assert create_outbox_message("once@example.com", dedupe_key="invite:1") is None
    queued = db.session.scalars(
        sa.select(OutboxMessage.to_address).where(OutboxMessage.dedupe_key == "invite:1")
    )
    assert list(queued) == ["once@example.com"]
