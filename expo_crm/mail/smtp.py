"""Talking to the SMTP server: settings from EXPO_CRM_SMTP_URL, and a message transfer in two steps.

A server delivers a message only once it has read the end-of-data line (".") that closes DATA; a
connection that breaks before it cancels the transaction (RFC 5321, 3.8 and 4.1.1.4). So the
transfer is split where the outbox needs it: `hand_over` sends the envelope and the whole
message but that line, the outbox commits, and only then `finish` sends the line and reads the
answer. A process killed before its commit leaves nothing delivered; after it, nothing resent.
"""

from __future__ import annotations

import smtplib
import socket
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

SMTP_TIMEOUT = 10
_CRLF = b"\r\n"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    ssl: bool = False
    starttls: bool = False
    username: str = ""
    password: str = ""


@dataclass(frozen=True)
class Outgoing:
    """A message as it goes on the wire (mail/mime.py builds it). `data` has CRLF line ends and
    leading dots doubled, and ends in CRLF: all of the DATA but the end-of-data line."""

    sender: str  # the envelope's addresses
    recipient: str
    data: bytes
    utf8: bool  # a non-ASCII address: the message needs the server's SMTPUTF8


def parse_smtp_url(url: str) -> SmtpSettings:
    """smtp://host:port, smtps://user:pass@host:port, smtp+starttls://user:pass@host:port."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps", "smtp+starttls"):
        raise ValueError(f"unsupported SMTP URL scheme {scheme!r}")
    default_port = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}[scheme]
    return SmtpSettings(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or default_port,
        ssl=scheme == "smtps",
        starttls=scheme == "smtp+starttls",
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.ssl:
        connection: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=SMTP_TIMEOUT
        )
    else:
        connection = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
    # The end-of-data line goes out alone after a commit: without this, Nagle's algorithm holds
    # it until the server's delayed ACK of the message (40 ms on Linux), for every message.
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    connection.ehlo()
    if settings.starttls:
        connection.starttls()
        connection.ehlo()
    if settings.username:
        connection.login(settings.username, settings.password)
    return connection


def _error_code(error: Exception) -> int | None:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return max(codes) if codes else None
    return getattr(error, "smtp_code", None)


def is_permanent(error: Exception) -> bool:
    code = _error_code(error)
    return code is not None and 500 <= code < 600


def _refused(
    connection: smtplib.SMTP, error: smtplib.SMTPResponseException
) -> smtplib.SMTPResponseException:
    """Cancel the transaction so the connection serves the next message; hand back the error."""
    if error.smtp_code == 421:
        connection.close()
    else:
        connection.rset()
    return error


def hand_over(connection: smtplib.SMTP, message: Outgoing) -> None:
    """MAIL, RCPT, DATA and the message, all but the end-of-data line: the server holds the
    message and delivers nothing yet. Raises smtplib's errors for a refusal or a lost server."""
    options: list[str] = []
    if message.utf8:
        if not connection.has_extn("smtputf8"):
            raise smtplib.SMTPNotSupportedError(
                "the server cannot take non-ASCII addresses (SMTPUTF8)"
            )
        options += ["SMTPUTF8", "BODY=8BITMIME"]
    if connection.has_extn("size"):
        options.append(f"SIZE={len(message.data)}")
    code, reply = connection.mail(message.sender, options)
    if code != 250:
        raise _refused(connection, smtplib.SMTPSenderRefused(code, reply, message.sender))
    code, reply = connection.rcpt(message.recipient)
    if code not in (250, 251):
        connection.rset()
        raise smtplib.SMTPRecipientsRefused({message.recipient: (code, reply)})
    code, reply = connection.docmd("DATA")
    if code != 354:
        raise _refused(connection, smtplib.SMTPDataError(code, reply))
    connection.send(message.data)


def finish(connection: smtplib.SMTP) -> None:
    """The end-of-data line: the server now delivers the message, or says why not."""
    connection.send(b"." + _CRLF)
    code, reply = connection.getreply()
    if code != 250:
        raise _refused(connection, smtplib.SMTPDataError(code, reply))
