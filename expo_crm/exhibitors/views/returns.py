"""The organiser's view of every exhibitor's return on a show: a sortable table, a page at a
time under the show's summary row, its Excel export (every exhibitor), and each report."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from expo_crm import lists
from expo_crm.auth.permissions import requires
from expo_crm.documents.excel import xlsx_response
from expo_crm.exhibitors import return_report, returns
from expo_crm.exhibitors.contracts import get_contract_or_404
from expo_crm.exhibitors.views import bp
from expo_crm.shows import services as shows

RETURNS_PER_PAGE = 50


def _show():
    show_id = request.args.get("show", type=int)
    return shows.get_show_or_404(show_id) if show_id else shows.current_show()


@bp.route("/returns")
@requires("exhibitors.view")
def returns_list():
    show = _show()
    sort = request.args.get("sort", "name")
    sort = sort if sort in return_report.BY_KEY else "name"
    descending = request.args.get("desc") == "1"
    rows = return_report.organiser_rows(show, sort, descending) if show else []
    pagination = lists.page_of_list(rows, RETURNS_PER_PAGE)
    return render_template(
        "exhibitors/returns.html",
        show=show,
        shows=shows.list_shows(),
        pagination=pagination,
        rows=pagination.items,
        summary=return_report.summary(rows) if rows else None,
        columns=return_report.COLUMNS,
        sort=sort,
        descending=descending,
        over=returns.is_over(show) if show else False,
    )


@bp.route("/returns.xlsx")
@requires("exhibitors.view")
def returns_export():
    show = _show()
    if show is None:
        abort(404)
    headers, rows = return_report.organiser_table(show)
    return xlsx_response(f"returns-{show.code}", headers, rows, title=_("Return on exhibiting"))


@bp.route("/contracts/<int:contract_id>/return-<any(zh,en):language>.pdf")
@requires("exhibitors.view")
def return_report_pdf(contract_id: int, language: str):
    contract = get_contract_or_404(contract_id)
    if returns.company_return(contract.company_id, contract.show) is None:
        abort(404)
    try:
        pdf = return_report.render_report_pdf(contract.company, contract.show, language)
    except returns.ReturnError as refused:
        flash(str(refused), "error")
        return redirect(url_for("exhibitors.returns_list", show=contract.show_id), 303)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="return-{contract.show.code}-{contract.number}-{language}.pdf"'
    )
    return response
