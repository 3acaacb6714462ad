"""The public exhibitor application: checked field by field, the company found again by tax id
or normalised name (never duplicated), its documents kept, a confirmation emailed in the
applicant's language; it lands in the staff review queue as a submitted application."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from expo_crm import clock, taxids
from expo_crm.db import db
from expo_crm.documents.uploads import UnacceptableDocument, check_document, store_document
from expo_crm.exhibitors.applications import create_application
from expo_crm.exhibitors.booking_models import ApplicationDocument, DocumentKind
from expo_crm.exhibitors.companies import (
    add_contact,
    create_company,
    normalize_name,
    normalize_tax_id,
)
from expo_crm.exhibitors.models import (
    Application,
    ApplicationChannel,
    ApplicationState,
    BoothType,
    Company,
    Contact,
)
from expo_crm.exhibitors.services import ExhibitorError

REQUIRED_DOCUMENTS = (DocumentKind.business_licence,)


class ApplicationRefused(ExhibitorError):
    """The public form refused, with a message per field (and "" for the form as a whole)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(errors.values()))


@dataclass
class OnlineApplication:
    """What the public form sends, as typed."""

    name_zh: str = ""
    name_en: str = ""
    tax_id: str = ""
    country: str = "CN"
    contact_name: str = ""
    email: str = ""
    phone: str = ""
    locale: str = "zh"
    booth_type: str = "shell_scheme"
    requested_area_m2: object = None
    preferred_hall: str = ""
    product_categories: str = ""
    notes: str = ""
    # (kind, filename, content) for each file sent
    documents: list[tuple[str, str, bytes]] = field(default_factory=list)


def _check(show, data: OnlineApplication) -> dict[str, str]:
    errors: dict[str, str] = {}
    if show.closed_for_sale_at(clock.now()):
        errors[""] = _(
            "%(show)s is closed for sale: it no longer takes applications.", show=show.name
        )
    if not data.name_zh.strip() and not data.name_en.strip():
        errors["name_zh"] = _("Give the company's Chinese or English name.")
    tax_id = normalize_tax_id(data.tax_id) or ""
    if (data.country or "CN").upper() == "CN":
        if not taxids.is_valid(tax_id):
            errors["tax_id"] = _(
                "A unified social credit code has 18 characters (digits and capital letters, "
                "no I, O, S, V or Z) and ends with its check character; this one is not valid."
            )
    elif not tax_id:
        errors["tax_id"] = _("Give the company's tax id.")
    if not data.contact_name.strip():
        errors["contact_name"] = _("Give the name of the person we should contact.")
    email = data.email.strip().lower()
    if "@" not in email or "." not in email.rsplit("@", 1)[-1]:
        errors["email"] = _("Give a valid email address.")
    try:
        area = Decimal(str(data.requested_area_m2))
        if not area.is_finite() or area <= 0 or area > 100000:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["requested_area_m2"] = _("Give the area you want, in m², above 0.")
    if data.booth_type not in BoothType.__members__:
        errors["booth_type"] = _("Choose a booth type.")
    sent = {kind for kind, _name, content in data.documents if content}
    for kind in REQUIRED_DOCUMENTS:
        if kind.value not in sent:
            errors[kind.value] = _("The %(document)s is required.", document=kind.label)
    for kind, filename, content in data.documents:
        if content:
            try:
                check_document(filename, content)
            except UnacceptableDocument as refused:
                errors[kind] = str(refused)
    return errors


def match_company(name_zh: str, name_en: str, tax_id: str | None) -> Company | None:
    """The company already known by this tax id, else by its normalised name (one without a
    different tax id), as the importer matches them."""
    tax = normalize_tax_id(tax_id)
    if tax:
        found = db.session.scalar(sa.select(Company).where(Company.tax_id == tax))
        if found is not None:
            return found
    names = {n for n in (normalize_name(name_zh), normalize_name(name_en)) if n}
    if not names:
        return None
    candidates = db.session.scalars(
        sa.select(Company)
        .where(sa.or_(Company.normalized_name.in_(names), Company.normalized_name_en.in_(names)))
        .order_by(Company.id)
    ).all()
    return next((c for c in candidates if not c.tax_id or c.tax_id == tax), None)


