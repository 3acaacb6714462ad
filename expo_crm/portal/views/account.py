"""Sign-in, sign-out, and the invitation link that sets the password."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user

from expo_crm.actions import user_action
from expo_crm.auth.permissions import public
from expo_crm.auth.views import sign_in, sign_out
from expo_crm.exhibitors import accounts
from expo_crm.extensions import limiter
from expo_crm.portal.forms import LoginForm, SetPasswordForm
from expo_crm.portal.views import bp


@bp.route("/portal/login", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"], key_func=lambda: request.remote_addr or "?")
def login():
    return sign_in(
        LoginForm(), accounts.authenticate, accounts.PortalError, "portal/login.html", "portal.home"
    )


@bp.route("/portal/logout", methods=["POST"])
@public
def logout():
    return sign_out("portal.login")


@bp.route("/portal/welcome/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"], key_func=lambda: request.remote_addr or "?")
def welcome(token: str):
    try:
        invitation = accounts.invitation_for(token)
    except accounts.PortalError as refused:
        return render_template("portal/invitation_invalid.html", message=str(refused)), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        with user_action() as action:
            user = accounts.accept_invitation(token, form.password.data)
        if action.done:
            session.clear()  # a fresh session for the new user (session fixation)
            login_user(user)
            flash(_("Your password is set. Welcome to the exhibitor portal."), "success")
            return redirect(url_for("portal.home"))
    return render_template("portal/set_password.html", form=form, user=invitation.portal_user)
