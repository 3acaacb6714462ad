"""The bytes an outbox message goes out as, built with the email package's compat32 classes.

`email.policy.default` parses every header it is given into a tree and refolds the tree when
the message is flattened; for a survey invitation that is about five times the work of
encoding the headers once here and letting the compat32 generator write the MIME parts. So:
non-ASCII header text becomes RFC 2047 encoded words (UTF-8, folded by `email.header.Header`),
or stays raw UTF-8 when a non-ASCII address makes the message travel with SMTPUTF8 (RFC 6532);
text parts are 7bit when plain ASCII with short lines, else UTF-8 in base64; attachments base64.
"""

from __future__ import annotations

import io
import re
import secrets
from email import encoders
from email.generator import BytesGenerator
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, parseaddr

from expo_crm.mail.models import MailCategory, OutboxAttachment, OutboxMessage
from expo_crm.mail.services import unsubscribe_url
from expo_crm.mail.smtp import Outgoing

_CRLF = "\r\n"
_WIRE = compat32.clone(linesep=_CRLF)
_LEADING_DOT = re.compile(rb"(?m)^\.")
_LONGEST_LINE = 998  # RFC 5322, 2.1.1, without the CRLF


def build_message(message: OutboxMessage, sender: str) -> Outgoing:
    """The message from `sender` (the MAIL_FROM setting, "Name <address>") as it goes on the
    wire: CRLF line ends, leading dots doubled, ending in CRLF; all but the end-of-data line."""
    sender_name, sender_address = parseaddr(sender)
    utf8 = not (sender_address + message.to_address).isascii()
    headers = [
        ("From", _address(sender_name, sender_address, utf8)),
        ("To", _address(message.to_name, message.to_address, utf8)),
        ("Subject", _text("Subject", message.subject, utf8)),
        ("Message-ID", message.message_id),
        ("Date", format_datetime(message.created_at)),
    ]
    if message.category is MailCategory.marketing:
        headers.append(("List-Unsubscribe", f"<{unsubscribe_url(message.to_address)}>"))
    body = _body(message)
    body["MIME-Version"] = "1.0"
    out = io.BytesIO()
    out.write("".join(f"{name}: {value}{_CRLF}" for name, value in headers).encode())
    BytesGenerator(out, mangle_from_=False, policy=_WIRE).flatten(body)
    data = _LEADING_DOT.sub(b"..", out.getvalue())
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return Outgoing(sender=sender_address, recipient=message.to_address, data=data, utf8=utf8)


def _body(message: OutboxMessage) -> Message:
    """text; or alternative(text, html); the html related to its inline images; all of it
    mixed with the attachments. Without an HTML part, inline images are attachments."""
    inline = [a for a in message.attachments if a.content_id]
    files = [a for a in message.attachments if not a.content_id]
    body: Message = _text_part(message.body_text, "plain")
    if message.body_html:
        html: Message = _text_part(message.body_html, "html")
        if inline:
            html = _multipart("related", [html, *(_file_part(a, "inline") for a in inline)])
        body = _multipart("alternative", [body, html])
    else:
        files += inline
    if files:
        body = _multipart("mixed", [body, *(_file_part(a, "attachment") for a in files)])
    return body


def _address(name: str, address: str, utf8: bool) -> str:
    name = _one_line(name)
    if not name:
        return address
    if utf8:  # raw UTF-8 header: the name quoted as it stands
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{quoted}" <{address}>'
    if name.isascii():
        return formataddr((name, address))
    return f"{Header(name, 'utf-8').encode(linesep=_CRLF)} <{address}>"


def _text(header: str, value: str, utf8: bool) -> str:
    value = _one_line(value)
    if utf8 or value.isascii():
        return value
    return Header(value, "utf-8", header_name=header).encode(linesep=_CRLF)


def _one_line(value: str) -> str:
    """A header value never carries a line break of its own (no header injection)."""
    return " ".join(value.split())


def _text_part(content: str, subtype: str) -> MIMEText:
    lines = content.splitlines()
    plain = content.isascii() and all(len(line) <= _LONGEST_LINE for line in lines)
    part = MIMEText(content, subtype, "us-ascii" if plain else "utf-8")
    del part["MIME-Version"]  # said once, on the whole message
    return part


def _file_part(item: OutboxAttachment, disposition: str) -> MIMEBase:
    maintype, subtype, params = content_type_parts(item.content_type)
    part = MIMEBase(maintype, subtype, **params)
    del part["MIME-Version"]
    part.set_payload(item.content)
    encoders.encode_base64(part)
    filename = item.filename if item.filename.isascii() else ("utf-8", "", item.filename)
    part.add_header("Content-Disposition", disposition, filename=filename)
    if disposition == "inline":
        part["Content-ID"] = f"<{item.content_id}>"
    return part


def content_type_parts(value: str) -> tuple[str, str, dict[str, str]]:
    """("text", "calendar", {"charset": "utf-8", "method": "REQUEST"}) from an attachment's
    content type with its parameters; a text attachment without a charset is UTF-8."""
    kind, *parameters = value.split(";")
    maintype, _, subtype = kind.strip().partition("/")
    params = {}
    for parameter in parameters:
        name, _, setting = parameter.partition("=")
        if name.strip() and setting.strip():
            params[name.strip().lower()] = setting.strip().strip('"')
    if maintype == "text":
        params.setdefault("charset", "utf-8")
    return maintype or "application", subtype or "octet-stream", params


def _multipart(subtype: str, parts: list[Message]) -> MIMEMultipart:
    # A random boundary of our own: the generator then does not search the parts for a line
    # that starts with it (128 random bits; no part has such a line by chance).
    multipart = MIMEMultipart(subtype, boundary=f"=_{secrets.token_hex(16)}", _subparts=parts)
    del multipart["MIME-Version"]
    return multipart
