"""Staff pages: the category tree, adding and editing a category, import and export."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from expo_crm.actions import user_action
from expo_crm.auth.permissions import requires
from expo_crm.categories import services
from expo_crm.categories.forms import CategoryForm, CategoryImportForm
from expo_crm.categories.models import Category
from expo_crm.db import db
from expo_crm.documents.excel import xlsx_response
from expo_crm.documents.tabular import MAX_UPLOAD_BYTES
from expo_crm.navigation import nav_item

bp = Blueprint("categories", __name__, url_prefix="/categories")
nav_item(
    _l("Product categories"), "categories.category_list", "categories.view", order=37, group="sales"
)


@bp.route("/")
@requires("categories.view")
def category_list():
    return render_template(
        "categories/list.html",
        rows=services.tree(),
        form=CategoryForm(),
        import_form=CategoryImportForm(),
        result=None,
    )


@bp.route("/new", methods=["POST"])
@requires("categories.manage")
def category_create():
    form = CategoryForm()
    if form.validate_on_submit():
        with user_action(_("Category saved.")) as action:
            services.save_category(
                code=form.code.data,
                name_zh=form.name_zh.data or "",
                name_en=form.name_en.data or "",
                parent_id=form.parent_id.data or None,
            )
        if action.done:
            return redirect(url_for("categories.category_list"), 303)
    return render_template(
        "categories/list.html",
        rows=services.tree(),
        form=form,
        import_form=CategoryImportForm(),
        result=None,
    ), 400


@bp.route("/<int:category_id>", methods=["GET", "POST"])
@requires("categories.manage")
def category_edit(category_id: int):
    category = db.get_or_404(Category, category_id)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        with user_action(_("Category saved.")) as action:
            services.save_category(
                code=form.code.data,
                name_zh=form.name_zh.data or "",
                name_en=form.name_en.data or "",
                parent_id=form.parent_id.data or None,
                category=category,
            )
        if action.done:
            return redirect(url_for("categories.category_list"), 303)
    elif not form.is_submitted():
        form.parent_id.data = category.parent_id or 0
    return render_template("categories/edit.html", category=category, form=form)


@bp.route("/import", methods=["POST"])
@requires("categories.manage")
def category_import():
    form = CategoryImportForm()
    result = None
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read(MAX_UPLOAD_BYTES + 1)
        with user_action(flash_refusal=False) as action:
            result = services.import_categories(upload.filename, content)
            action.succeeded_with(
                _(
                    "Imported: %(created)d new, %(updated)d updated.",
                    created=result.count("create"),
                    updated=result.count("update"),
                )
            )
        if action.done:
            return redirect(url_for("categories.category_list"), 303)
        result = services.check_import(upload.filename, content)
    return render_template(
        "categories/list.html",
        rows=services.tree(),
        form=CategoryForm(),
        import_form=form,
        result=result,
    ), 400


@bp.route("/export.xlsx")
@requires("categories.view")
def category_export():
    headers, rows = services.export_rows()
    return xlsx_response("categories", headers, rows, title=_("Product categories"))
