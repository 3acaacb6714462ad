"""Uploaded import files between preview and confirmation: kept in the instance folder under
a random token until confirmed; the confirmation is recorded once per token in the database."""

from __future__ import annotations

import secrets
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from expo_crm import clock
from expo_crm.db import db, is_unique_violation
from expo_crm.documents.models import ImportConfirmation
from expo_crm.documents.tabular import EXTENSIONS
from expo_crm.errors import UserError


class AlreadyImported(UserError):
    """The preview behind this token was confirmed before."""


def already_imported() -> AlreadyImported:
    return AlreadyImported(_("This import was already done; nothing was imported again."))


def stash(instance_path: str, filename: str, content: bytes) -> str:
    """Keep the uploaded file (not in the database) until the user confirms; returns its token."""
    folder = Path(instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    token = secrets.token_hex(16) + suffix
    (folder / token).write_bytes(content)
    return token


def _path(instance_path: str, token: str) -> Path | None:
    if not token or "/" in token or "\\" in token or not token.endswith(EXTENSIONS):
        return None
    if len(token) > 40:
        return None
    return Path(instance_path) / "imports" / token


def unstash(instance_path: str, token: str) -> tuple[str, bytes] | None:
    path = _path(instance_path, token)
    if path is None or not path.is_file():
        return None
    return token, path.read_bytes()


def discard(instance_path: str, token: str) -> None:
    path = _path(instance_path, token)
    if path is not None:
        path.unlink(missing_ok=True)


def was_confirmed(token: str) -> bool:
    return (
        db.session.scalar(sa.select(ImportConfirmation.id).where(ImportConfirmation.token == token))
        is not None
    )


def claim(token: str, kind: str, user_id: int | None = None) -> None:
    """Record the confirmation in the current transaction, before the import writes. A second
    claim of the token raises AlreadyImported: at once when the first is committed, or, while
    the first is still running, as soon as it commits (its unique key holds the second back)."""
    if was_confirmed(token):
        raise already_imported()
    db.session.add(
        ImportConfirmation(token=token, kind=kind, confirmed_at=clock.now(), confirmed_by=user_id)
    )
    try:
        db.session.flush()
    except IntegrityError as clash:
        if is_unique_violation(clash):
            raise already_imported() from None
        raise


# --- documents kept with a record (an application's business licence) -------------------------

DOCUMENT_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}


class UnacceptableDocument(UserError):
    """An uploaded document refused: wrong type, empty or too large."""


def _document_suffix(filename: str) -> str:
    name = (filename or "").lower()
    return next((s for s in DOCUMENT_EXTENSIONS if name.endswith(s)), "")


def check_document(filename: str, content: bytes) -> None:
    suffix = _document_suffix(filename)
    if not suffix or not content.startswith(_SIGNATURES[suffix]):
        raise UnacceptableDocument(_("Upload a PDF, JPG or PNG file."))
    if len(content) > MAX_DOCUMENT_BYTES:
        raise UnacceptableDocument(
            _("The file is larger than %(mb)d MB.", mb=MAX_DOCUMENT_BYTES // (1024 * 1024))
        )


def store_document(instance_path: str, filename: str, content: bytes) -> str:
    """Keep a checked document in the instance folder under a random name; returns that name."""
    check_document(filename, content)
    folder = Path(instance_path) / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16) + _document_suffix(filename)
    (folder / token).write_bytes(content)
    return token


def document_path(instance_path: str, token: str) -> Path | None:
    if not token or "/" in token or "\\" in token or len(token) > 40:
        return None
    if not token.endswith(DOCUMENT_EXTENSIONS):
        return None
    path = Path(instance_path) / "documents" / token
    return path if path.is_file() else None
