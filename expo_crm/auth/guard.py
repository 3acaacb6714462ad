"""The one place where every request is authorised (see permissions.py for the declarations)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import abort, current_app, g, jsonify, redirect, request, session, url_for
from flask_login import current_user, user_logged_in

from expo_crm.auth.permissions import access_of
from expo_crm.db import db
from expo_crm.extensions import login_manager

# prefix -> loader(id, version) for each kind of signed-in user (staff, exhibitor portal)
_user_loaders: dict[str, Callable] = {}


def register_user_kind(prefix: str, loader: Callable) -> None:
    _user_loaders[prefix] = loader


# The random id of a signed-in session, in the session itself; sign-out records it as ended.
SESSION_ID = "_sid"


@user_logged_in.connect
def _new_session_id(_app, **_extra) -> None:
    session[SESSION_ID] = secrets.token_urlsafe(32)


@login_manager.user_loader
def load_user(user_id: str):
    user = _live_user(user_id)
    if user is None:
        # Emptied, so that a refused cookie is not refreshed and kept alive by using it.
        session.clear()
    return user


def _live_user(user_id: str):
    from expo_crm.auth.services import session_ended

    parts = user_id.split(":")
    if len(parts) != 3 or parts[0] not in _user_loaders:
        return None
    kind, ident, version = parts
    if not ident.isdigit() or not version.isdigit():
        return None
    session_id = session.get(SESSION_ID)
    if not session_id or session_ended(session_id):
        return None
    user = _user_loaders[kind](int(ident))
    if user is None or getattr(user, "session_version", 1) != int(version) or not user.is_active:
        return None
    return user


def _load_staff(ident: int):
    from expo_crm.auth.models import StaffUser

    return db.session.get(StaffUser, ident)


register_user_kind("staff", _load_staff)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _unauthenticated(login_endpoint: str):
    if _wants_json():
        response = jsonify(error="unauthorized")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    return redirect(url_for(login_endpoint, next=request.full_path.rstrip("?")))


def authorise_request():
    """before_request: refuse anything the endpoint's declaration does not allow."""
    if request.endpoint is None:
        return None  # 404/405 follow
    if request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    access = access_of(view)
    if access is None:
        current_app.logger.error("endpoint %s declares no access; refused", request.endpoint)
        abort(403)
    if access.kind == "public":
        return None
    if access.kind == "token":
        return _authorise_token(access.token_role)
    if access.kind == "portal":
        if not current_user.is_authenticated:
            return _unauthenticated("portal.login")
        if getattr(current_user, "kind", None) != "exhibitor":
            abort(403)
        return None
    # staff
    if not current_user.is_authenticated:
        return _unauthenticated("auth.login")
    if getattr(current_user, "kind", None) != "staff":
        abort(403)
    if not all(current_user.can(cap) for cap in access.capabilities):
        abort(403)
    return None


def _authorise_token(role: str):
    from expo_crm.auth.services import verify_device_token

    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    token = verify_device_token(secret.strip(), role) if scheme.lower() == "bearer" else None
    if token is None:
        response = jsonify(error="unauthorized")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    g.device_token = token
    return None
