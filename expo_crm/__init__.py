"""expo-crm: the customer-relationship module of a trade-fair organiser."""

from __future__ import annotations

import importlib
import importlib.util
import os
from pathlib import Path

from flask import Flask, has_request_context

BLUEPRINT_MODULES = (
    "expo_crm.auth.views",
    "expo_crm.shows.views",
    "expo_crm.staff.views",
    "expo_crm.exhibitors.views",
    "expo_crm.visitors.views",
    "expo_crm.suppliers.views",
    "expo_crm.partners.views",
    "expo_crm.relationships.views",
    "expo_crm.surveys.views",
    "expo_crm.mail.views",
    "expo_crm.scheduler.views",
    "expo_crm.portal.views",
    "expo_crm.apidocs.views",
)

# Modules whose models must be imported before the mappers are configured.
MODEL_MODULES = (
    "expo_crm.auth.models",
    "expo_crm.audit.models",
    "expo_crm.shows.models",
    "expo_crm.tasks.models",
    "expo_crm.exhibitors.models",
    "expo_crm.visitors.models",
    "expo_crm.suppliers.models",
    "expo_crm.partners.models",
    "expo_crm.relationships.models",
    "expo_crm.surveys.models",
    "expo_crm.mail.models",
    "expo_crm.scheduler.models",
)

PACKAGE_DIR = Path(__file__).resolve().parent


def template_folder() -> str:
    """templates/ beside the package in a checkout; expo_crm/templates inside a built wheel."""
    checkout = PACKAGE_DIR.parent / "templates"
    if checkout.is_dir():
        return str(checkout)
    return str(PACKAGE_DIR / "templates")


def import_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)


def _import_if_present(name: str):
    """Blueprint packages may or may not have a JSON API module beside their views."""
    if importlib.util.find_spec(name) is None:
        return None
    return importlib.import_module(name)


def create_app(config: dict | None = None) -> Flask:
    from expo_crm import config as settings
    from expo_crm import errors, i18n, security
    from expo_crm.auth.guard import authorise_request
    from expo_crm.extensions import babel, csrf, db, limiter, login_manager, migrate

    instance_path = os.environ.get("EXPO_CRM_INSTANCE_PATH") or str(Path.cwd() / "instance")
    app = Flask(
        __name__,
        template_folder=template_folder(),
        instance_path=instance_path,
        instance_relative_config=True,
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(settings.from_environment(app.instance_path))
    if config:
        app.config.update(config)
        if "SQLALCHEMY_DATABASE_URI" in config and "SQLALCHEMY_ENGINE_OPTIONS" not in config:
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = settings._engine_options(
                config["SQLALCHEMY_DATABASE_URI"]
            )

    import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=";".join(_translation_directories()),
    )
    limiter.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    security.init_app(app)

    with app.app_context():
        from expo_crm.db import configure_engine

        configure_engine(db.engine)

    for name in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(name).bp)
        api = _import_if_present(name.rsplit(".", 1)[0] + ".api")
        if api is not None and hasattr(api, "bp"):
            app.register_blueprint(api.bp)
            csrf.exempt(api.bp)

    app.before_request(_declare_write_intent)
    app.teardown_request(_end_write_intent)
    app.before_request(authorise_request)
    _template_globals(app)
    return app


def _declare_write_intent() -> None:
    from flask import current_app, g, request

    from expo_crm.db import write_intent

    view = current_app.view_functions.get(request.endpoint)
    writes = request.method not in ("GET", "HEAD", "OPTIONS") and not getattr(
        view, "reads_first", False
    )
    g.write_intent_token = write_intent.set(writes)


def _end_write_intent(_error: BaseException | None) -> None:
    """Undo the request's intent: a request served in the caller's thread (the test client,
    a CLI command) must not leave later transactions of that thread beginning as writers."""
    from flask import g

    from expo_crm.db import write_intent

    token = g.pop("write_intent_token", None)
    if token is not None:
        write_intent.reset(token)


def _translation_directories() -> list[str]:
    """Each package keeps its own catalogue, so teams edit their own .po files."""
    found = [str(PACKAGE_DIR / "translations")]
    for child in sorted(PACKAGE_DIR.iterdir()):
        if (child / "translations").is_dir():
            found.append(str(child / "translations"))
    return found


def _template_globals(app: Flask) -> None:
    from flask_babel import get_locale
    from flask_login import current_user

    from expo_crm import clock
    from expo_crm.auth.forms import LanguageForm
    from expo_crm.navigation import items_for

    @app.context_processor
    def layout_context():
        locale = get_locale()
        context = {
            "current_language": locale.language if locale else "zh",
            "languages": app.config["LANGUAGES"],
            "now": clock.now(),
            "has_endpoint": lambda endpoint: endpoint in app.view_functions,
        }
        if has_request_context():  # emails and PDFs are rendered by jobs too, outside requests
            context["nav_items"] = items_for(current_user)
            context["language_form"] = LanguageForm(formdata=None)
        return context
