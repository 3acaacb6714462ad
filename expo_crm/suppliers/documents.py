"""Supplier qualification documents: uploads checked by their first bytes, and alerts for shows served."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort
from flask_babel import gettext as _

from expo_crm import audit, clock
from expo_crm.db import db
from expo_crm.shows.models import Show
from expo_crm.suppliers.models import (
    DOCUMENT_TYPES,
    MAX_DOCUMENT_BYTES,
    DocumentKind,
    Supplier,
    SupplierDocument,
)
from expo_crm.suppliers.services import SupplierError, shows_served

SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


def sniff_type(content: bytes) -> str | None:
    """The document type from the file's first bytes (never trust the browser's claim)."""
    for content_type, signatures in SIGNATURES.items():
        if any(content.startswith(sig) for sig in signatures):
            return content_type
    return None


def add_document(
    supplier: Supplier,
    *,
    kind: DocumentKind | str,
    expires_on: date | None,
    filename: str,
    content: bytes,
    number: str = "",
    uploaded_by_id: int | None = None,
) -> SupplierDocument:
    if expires_on is None:
        raise SupplierError(_("Give the document's expiry date."))
    if not content:
        raise SupplierError(_("Choose the document's file to upload."))
    if len(content) > MAX_DOCUMENT_BYTES:
        raise SupplierError(_("The file is larger than 10 MB."))
    content_type = sniff_type(content)
    if content_type not in DOCUMENT_TYPES:
        raise SupplierError(_("Only PDF, PNG and JPEG files can be uploaded."))
    document = SupplierDocument(
        supplier=supplier,
        kind=DocumentKind(kind),
        number=number.strip(),
        expires_on=expires_on,
        filename=(filename or "document").rsplit("/", 1)[-1][:200],
        content_type=content_type,
        size=len(content),
        content=content,
        uploaded_by_id=uploaded_by_id,
    )
    db.session.add(document)
    db.session.flush()
    audit.record(
        "supplier.document_add",
        supplier,
        after={"kind": document.kind.value, "expires_on": expires_on},
    )
    return document


def get_document_or_404(supplier: Supplier, document_id: int) -> SupplierDocument:
    document = db.session.get(SupplierDocument, document_id)
    if document is None or document.supplier_id != supplier.id:
        abort(404)
    return document


@dataclass(frozen=True)
class DocumentAlert:
    supplier: Supplier
    kind: DocumentKind
    document: SupplierDocument | None  # None: the document is missing altogether
    show: Show

    @property
    def missing(self) -> bool:
        return self.document is None


def document_alerts(supplier: Supplier, today: date | None = None) -> list[DocumentAlert]:
    """Each qualification missing, or expiring before or during an upcoming show it serves."""
    today = today or clock.now().date()
    alerts = []
    latest: dict[DocumentKind, SupplierDocument] = {}
    for document in supplier.documents:
        if document.kind not in latest or document.expires_on > latest[document.kind].expires_on:
            latest[document.kind] = document
    for show in shows_served(supplier.id, today):
        for kind in DocumentKind:
            document = latest.get(kind)
            if document is None or document.expires_on <= show.move_out_date:
                alerts.append(DocumentAlert(supplier, kind, document, show))
    return alerts
