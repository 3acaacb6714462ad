"""Suppliers: directory, contacts, documents, evaluations. Orders are split off; the exhibitor portal's ordering is expo_crm.portal."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from expo_crm import lists
from expo_crm.actions import user_action
from expo_crm.auth.permissions import requires
from expo_crm.auth.services import staff_choices
from expo_crm.documents.excel import xlsx_response
from expo_crm.navigation import nav_item
from expo_crm.shows import services as shows
from expo_crm.suppliers import documents, evaluations, services
from expo_crm.suppliers.forms import ContactForm, DocumentForm, EvaluationForm, SupplierForm
from expo_crm.suppliers.models import MAX_DOCUMENT_BYTES, SupplierCategory

bp = Blueprint("suppliers", __name__)
nav_item(_l("Suppliers"), "suppliers.supplier_list", "suppliers.view", order=50, group="service")


@bp.route("/suppliers/")
@requires("suppliers.view")
def supplier_list():
    args = request.args
    stmt = services.supplier_query(
        q=args.get("q", ""),
        category=args.get("category", ""),
        active=args.get("active", ""),
        sort=args.get("sort", "name"),
    )
    if lists.wants_excel():
        rows = [
            (
                s.name_zh,
                s.name_en,
                s.category.label,
                s.email,
                s.phone,
                s.owner.name if s.owner else "",
                _("Yes") if s.active else _("No"),
            )
            for s in lists.all_rows(stmt)
        ]
        return xlsx_response(
            _("suppliers"),
            [
                _("Name (Chinese)"),
                _("Name (English)"),
                _("Category"),
                _("Email"),
                _("Phone"),
                _("Owner"),
                _("Active"),
            ],
            rows,
            title=_("Suppliers"),
        )
    pagination = lists.page_of(stmt)
    return render_template(
        "suppliers/list.html",
        pagination=pagination,
        args=lists.args(),
        categories=SupplierCategory,
        scores=evaluations.average_scores([s.id for s in pagination.items]),
        alerts={s.id: len(documents.document_alerts(s)) for s in pagination.items},
    )


def _supplier_form(supplier=None) -> SupplierForm:
    form = SupplierForm(obj=supplier)
    form.owner_id.choices = staff_choices()
    return form


@bp.route("/suppliers/new", methods=["GET", "POST"])
@requires("suppliers.manage")
def supplier_create():
    form = _supplier_form()
    if request.method == "GET":
        form.owner_id.data = current_user.id
    if form.validate_on_submit():
        with user_action() as action:
            supplier = services.create_supplier(**form.values())
            action.succeeded_with(_("Supplier %(name)s added.", name=supplier.name))
        if action.done:
            return redirect(url_for("suppliers.supplier_detail", supplier_id=supplier.id))
    return render_template("suppliers/form.html", form=form, supplier=None)


@bp.route("/suppliers/<int:supplier_id>")
@requires("suppliers.view")
def supplier_detail(supplier_id: int):
    supplier = services.get_supplier_or_404(supplier_id)
    return render_template(
        "suppliers/detail.html",
        supplier=supplier,
        alerts=documents.document_alerts(supplier),
        served=services.shows_served(supplier.id),
        evaluations=evaluations.evaluation_history(supplier.id),
        contact_form=ContactForm(),
        document_form=DocumentForm(),
        today=services.clock.now().date(),
    )


@bp.route("/suppliers/<int:supplier_id>/edit", methods=["GET", "POST"])
@requires("suppliers.manage")
def supplier_edit(supplier_id: int):
    supplier = services.get_supplier_or_404(supplier_id)
    form = _supplier_form(supplier)
    if request.method == "GET":
        form.category.data = supplier.category.value
    if form.validate_on_submit():
        with user_action(_("Supplier saved.")) as action:
            services.update_supplier(supplier, **form.values())
        if action.done:
            return redirect(url_for("suppliers.supplier_detail", supplier_id=supplier.id))
    return render_template("suppliers/form.html", form=form, supplier=supplier)


@bp.route("/suppliers/<int:supplier_id>/contacts", methods=["POST"])
@requires("suppliers.manage")
def contact_add(supplier_id: int):
    supplier = services.get_supplier_or_404(supplier_id)
    form = ContactForm()
    if not form.validate_on_submit():
        flash(_("The contact needs a name; check the email address."), "error")
    else:
        with user_action(_("Contact added.")):
            services.add_contact(
                supplier,
                name=form.name.data,
                position=form.position.data or "",
                email=form.email.data or "",
                phone=form.phone.data or "",
            )
    return redirect(url_for("suppliers.supplier_detail", supplier_id=supplier.id))


@bp.route("/suppliers/<int:supplier_id>/documents", methods=["POST"])
@requires("suppliers.manage")
def document_upload(supplier_id: int):
    supplier = services.get_supplier_or_404(supplier_id)
    form = DocumentForm()
    if not form.validate_on_submit():
        messages = [str(e) for errors in form.errors.values() for e in errors]
        flash(" ".join(messages) or _("Check the document's details."), "error")
        return redirect(url_for("suppliers.supplier_detail", supplier_id=supplier.id))
    upload = form.file.data
    content = upload.read(MAX_DOCUMENT_BYTES + 1) if upload else b""
    with user_action(_("Document uploaded.")):
        documents.add_document(
            supplier,
            kind=form.kind.data,
            expires_on=form.expires_on.data,
            filename=getattr(upload, "filename", "") or "",
            content=content,
            number=form.number.data or "",
            uploaded_by_id=current_user.id,
        )
    return redirect(url_for("suppliers.supplier_detail", supplier_id=supplier.id))


@bp.route("/suppliers/<int:supplier_id>/documents/<int:document_id>")
@requires("suppliers.view")
def document_download(supplier_id: int, document_id: int):
    from flask import Response

    supplier = services.get_supplier_or_404(supplier_id)
    document = documents.get_document_or_404(supplier, document_id)
    response = Response(document.content, mimetype=document.content_type)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="document-{document.id}{_extension(document.content_type)}"'
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _extension(content_type: str) -> str:
    return {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}.get(
        content_type, ""
    )


@bp.route("/suppliers/<int:supplier_id>/evaluate/<int:show_id>", methods=["GET", "POST"])
@requires("suppliers.manage")
def evaluate(supplier_id: int, show_id: int):
    supplier = services.get_supplier_or_404(supplier_id)
    show = shows.get_show_or_404(show_id)
    existing = next(
        (e for e in evaluations.evaluation_history(supplier.id) if e.show_id == show.id), None
    )
    form = EvaluationForm(obj=existing)
    if form.validate_on_submit():
        with user_action(_("Evaluation saved.")) as action:
            evaluations.evaluate(
                supplier,
                show,
                quality=form.quality.data,
                punctuality=form.punctuality.data,
                price=form.price.data,
                notes=form.notes.data or "",
                staff_id=current_user.id,
            )
        if action.done:
            return redirect(url_for("suppliers.supplier_detail", supplier_id=supplier.id))
    return render_template(
        "suppliers/evaluate.html",
        form=form,
        supplier=supplier,
        show=show,
        complaints=evaluations.complaints_about(supplier.id, show.id),
    )


from expo_crm.suppliers.views import orders  # noqa: F401  (routes on the same blueprint)
