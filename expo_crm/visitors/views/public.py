"""Public pages: registration for a show (no login) and the visitor's self-service link."""

from __future__ import annotations

from flask import abort, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from sqlalchemy.exc import IntegrityError

from expo_crm.actions import user_action
from expo_crm.auth.permissions import public
from expo_crm.db import db
from expo_crm.documents.qr import png_data_uri
from expo_crm.extensions import limiter
from expo_crm.shows.models import Show
from expo_crm.visitors import services
from expo_crm.visitors.forms import ConsentForm, DetailsForm, EmptyForm, RegistrationForm
from expo_crm.visitors.models import RegistrationState
from expo_crm.visitors.views import bp

REGISTER_LIMIT = "10 per minute;60 per hour"

# More pages of the self-service link, offered by packages above this one (matchmaking's
# meetings): (label, endpoint taking `token`). They add themselves; this page only links them.
SELF_SERVICE_PAGES: list[tuple[object, str]] = []


def self_service_page(label, endpoint: str) -> None:
    if (label, endpoint) not in SELF_SERVICE_PAGES:
        SELF_SERVICE_PAGES.append((label, endpoint))


def _language_from_query() -> None:
    lang = request.args.get("lang")
    if lang in ("zh", "en") and session.get("lang") != lang:
        session["lang"] = lang
        refresh()


@bp.route("/visit/<int:show_id>/register", methods=["GET", "POST"])
@public
@limiter.limit(REGISTER_LIMIT, methods=["POST"])
def register(show_id: int):
    _language_from_query()
    show = db.get_or_404(Show, show_id)
    refusal = services.registration_refusal(show)
    form = RegistrationForm()
    if request.method == "GET":
        form.locale.data = str(
            session.get("lang") or request.accept_languages.best_match(("zh", "en")) or "zh"
        )
    if refusal is None and form.validate_on_submit():
        with user_action() as action:
            outcome = _register(show, form)
        if action.done:
            session["registered_email"] = outcome.registration.visitor.email
            # Only a registration made here shows its badge here: an email registered before
            # gets its badge again by email, never on the page of whoever typed it.
            if outcome.created:
                session["registered_token"] = services.manage_token(outcome.registration)
            else:
                session.pop("registered_token", None)
            return redirect(url_for("visitors.registered", show_id=show.id))
    status = 200 if refusal is None or request.method == "GET" else 409
    return render_template(
        "visitors/public/register.html", show=show, form=form, refusal=refusal
    ), status


def _register(show: Show, form: RegistrationForm) -> services.Outcome:
    return register_once(
        show,
        email=form.email.data,
        details=form.details(),
        terms_accepted=form.terms.data,
        share_contact=form.share_contact.data,
        marketing_consent=form.marketing_consent.data,
        meeting_consent=form.meeting_consent.data,
        referral_code=request.args.get("ref"),
    )


def register_once(show: Show, **arguments) -> services.Outcome:
    """services.register, written at once: when the same email registered at the same moment,
    the other request won and this one re-sends its badge."""
    try:
        outcome = services.register(show, **arguments)
        db.session.flush()
        return outcome
    except IntegrityError:
        # The same email registered at the same moment: the other request won; re-send its badge.
        db.session.rollback()
        return services.register(show, **arguments)


@bp.route("/visit/<int:show_id>/terms")
@public
def terms(show_id: int):
    """The terms of registration and the privacy notice the consent box refers to."""
    _language_from_query()
    show = db.get_or_404(Show, show_id)
    return render_template("visitors/public/terms.html", show=show)


@bp.route("/visit/<int:show_id>/registered")
@public
def registered(show_id: int):
    show = db.get_or_404(Show, show_id)
    token = session.get("registered_token")
    registration = services.registration_for_token(token) if isinstance(token, str) else None
    if registration is not None and (
        registration.show_id != show.id or registration.state is not RegistrationState.active
    ):
        registration = None
    badge = registration.active_badge if registration else None
    return render_template(
        "visitors/public/registered.html",
        show=show,
        email=session.get("registered_email", ""),
        token=token if badge else None,
        qr=png_data_uri(badge.qr_png) if badge else None,
    )


