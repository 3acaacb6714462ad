"""What the recipient's mail program reads: the bytes the outbox sends, parsed back with the
email package as the SMTP sink received them (mail/mime.py encodes the headers itself)."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from expo_crm import clock
from expo_crm.mail.jobs import send_outbox
from expo_crm.mail.models import MailCategory
from expo_crm.mail.services import Attachment
from tests.factories import create_outbox_message

LONG_SUBJECT = "请告诉我们您参加 2026 上海国际五金博览会的体验（问卷约两分钟，链接仅供本人使用）"


def test_a_chinese_message_arrives_with_its_subject_name_and_body_readable(app, smtp_server):
    message = create_outbox_message(
        "zhang.wei@example.com",
        to_name='张伟 "Wei" (采购部)',
        subject=LONG_SUBJECT,
        body="感谢您参加展会。\n.这一行以句点开头，\n第三行。",
        language="zh",
        category=MailCategory.marketing,
        attachments=[Attachment("展位图.pdf", "application/pdf", b"%PDF-1.4 floor plan")],
    )
    assert send_outbox(clock.now()) == 1
    [received] = smtp_server.to("zhang.wei@example.com")

    assert received["Subject"] == LONG_SUBJECT
    [to] = received["To"].addresses
    assert (to.display_name, to.addr_spec) == ('张伟 "Wei" (采购部)', "zhang.wei@example.com")
    assert received["From"].addresses[0].addr_spec == "noreply@expo-crm.local"
    assert received["Message-ID"] == message.message_id
    assert parsedate_to_datetime(received["Date"]) == message.created_at.replace(microsecond=0)
    assert received["List-Unsubscribe"].startswith("<http") and "/unsubscribe/" in str(
        received["List-Unsubscribe"]
    )
    assert received.get_content_type() == "multipart/mixed"
    text = received.get_body(("plain",)).get_content()
    assert "感谢您参加展会。\n.这一行以句点开头，\n第三行。" in text, "a leading dot is kept"
    assert "感谢您参加展会。" in received.get_body(("html",)).get_content()
    [attachment] = received.iter_attachments()
    assert attachment.get_filename() == "展位图.pdf"
    assert attachment.get_content() == b"%PDF-1.4 floor plan"


def test_service_mail_in_english_goes_without_an_unsubscribe_header_and_keeps_its_lines(
    app, smtp_server
):
    create_outbox_message(
        "anna@example.com",
        to_name="Anna Smith",
        subject="Your survey",
        body=".A line that starts with a dot",
        category=MailCategory.service,
    )
    create_outbox_message("ben@example.com", body="x" * 1200)  # too long for a line on the wire
    assert send_outbox(clock.now()) == 2
    [anna] = smtp_server.to("anna@example.com")
    assert str(anna["To"]) == "Anna Smith <anna@example.com>"
    assert anna["Subject"] == "Your survey"
    assert anna["List-Unsubscribe"] is None
    plain = anna.get_body(("plain",))
    assert plain["Content-Transfer-Encoding"] == "7bit"
    assert ".A line that starts with a dot" in plain.get_content().splitlines()
    [ben] = smtp_server.to("ben@example.com")
    assert "x" * 1200 in ben.get_body(("plain",)).get_content()
