"""Outbox messages."""

from __future__ import annotations

from expo_crm.db import db
from expo_crm.mail.services import Attachment, enqueue_email

__all__ = ["create_outbox_message"]


def create_outbox_message(
    to: str = "someone@example.com",
    *,
    subject: str = "Hello",
    body: str = "Body text",
    language: str = "en",
    commit: bool = True,
    **kwargs,
):
    message = enqueue_email(
        to,
        "mail/message",
        language=language,
        context={"subject": subject, "body": body, **kwargs.pop("context", {})},
        **kwargs,
    )
    if commit:
        db.session.commit()
    return message


Attachment = Attachment
