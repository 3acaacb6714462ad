from collections.abc import Callable
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from expo_crm.actions import user_action
from expo_crm.auth import services
from expo_crm.auth.forms import LanguageForm, LoginForm, PasswordChangeForm
from expo_crm.auth.guard import SESSION_ID
from expo_crm.auth.permissions import public, requires
from expo_crm.db import db
from expo_crm.extensions import limiter

bp = Blueprint("auth", __name__)


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths; anything else goes to the default."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def sign_in(form, authenticate: Callable, refusal: type[Exception], template: str, home: str):
    """The sign-in form, for staff and for the exhibitor portal alike: a fresh session for the
    user and a redirect to a same-site `next` (or home); otherwise the form again, with the
    reason, as a 400. `authenticate(email, password, address)` counts failures per address."""
    error = None
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data, request.remote_addr or "?")
        except refusal as refused:
            db.session.commit()  # the failure is counted although the sign-in is refused
            error = str(refused)
        else:
            # The account's language is the default of a new session; the language switch
            # then changes this session only. Otherwise a choice made before signing in stays.
            language = user.locale or session.get("lang")
            session.clear()  # nothing of an earlier session carries over (session fixation)
            login_user(user)
            session.permanent = True
            if language:
                session["lang"] = language
            db.session.commit()
            return redirect(safe_next(request.args.get("next"), url_for(home)))
    elif request.method == "POST":
        error = _("Please fill in a valid email and your password.")
    return render_template(template, form=form, error=error), 400 if error else 200


def sign_out(login_endpoint: str):
    """Ends this session for good: its cookie, even a copy, no longer signs anyone in."""
    if current_user.is_authenticated and session.get(SESSION_ID):
        services.end_session(session[SESSION_ID], current_app.permanent_session_lifetime)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for(login_endpoint))


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"], key_func=lambda: request.remote_addr or "?")
def login():
    return sign_in(
        LoginForm(), services.authenticate, services.AuthError, "auth/login.html", "staff.dashboard"
    )


@bp.route("/logout", methods=["POST"])
@public
def logout():
    return sign_out("auth.login")


@bp.route("/account/password", methods=["GET", "POST"])
@requires("dashboard.view")
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        with user_action(_("Your password has been changed."), flash_refusal=False) as action:
            services.change_password(current_user, form.current.data, form.new.data)
        if action.refused:
            form.current.errors = [str(action.refused)]
        else:
            login_user(current_user._get_current_object())  # the session id carries the new version
            return redirect(url_for("staff.dashboard"))
    return render_template("auth/password.html", form=form)


@bp.route("/language", methods=["POST"])
@public
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        # This session only: another device signed in to the same account keeps its language.
        session["lang"] = form.lang.data
    return redirect(
        safe_next(form.next.data or request.referrer and urlsplit(request.referrer).path, "/")
    )
