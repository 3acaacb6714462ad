"""Visitors: registration, classification, badges, self-service. No request objects here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from expo_crm import audit, clock
from expo_crm.categories import services as category_services
from expo_crm.db import db
from expo_crm.documents.pdf import render_pdf
from expo_crm.documents.qr import png_data_uri, qr_png
from expo_crm.errors import UserError
from expo_crm.mail.services import Attachment, enqueue_email
from expo_crm.relationships.referrals import REFERRER_COLUMNS, referral_token, referrer_for
from expo_crm.relationships.services import log_interaction
from expo_crm.shows.models import Show
from expo_crm.subjects import SubjectKind
from expo_crm.visitors import codes
from expo_crm.visitors.models import (
    PRODUCT_INTERESTS,
    REGISTERED,
    Badge,
    BuyingIntent,
    ClassificationRule,
    HowHeard,
    Industry,
    JobFunction,
    PurchasingAuthority,
    Registration,
    RegistrationCategory,
    RegistrationSource,
    RegistrationState,
    RuleField,
    Visitor,
    VisitorCategory,
)

MOBILE = re.compile(r"\+?[0-9][0-9 \-]{5,22}")
DETAIL_FIELDS = (
    "name",
    "company",
    "job_title",
    "mobile",
    "country",
    "industry",
    "job_function",
    "purchasing_authority",
    "product_interests",
    "how_heard",
    "buying_intent",
    "products_sought",
    "locale",
)
ENUM_FIELDS = {
    "industry": Industry,
    "job_function": JobFunction,
    "purchasing_authority": PurchasingAuthority,
    "how_heard": HowHeard,
    "buying_intent": BuyingIntent,
}
MANAGE_SALT = "visitors.manage"
MANAGE_MAX_AGE = 400 * 24 * 3600


class RegistrationError(UserError):
    """Registration refused; str(error) is a message for the visitor."""


# --- validation ---------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise RegistrationError(_("Please enter a valid email address.")) from None


def clean_details(values: dict) -> dict:
    """Trimmed, checked visitor details; RegistrationError names the first problem."""
    details: dict = {}
    for field in DETAIL_FIELDS:
        if field not in values:
            continue
        value = values[field]
        if field in ENUM_FIELDS:
            value = value.strip() if isinstance(value, str) else value
            try:
                value = ENUM_FIELDS[field](value) if value else None
            except ValueError:  # a blank-looking choice slips past the form's Optional()
                raise RegistrationError(_("Please choose one of the offered answers.")) from None
        elif field == "product_interests":
            chosen = value.split(",") if isinstance(value, str) else list(value or [])
            value = ",".join(k for k in PRODUCT_INTERESTS if k in {c.strip() for c in chosen})
        else:
            value = (value or "").strip()
        details[field] = value
    if "name" in details and not details["name"]:
        raise RegistrationError(_("Please enter your name."))
    if len(details.get("products_sought", "")) > 2000:
        raise RegistrationError(_("Please describe the products you seek in fewer words."))
    if len(details.get("name", "")) > 120 or len(details.get("company", "")) > 200:
        raise RegistrationError(_("The name or company is too long."))
    mobile = details.get("mobile")
    if mobile and not MOBILE.fullmatch(mobile):
        raise RegistrationError(_("Please enter a valid mobile number."))
    if details.get("locale") not in (None, "zh", "en"):
        details["locale"] = "zh"
    if "country" in details:
        details["country"] = (details["country"] or "CN").upper()[:2]
    return details


# --- classification -----------------------------------------------------------------------


def classification_rules() -> list[ClassificationRule]:
    return list(
        db.session.scalars(
            sa.select(ClassificationRule).order_by(
                ClassificationRule.position, ClassificationRule.id
            )
        )
    )


def classify(visitor: Visitor) -> RegistrationCategory:
    """The first active rule matching the visitor decides; no match: a general visitor."""
    for rule in classification_rules():
        if not rule.active:
            continue
        value = getattr(visitor, rule.field.value)
        if value is not None and str(value) == rule.value:
            return rule.category
    return RegistrationCategory.general


def add_rule(
    field: RuleField | str, value: str, category: RegistrationCategory | str, position: int = 100
) -> ClassificationRule:
    field = RuleField(field)
    allowed = {
        "job_function": JobFunction,
        "purchasing_authority": PurchasingAuthority,
        "industry": Industry,
    }
    if value not in {m.value for m in allowed[field.value]}:
        raise RegistrationError(_("That value does not exist for this field."))
    if db.session.scalar(
        sa.select(ClassificationRule.id).where(
            ClassificationRule.field == field, ClassificationRule.value == value
        )
    ):
        raise RegistrationError(_("A rule for this value already exists."))
    rule = ClassificationRule(
        field=field, value=value, category=RegistrationCategory(category), position=position
    )
    db.session.add(rule)
    db.session.flush()
    audit.record(
        "visitors.rule_add",
        rule,
        after={"field": field.value, "value": value, "category": str(category)},
    )
    return rule


def delete_rule(rule: ClassificationRule) -> None:
    audit.record(
        "visitors.rule_delete", rule, before={"field": rule.field.value, "value": rule.value}
    )
    db.session.delete(rule)


def rule_value_label(rule: ClassificationRule) -> str:
    enum_cls = {
        "job_function": JobFunction,
        "purchasing_authority": PurchasingAuthority,
        "industry": Industry,
    }[rule.field.value]
    try:
        return enum_cls(rule.value).label
    except ValueError:
        return rule.value


DEFAULT_RULES = (
    (RuleField.purchasing_authority, "decides", RegistrationCategory.professional),
    (RuleField.purchasing_authority, "recommends", RegistrationCategory.professional),
    (RuleField.job_function, "purchasing", RegistrationCategory.professional),
    (RuleField.job_function, "management", RegistrationCategory.professional),
    (RuleField.job_function, "student", RegistrationCategory.general),
)


def ensure_default_rules() -> None:
    if db.session.scalar(sa.select(sa.func.count(ClassificationRule.id))):
        return
    for position, (field, value, category) in enumerate(DEFAULT_RULES, start=1):
        db.session.add(
            ClassificationRule(field=field, value=value, category=category, position=position * 10)
        )
    db.session.flush()


# --- registration --------------------------------------------------------------------------


def registration_refusal(show: Show, at: datetime | None = None) -> str | None:
    """Why a show takes no registrations now, or None."""
    moment = at or clock.now()
    if moment >= show.local_end(show.open_to):
        return _("This show has closed; registration is no longer possible.")
    if not show.registration_open:
        return _("Registration for this show is closed.")
    return None


def find_visitor(email: str) -> Visitor | None:
    return db.session.scalar(sa.select(Visitor).where(Visitor.email == email.strip().lower()))


def active_registration(visitor_id: int, show_id: int) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.visitor_id == visitor_id,
            Registration.show_id == show_id,
            Registration.state == RegistrationState.active,
        )
    )


@dataclass
class Outcome:
    registration: Registration
    created: bool


def register(
    show: Show,
    *,
    email: str,
    details: dict,
    terms_accepted: bool,
    share_contact: bool = False,
    marketing_consent: bool = False,
    meeting_consent: bool = False,
    referral_code: str | None = None,
    source: RegistrationSource | str = RegistrationSource.online,
    category: RegistrationCategory | str | None = None,
    company_id: int | None = None,
    send_email: bool = True,
    check_open: bool = True,
) -> Outcome:
    """Register a visitor for a show. Already registered with that email: re-send the badge."""
    if check_open:
        refusal = registration_refusal(show)
        if refusal:
            raise RegistrationError(refusal)
    email = normalise_email(email)
    sought = details.get("sought_categories")
    details = clean_details(details)
    if not terms_accepted:
        raise RegistrationError(_("Please accept the terms of registration."))
    visitor = find_visitor(email)
    if visitor is not None:
        existing = active_registration(visitor.id, show.id)
        if existing is not None:
            # The details stay as they were: only the self-service link may change them.
            if send_email:
                send_badge(existing, dedupe_key=registration_badge_key(existing))
            return Outcome(existing, False)
    else:
        visitor = Visitor(email=email, **{"name": "", "locale": "zh"} | details)
        db.session.add(visitor)
        db.session.flush()
        if sought is not None:
            set_sought_categories(visitor, sought)
    attribution = _referral(referral_code, show.id)
    if attribution.get("referrer_visitor_id") == visitor.id:
        attribution = {}  # one's own link brings no one
    registration = Registration(
        **attribution,
        visitor_id=visitor.id,
        show_id=show.id,
        category=RegistrationCategory(category) if category else classify(visitor),
        source=RegistrationSource(source),
        terms_accepted_at=clock.now(),
        share_contact=bool(share_contact),
        marketing_consent=bool(marketing_consent),
        meeting_consent=bool(meeting_consent),
        company_id=company_id,
    )
    db.session.add(registration)
    db.session.flush()
    registration.visitor = visitor
    registration.show = show
    issue_badge(registration)
    log_interaction(
        "visitor",
        visitor.id,
        channel="web" if registration.source is RegistrationSource.online else "system",
        direction="inbound",
        event=REGISTERED,
        params={"show": show.code},
        show_id=show.id,
        source_key=f"registration:{registration.id}",
    )
    audit.record(
        "registration.create",
        registration,
        after={
            "visitor_id": visitor.id,
            "show_id": show.id,
            "category": registration.category.value,
            "source": registration.source.value,
            "referral_code_id": registration.referral_code_id,
            "referrer_company_id": registration.referrer_company_id,
            "referrer_visitor_id": registration.referrer_visitor_id,
        },
    )
    if send_email:
        send_badge(registration, dedupe_key=registration_badge_key(registration))
    return Outcome(registration, True)


def registration_badge_key(registration: Registration) -> str:
    """The outbox key of the badge a registration (or a repeat of it) sends: one per clock hour
    (UTC), so eight submissions of one form at once queue one email, not eight, and someone who
    registers again later in the day still gets the badge again."""
    return f"visitors.badge:{registration.id}:{clock.now():%Y%m%d%H}"


# Who brought a registration: each package that hands out referral codes registers a resolver
# (code, show_id) -> the registration's columns naming who referred it ({"referral_code_id":
# id} for a partner's code, {"referrer_company_id": id} for an exhibitor's link …), or None.
Attribution = dict[str, int]
_referral_resolvers: list[Callable[[str, int], Attribution | None]] = []


def referral_resolver(resolve: Callable[[str, int], Attribution | None]) -> Callable:
    _referral_resolvers.append(resolve)
    return resolve


@referral_resolver
def customer_referral(code: str, show_id: int) -> Attribution | None:
    """A customer's referral link (an exhibitor's or a visitor's), genuine and of this show."""
    referrer = referrer_for(code, show_id)
    return referrer.attribution() if referrer else None