def submit_online_application(
    show,
    data: OnlineApplication,
    *,
    instance_path: str,
    referral_token: str | None = None,
) -> Application:
    """Refuses with ApplicationRefused (a message per field) or records the application.
    `referral_token`: the `ref` of the customer referral link the applicant came through; a
    valid one for this show attributes the application to that customer, any other nothing."""
    errors = _check(show, data)
    if errors:
        raise ApplicationRefused(errors)
    tax_id = normalize_tax_id(data.tax_id)
    company = match_company(data.name_zh, data.name_en, tax_id)
    if company is None:
        company = create_company(
            name_zh=data.name_zh,
            name_en=data.name_en,
            tax_id=tax_id,
            country=(data.country or "CN").upper(),
            product_categories=data.product_categories.strip()[:500],
        )
    else:
        if not company.tax_id:
            company.tax_id = tax_id
        _add_categories(company, data.product_categories)
    already = db.session.scalar(
        sa.select(Application.id).where(
            Application.company_id == company.id, Application.show_id == show.id
        )
    )
    if already:
        raise ApplicationRefused(
            {"name_zh": _("This company has already applied for this show; we will be in touch.")}
        )
    email = data.email.strip().lower()
    contact = db.session.scalar(
        sa.select(Contact).where(Contact.company_id == company.id, Contact.email == email)
    )
    locale = data.locale if data.locale in ("zh", "en") else "zh"
    if contact is None:
        contact = add_contact(
            company,
            name=data.contact_name,
            email=email,
            phone=data.phone,
            locale=locale,
        )
    application = create_application(
        company,
        show.id,
        requested_area_m2=Decimal(str(data.requested_area_m2)),
        booth_type=data.booth_type,
        preferred_hall=data.preferred_hall[:20],
        notes=data.notes,
        actor=("public", None, email),
        referral_token=referral_token,
    )
    application.channel = ApplicationChannel.online
    application.contact_id = contact.id
    now = clock.now()
    for kind, filename, content in data.documents:
        if not content:
            continue
        db.session.add(
            ApplicationDocument(
                application_id=application.id,
                kind=DocumentKind(kind),
                filename=filename[-200:],
                token=store_document(instance_path, filename, content),
                size=len(content),
                uploaded_at=now,
            )
        )
    db.session.flush()
    _confirm(application, contact, locale)
    return application


def _add_categories(company: Company, categories: str) -> None:
    known = [c.strip() for c in (company.product_categories or "").split(",") if c.strip()]
    for category in categories.split(","):
        if category.strip() and category.strip() not in known:
            known.append(category.strip())
    company.product_categories = ", ".join(known)[:500]


def _confirm(application: Application, contact: Contact, locale: str) -> None:
    from expo_crm.mail.services import enqueue_email

    enqueue_email(
        contact.email,
        "exhibitors/application_received",
        language=locale,
        to_name=contact.name,
        context={
            "name": contact.name,
            "company": application.company,
            "show": application.show,
            "area": application.requested_area_m2,
            "booth_type": application.booth_type,
        },
        dedupe_key=f"exhibitors.application_received.{application.id}",
        subject_ref=("exhibitor", application.company_id),
        show_id=application.show_id,
    )


def documents_of(application_id: int) -> list[ApplicationDocument]:
    return list(
        db.session.scalars(
            sa.select(ApplicationDocument)
            .where(ApplicationDocument.application_id == application_id)
            .order_by(ApplicationDocument.id)
        )
    )


def review_queue(show_id: int | None, state: str = "") -> list[Application]:
    """Applications waiting for staff, oldest first; any state when asked."""
    return list(db.session.scalars(review_queue_query(show_id, state).limit(500)))


def review_queue_query(show_id: int | None, state: str = "") -> sa.Select:
    """The query of review_queue, for a page of it; loads each application's company and show."""
    query = (
        sa.select(Application)
        .options(joinedload(Application.company), joinedload(Application.show))
        .order_by(Application.created_at, Application.id)
    )
    if show_id:
        query = query.where(Application.show_id == show_id)
    if state in ApplicationState.__members__:
        query = query.where(Application.state == ApplicationState(state))
    else:
        query = query.where(
            Application.state.in_([ApplicationState.submitted, ApplicationState.under_review])
        )
    return query
