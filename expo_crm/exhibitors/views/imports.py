"""Staff pages: import exhibitors from a spreadsheet (preview first, write on confirmation)."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm.actions import user_action
from expo_crm.auth.permissions import requires
from expo_crm.exhibitors import importer
from expo_crm.exhibitors.forms import ConfirmImportForm, ImportForm
from expo_crm.exhibitors.spreadsheets import xlsx_response
from expo_crm.exhibitors.views import bp

PREVIEW_ROWS = 200


@bp.route("/import", methods=["GET", "POST"])
@requires("exhibitors.import")
def import_upload():
    form = ImportForm()
    result, token = None, None
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            flash(_("Choose a file to upload."), "error")
        else:
            content = upload.read()
            result = importer.check(upload.filename, content)
            if result.ok:
                token = importer.stash(current_app.instance_path, upload.filename, content)
    return render_template(
        "exhibitors/import.html",
        form=form,
        result=result,
        preview_rows=PREVIEW_ROWS,
        confirm_form=ConfirmImportForm(token=token, formdata=None) if token else None,
        max_rows=importer.MAX_ROWS,
        columns=importer.TEMPLATE_HEADER,
    )


@bp.route("/import/confirm", methods=["POST"])
@requires("exhibitors.import")
def import_confirm():
    form = ConfirmImportForm()
    stashed = (
        importer.unstash(current_app.instance_path, form.token.data)
        if form.validate_on_submit()
        else None
    )
    if stashed is None:
        flash(_("This import has expired or was already done. Upload the file again."), "error")
        return redirect(url_for("exhibitors.import_upload"))
    filename, content = stashed
    result = importer.check(filename, content)
    if not result.ok:
        flash(
            _(
                "The file no longer passes the checks (the data changed meanwhile). Upload it again."
            ),
            "error",
        )
        return redirect(url_for("exhibitors.import_upload"))
    with user_action() as action:
        created, updated = importer.apply(result, owner_id=current_user.id)
        action.succeeded_with(
            _(
                "Import done: %(created)d companies created, %(updated)d updated.",
                created=created,
                updated=updated,
            )
        )
    if action.done:
        importer.discard(current_app.instance_path, form.token.data)
    return redirect(url_for("exhibitors.company_list"))


@bp.route("/import/template.xlsx")
@requires("exhibitors.import")
def import_template():
    example = [
        "上海示例五金有限公司",
        "Shanghai Example Hardware Co., Ltd.",
        "91310000MA1FL0000X",
        "CN",
        "上海",
        "上海",
        "五金工具",
        "hand tools, fasteners",
        "medium",
        "https://example.com",
        "2008-05-20",
        "王伟",
        "wang.wei@example.com",
        "+86 21 5555 0000",
        "zh",
    ]
    return xlsx_response(
        [importer.TEMPLATE_HEADER, example], "exhibitors-import-template.xlsx", "exhibitors"
    )