@dataclass
class ReferralLink:
    """A customer's referral link for a show and what it brought so far."""

    token: str
    registrations: int
    came: int


def referral_link(kind: str, subject_id: int, show_id: int) -> ReferralLink:
    """The link an exhibitor or a trade visitor shares (only read: the token is signed, not
    stored), with the registrations it brought to that show and how many of them came."""
    column = getattr(Registration, REFERRER_COLUMNS[SubjectKind(kind)])
    registrations, came = db.session.execute(
        sa.select(
            sa.func.count(Registration.id),
            sa.func.count(Registration.first_checked_in_at),
        ).where(column == subject_id, Registration.show_id == show_id)
    ).one()
    return ReferralLink(referral_token(kind, subject_id, show_id), registrations, came)


def _referral(code: str | None, show_id: int) -> Attribution:
    """Who referred the registration; nothing when the code is unknown, forged or of another
    show (silently: the visitor registers all the same)."""
    if not code:
        return {}
    for resolve in _referral_resolvers:
        found = resolve(code, show_id)
        if found:
            return found
    return {}


def update_details(visitor: Visitor, values: dict) -> Visitor:
    details = clean_details(values)
    before = audit.snapshot(visitor, *details)
    for key, value in details.items():
        setattr(visitor, key, value)
    if values.get("sought_categories") is not None:
        set_sought_categories(visitor, values["sought_categories"])
    audit.record("visitor.update", visitor, before=before, after=audit.snapshot(visitor, *details))
    return visitor


