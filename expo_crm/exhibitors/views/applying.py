"""The public application form of a show (no login, rate-limited, CSRF), the staff review
queue of applications and the documents sent with them."""

from flask import (
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import refresh

from expo_crm import clock, lists
from expo_crm.actions import user_action
from expo_crm.auth.permissions import public, requires
from expo_crm.db import db
from expo_crm.documents.uploads import MAX_DOCUMENT_BYTES, document_path
from expo_crm.exhibitors import online
from expo_crm.exhibitors.booking_models import ApplicationDocument, DocumentKind
from expo_crm.exhibitors.models import ApplicationState
from expo_crm.exhibitors.plan_forms import PublicApplicationForm
from expo_crm.exhibitors.views import bp
from expo_crm.extensions import limiter
from expo_crm.shows import services as shows
from expo_crm.shows.models import Show

APPLY_LIMIT = "10 per minute;60 per hour"


def _language_from_query() -> None:
    lang = request.args.get("lang")
    if lang in ("zh", "en") and session.get("lang") != lang:
        session["lang"] = lang
        refresh()


def _documents() -> list[tuple[str, str, bytes]]:
    sent = []
    for kind in DocumentKind:
        upload = request.files.get(kind.value)
        if upload is not None and upload.filename:
            sent.append((kind.value, upload.filename, upload.read(MAX_DOCUMENT_BYTES + 1)))
    return sent


@bp.route("/apply/<int:show_id>", methods=["GET", "POST"])
@public
@limiter.limit(APPLY_LIMIT, methods=["POST"])
def apply(show_id: int):
    _language_from_query()
    show = db.get_or_404(Show, show_id)
    form = PublicApplicationForm()
    closed = show.closed_for_sale_at(clock.now())
    if request.method == "GET":
        form.locale.data = str(
            session.get("lang") or request.accept_languages.best_match(("zh", "en")) or "zh"
        )
    refusal = ""
    if form.validate_on_submit():
        data = online.OnlineApplication(
            **{
                name: form[name].data or ""
                for name in (
                    "name_zh",
                    "name_en",
                    "tax_id",
                    "country",
                    "contact_name",
                    "email",
                    "phone",
                    "locale",
                    "booth_type",
                    "requested_area_m2",
                    "preferred_hall",
                    "product_categories",
                    "notes",
                )
            },
            documents=_documents(),
        )
        with user_action(flash_refusal=False) as action:
            online.submit_online_application(
                show,
                data,
                instance_path=current_app.instance_path,
                referral_token=request.args.get("ref") or None,
            )
        if action.done:
            session["applied_email"] = data.email.strip().lower()
            return redirect(url_for("exhibitors.applied", show_id=show.id), code=303)
        errors = getattr(action.refused, "errors", {"": str(action.refused)})
        for name, message in errors.items():
            if name and name in form:
                form[name].errors = [*form[name].errors, message]
        refusal = errors.get("", "")
    status = 200 if request.method == "GET" else 409 if refusal else 400
    return render_template(
        "exhibitors/public_apply.html", show=show, form=form, refusal=refusal, closed=closed
    ), status


@bp.route("/apply/<int:show_id>/thanks")
@public
def applied(show_id: int):
    show = db.get_or_404(Show, show_id)
    return render_template(
        "exhibitors/public_applied.html", show=show, email=session.get("applied_email", "")
    )


@bp.route("/applications")
@requires("exhibitors.view")
def review_queue():
    show_id = request.args.get("show", type=int)
    show = shows.get_show_or_404(show_id) if show_id else None
    state = request.args.get("state", "")
    pagination = lists.page_of(online.review_queue_query(show.id if show else None, state), 50)
    return render_template(
        "exhibitors/review_queue.html",
        show=show,
        shows=shows.list_shows(),
        state=state,
        states=list(ApplicationState),
        pagination=pagination,
        applications=pagination.items,
    )


@bp.route("/applications/<int:application_id>/documents/<int:document_id>")
@requires("exhibitors.view")
def application_document(application_id: int, document_id: int):
    document = db.get_or_404(ApplicationDocument, document_id)
    if document.application_id != application_id:
        abort(404)
    path = document_path(current_app.instance_path, document.token)
    if path is None:
        abort(404)
    return send_file(path, download_name=document.filename, as_attachment=True)
