"""expo-crm: the customer-relationship module of a trade-fair organiser."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, has_request_context

PACKAGE_DIR = Path(__file__).resolve().parent


def template_folder() -> str:
    """templates/ beside the package in a checkout; expo_crm/templates inside a built wheel."""
    checkout = PACKAGE_DIR.parent / "templates"
    if checkout.is_dir():
        return str(checkout)
    return str(PACKAGE_DIR / "templates")


def _components():
    """Every part of the application, imported by name: models before the mappers are
    configured, jobs modules so that their plan actions and periodic jobs are registered, and
    the blueprints. Only the wiring imports upward like this."""
    from expo_crm.apidocs import views as apidocs_views
    from expo_crm.audit import models as audit_models
    from expo_crm.auth import models as auth_models
    from expo_crm.auth import views as auth_views
    from expo_crm.categories import models as category_models
    from expo_crm.categories import views as category_views
    from expo_crm.documents import models as document_models
    from expo_crm.exhibitors import benefit as exhibitor_benefit
    from expo_crm.exhibitors import booking_models as exhibitor_booking_models
    from expo_crm.exhibitors import churn_features as exhibitor_churn_features
    from expo_crm.exhibitors import companies as exhibitor_companies
    from expo_crm.exhibitors import contracts as exhibitor_contracts
    from expo_crm.exhibitors import jobs as exhibitor_jobs
    from expo_crm.exhibitors import measures as exhibitor_measures
    from expo_crm.exhibitors import models as exhibitor_models
    from expo_crm.exhibitors import views as exhibitor_views
    from expo_crm.invoicing import jobs as invoicing_jobs
    from expo_crm.invoicing import models as invoicing_models
    from expo_crm.invoicing import receivers as invoicing_receivers
    from expo_crm.invoicing import views as invoicing_views
    from expo_crm.mail import jobs as mail_jobs
    from expo_crm.mail import models as mail_models
    from expo_crm.mail import views as mail_views
    from expo_crm.matchmaking import jobs as matchmaking_jobs
    from expo_crm.matchmaking import models as matchmaking_models
    from expo_crm.matchmaking import receivers as matchmaking_receivers
    from expo_crm.matchmaking import views as matchmaking_views
    from expo_crm.partners import jobs as partner_jobs
    from expo_crm.partners import models as partner_models
    from expo_crm.partners import services as partner_services
    from expo_crm.partners import views as partner_views
    from expo_crm.portal import views as portal_views
    from expo_crm.relationships import jobs as relationship_jobs
    from expo_crm.relationships import models as relationship_models
    from expo_crm.relationships import views as relationship_views
    from expo_crm.scheduler import models as scheduler_models
    from expo_crm.scheduler import views as scheduler_views
    from expo_crm.shows import models as show_models
    from expo_crm.shows import views as show_views
    from expo_crm.staff import views as staff_views
    from expo_crm.suppliers import jobs as supplier_jobs
    from expo_crm.suppliers import models as supplier_models
    from expo_crm.suppliers import services as supplier_services
    from expo_crm.suppliers import views as supplier_views
    from expo_crm.surveys import churn_features as survey_churn_features
    from expo_crm.surveys import jobs as survey_jobs
    from expo_crm.surveys import measures as survey_measures
    from expo_crm.surveys import models as survey_models
    from expo_crm.surveys import results as survey_results
    from expo_crm.surveys import views as survey_views
    from expo_crm.tasks import models as task_models
    from expo_crm.visitors import api as visitor_api
    from expo_crm.visitors import attendance as visitor_attendance
    from expo_crm.visitors import churn_features as visitor_churn_features
    from expo_crm.visitors import jobs as visitor_jobs
    from expo_crm.visitors import measures as visitor_measures
    from expo_crm.visitors import models as visitor_models
    from expo_crm.visitors import views as visitor_views

    models = (
        auth_models,
        audit_models,
        document_models,
        show_models,
        task_models,
        category_models,
        exhibitor_models,
        exhibitor_booking_models,
        invoicing_models,
        visitor_models,
        supplier_models,
        partner_models,
        relationship_models,
        survey_models,
        mail_models,
        scheduler_models,
        matchmaking_models,
    )
    # Modules that register with the layers below them: customer value sources, survey
    # audiences, service orders charged on contracts, referral codes, edition measures,
    # life-cycle warnings, churn-model features.
    registrations = (
        exhibitor_benefit,
        exhibitor_companies,
        exhibitor_contracts,
        exhibitor_measures,
        visitor_attendance,
        visitor_measures,
        supplier_services,
        partner_services,
        survey_results,
        survey_measures,
        invoicing_receivers,
        matchmaking_receivers,
        exhibitor_churn_features,
        visitor_churn_features,
        survey_churn_features,
    )
    jobs = (
        mail_jobs,
        exhibitor_jobs,
        visitor_jobs,
        supplier_jobs,
        partner_jobs,
        relationship_jobs,
        survey_jobs,
        invoicing_jobs,
        matchmaking_jobs,
    )
    blueprints = (
        auth_views.bp,
        show_views.bp,
        staff_views.bp,
        exhibitor_views.bp,
        invoicing_views.bp,
        visitor_views.bp,
        supplier_views.bp,
        partner_views.bp,
        relationship_views.bp,
        survey_views.bp,
        mail_views.bp,
        scheduler_views.bp,
        portal_views.bp,
        category_views.bp,
        matchmaking_views.bp,
        apidocs_views.bp,
    )
    apis = (visitor_api.bp,)  # JSON with bearer tokens: no CSRF
    return models, registrations, jobs, blueprints, apis


def create_app(config: dict | None = None) -> Flask:
    from expo_crm import config as settings
    from expo_crm import converters, errors, i18n, security
    from expo_crm.auth.guard import authorise_request
    from expo_crm.extensions import babel, csrf, db, limiter, login_manager, migrate
    from expo_crm.visitors.fastpath import CheckinFastPath

    instance_path = os.environ.get("EXPO_CRM_INSTANCE_PATH") or str(Path.cwd() / "instance")
    app = Flask(
        __name__,
        template_folder=template_folder(),
        instance_path=instance_path,
        instance_relative_config=True,
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    converters.init_app(app)  # before any route is added
    app.config.update(settings.from_environment(app.instance_path))
    if config:
        app.config.update(config)
        if "SQLALCHEMY_DATABASE_URI" in config and "SQLALCHEMY_ENGINE_OPTIONS" not in config:
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = settings._engine_options(
                config["SQLALCHEMY_DATABASE_URI"]
            )

    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    _models, _registrations, _jobs, blueprints, apis = _components()
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

    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    for blueprint in apis:
        app.register_blueprint(blueprint)
        csrf.exempt(blueprint)

    app.before_request(_declare_write_intent)
    app.teardown_request(_end_write_intent)
    app.before_request(authorise_request)
    _template_globals(app)
    # The usual gate scan is answered before Flask's request handling (visitors/fastpath.py).
    app.wsgi_app = CheckinFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
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

    from expo_crm import charts, clock
    from expo_crm.auth.forms import LanguageForm
    from expo_crm.navigation import sections_for
    from expo_crm.shows.branding import public_brand
    from expo_crm.shows.choice import chosen_show
    from expo_crm.shows.forms import ChooseShowForm
    from expo_crm.shows.services import list_shows

    app.jinja_env.globals["brand_of"] = public_brand
    app.jinja_env.globals["series_chart"] = charts.series_chart

    @app.context_processor
    def layout_context():
        locale = get_locale()
        context = {
            "current_language": locale.language if locale else "zh",
            "languages": app.config["LANGUAGES"],
            "now": clock.now(),
        }
        if has_request_context():  # emails and PDFs are rendered by jobs too, outside requests
            context["nav_sections"] = sections_for(current_user)
            context["language_form"] = LanguageForm(formdata=None)
            if getattr(current_user, "kind", None) == "staff" and current_user.can("shows.view"):
                # Called by the layout, so an error page that must not query (a 503) skips it.
                context["show_picker"] = lambda: {
                    "shows": list_shows(),
                    "chosen": chosen_show(),
                    "form": ChooseShowForm(formdata=None),
                }
        return context