def sought_category_ids(visitor_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(VisitorCategory.category_id)
            .where(VisitorCategory.visitor_id == visitor_id)
            .order_by(VisitorCategory.category_id)
        )
    )


def set_sought_categories(visitor: Visitor, category_ids) -> None:
    """The categories of the shared tree the visitor seeks; ids that name none are dropped."""
    wanted = set(category_services.known_ids(category_ids))
    current = set(sought_category_ids(visitor.id))
    if current - wanted:
        db.session.execute(
            sa.delete(VisitorCategory).where(
                VisitorCategory.visitor_id == visitor.id,
                VisitorCategory.category_id.in_(current - wanted),
            )
        )
    for category_id in sorted(wanted - current):
        db.session.add(VisitorCategory(visitor_id=visitor.id, category_id=category_id))
    db.session.flush()


def update_consents(
    registration: Registration,
    *,
    share_contact: bool,
    marketing_consent: bool,
    meeting_consent: bool | None = None,
) -> None:
    registration.share_contact = bool(share_contact)
    registration.marketing_consent = bool(marketing_consent)
    if meeting_consent is not None:
        registration.meeting_consent = bool(meeting_consent)


def cancel_registration(registration: Registration) -> None:
    """Cancelled registrations stay (history); the badge stops working at once."""
    if registration.state is RegistrationState.cancelled:
        return
    now = clock.now()
    registration.state = RegistrationState.cancelled
    registration.cancelled_at = now
    registration.inside = False
    for badge in registration.badges:
        if badge.revoked_at is None:
            badge.revoked_at = now
            badge.revoke_reason = "cancelled"
    audit.record("registration.cancel", registration)