def _registration_or_404(token: str):
    registration = services.registration_for_token(token)
    if registration is None:
        abort(404)
    return registration


@bp.route("/visit/manage/<token>", methods=["GET", "POST"])
@public
@limiter.limit(REGISTER_LIMIT, methods=["POST"])
def self_service(token: str):
    registration = _registration_or_404(token)
    visitor = registration.visitor
    form = DetailsForm(obj=visitor)
    if request.method == "GET":
        form.product_interests.data = visitor.interests
        form.sought_categories.data = services.sought_category_ids(visitor.id)
        for field in (
            "industry",
            "job_function",
            "purchasing_authority",
            "how_heard",
            "buying_intent",
        ):
            value = getattr(visitor, field)
            getattr(form, field).data = value.value if value else ""
    consents = ConsentForm(obj=registration, prefix="c")
    if registration.state is RegistrationState.active and form.validate_on_submit():
        with user_action(_("Your details have been saved.")) as action:
            services.update_details(visitor, form.details())
        if action.done:
            return redirect(url_for("visitors.self_service", token=token))
    badge = registration.active_badge
    return render_template(
        "visitors/public/manage.html",
        registration=registration,
        visitor=visitor,
        show=registration.show,
        form=form,
        consents=consents,
        action_form=EmptyForm(),
        token=token,
        qr=png_data_uri(badge.qr_png) if badge else None,
        pages=SELF_SERVICE_PAGES,
        referral=referral_view("visitor", visitor.id, registration.show_id),
    )


def referral_view(kind: str, subject_id: int, show_id: int) -> dict:
    """What the referral link panel shows: the address to share and what it brought."""
    link = services.referral_link(kind, subject_id, show_id)
    return {
        "url": url_for("visitors.register", show_id=show_id, ref=link.token, _external=True),
        "registrations": link.registrations,
        "came": link.came,
    }


@bp.route("/visit/manage/<token>/consents", methods=["POST"])
@public
@limiter.limit(REGISTER_LIMIT)
def self_service_consents(token: str):
    registration = _registration_or_404(token)
    form = ConsentForm(prefix="c")
    if form.validate_on_submit() and registration.state is RegistrationState.active:
        with user_action(_("Your choices have been saved.")):
            services.update_consents(
                registration,
                share_contact=form.share_contact.data,
                marketing_consent=form.marketing_consent.data,
                meeting_consent=form.meeting_consent.data,
            )
    return redirect(url_for("visitors.self_service", token=token))


@bp.route("/visit/manage/<token>/resend", methods=["POST"])
@public
@limiter.limit("3 per minute;10 per day")
def self_service_resend(token: str):
    registration = _registration_or_404(token)
    if EmptyForm().validate_on_submit() and registration.state is RegistrationState.active:
        with user_action(
            _("We have sent your badge to %(email)s again.", email=registration.visitor.email)
        ):
            services.send_badge(registration)
    return redirect(url_for("visitors.self_service", token=token))


@bp.route("/visit/manage/<token>/cancel", methods=["POST"])
@public
@limiter.limit(REGISTER_LIMIT)
def self_service_cancel(token: str):
    registration = _registration_or_404(token)
    if EmptyForm().validate_on_submit():
        with user_action(_("Your registration is cancelled and your badge no longer works.")):
            services.cancel_registration(registration)
    return redirect(url_for("visitors.self_service", token=token))


@bp.route("/visit/manage/<token>/badge.pdf")
@public
@limiter.limit("20 per hour")
def self_service_badge(token: str):
    registration = _registration_or_404(token)
    if registration.active_badge is None:
        abort(404)
    pdf = services.badge_pdf([registration], language=registration.visitor.locale)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = 'inline; filename="badge.pdf"'
    return response