# --- badges ----------------------------------------------------------------------------------


def issue_badge(registration: Registration, reason: str = "reissued") -> Badge:
    """A new code for the registration; any valid badge it had is revoked first."""
    now = clock.now()
    for old in registration.badges:
        if old.revoked_at is None:
            old.revoked_at = now
            old.revoke_reason = reason
    db.session.flush()
    code = codes.new_code()
    badge = Badge(
        registration_id=registration.id,
        code_hash=codes.code_hash(code),
        code_sealed=codes.seal(code),
        qr_png=qr_png(code),
        issued_at=now,
    )
    db.session.add(badge)
    db.session.flush()
    if badge not in registration.badges:
        registration.badges.append(badge)
    return badge


def reprint_badge(registration: Registration, reason: str) -> Badge:
    """A new code; the old badge (perhaps already emailed) stops opening the gate. The reason
    is required and kept, as typed, on the badge it revokes."""
    if registration.state is not RegistrationState.active:
        raise RegistrationError(_("This registration is cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise RegistrationError(_("Give a reason for reprinting the badge with a new code."))
    revoked = [b for b in registration.badges if b.revoked_at is None]
    badge = issue_badge(registration, reason="reprinted")
    for old in revoked:
        old.revoke_note = reason
    audit.record("badge.reprint", registration, after={"badge_id": badge.id, "reason": reason})
    return badge


def badge_code(badge: Badge) -> str:
    return codes.unseal(badge.code_sealed)


def badge_for_code(code: str) -> Badge | None:
    """The badge a QR text belongs to (revoked ones too; check revoked_at), or None."""
    if not codes.is_well_formed(code):
        return None
    return db.session.scalar(sa.select(Badge).where(Badge.code_hash == codes.code_hash(code)))


def badge_pdf(registrations: list[Registration], language: str = "zh") -> bytes:
    """One A6 page per badge, all in one document; each QR PNG comes from its badge row."""
    items = []
    for registration in registrations:
        badge = registration.active_badge
        if badge is None:
            continue
        items.append(
            {
                "registration": registration,
                "visitor": registration.visitor,
                "show": registration.show,
                "qr": png_data_uri(badge.qr_png),
            }
        )
    return render_pdf("visitors/badges.html", language=language, badges=items)


def manage_token(registration: Registration) -> str:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=MANAGE_SALT).dumps(
        registration.id
    )


def registration_for_token(token: str) -> Registration | None:
    try:
        registration_id = URLSafeTimedSerializer(
            current_app.config["SECRET_KEY"], salt=MANAGE_SALT
        ).loads(token, max_age=MANAGE_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(registration_id, int):
        return None
    return db.session.get(Registration, registration_id)


def manage_url(registration: Registration) -> str:
    return f"{current_app.config['BASE_URL']}/visit/manage/{manage_token(registration)}"


def send_badge(registration: Registration, dedupe_key: str | None = None):
    """Queue the e-badge: QR inline (cid:badge-qr) and the A6 badge PDF, in the visitor's language."""
    badge = registration.active_badge
    if badge is None or registration.state is not RegistrationState.active:
        return None
    visitor = registration.visitor
    language = visitor.locale if visitor.locale in ("zh", "en") else "zh"
    with force_locale(language):
        pdf = badge_pdf([registration], language=language)
    message = enqueue_email(
        visitor.email,
        "visitors/badge",
        language=language,
        to_name=visitor.name,
        context={
            "visitor": visitor,
            "registration": registration,
            "show": registration.show,
            "manage_url": manage_url(registration),
        },
        attachments=[
            Attachment("badge-qr.png", "image/png", badge.qr_png, content_id="badge-qr"),
            Attachment("badge.pdf", "application/pdf", pdf),
        ],
        dedupe_key=dedupe_key,
        subject_ref=("visitor", visitor.id),
        show_id=registration.show_id,
    )
    if message is not None:
        registration.badge_sent_at = clock.now()
    return message


# --- for other areas (contracts) ---------------------------------------------------------------


def register_exhibitor_staff(
    show_id: int, company_id: int, name: str, email: str, locale: str = "zh"
) -> Registration:
    """An exhibitor's staff member gets a badge (same QR, same gate API); repeat: the same registration."""
    show = db.session.get(Show, show_id)
    if show is None:
        raise RegistrationError(_("No such show."))
    outcome = register(
        show,
        email=email,
        details={"name": name, "locale": locale},
        terms_accepted=True,
        source=RegistrationSource.exhibitor,
        category=RegistrationCategory.exhibitor_staff,
        company_id=company_id,
        check_open=False,
    )
    return outcome.registration


def checked_in_registrations(show_id: int) -> list[Registration]:
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.show_id == show_id, Registration.first_checked_in_at.is_not(None))
            .order_by(Registration.first_checked_in_at, Registration.id)
        )
    )


def get_registration_or_404(registration_id: int) -> Registration:
    return db.get_or_404(Registration, registration_id)


def registrations_for(
    show_id: int, *, category: str | None = None, search: str = "", state: str | None = "active"
):
    query = (
        sa.select(Registration)
        .join(Visitor, Visitor.id == Registration.visitor_id)
        .where(Registration.show_id == show_id)
    )
    if state:
        query = query.where(Registration.state == RegistrationState(state))
    if category:
        query = query.where(Registration.category == RegistrationCategory(category))
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(Visitor.name).like(like),
                Visitor.email.like(like),
                sa.func.lower(Visitor.company).like(like),
            )
        )
    return query.order_by(Registration.id)
