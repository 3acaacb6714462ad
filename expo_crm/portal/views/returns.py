"""The exhibitor's return on exhibiting: live during the show, compared with its previous
editions, and the post-show report to download."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from expo_crm.auth.permissions import portal
from expo_crm.exhibitors import participation, return_report, returns
from expo_crm.portal.views import bp, own_contract_or_404, participation_or_404


@bp.route("/portal/returns")
@portal
def returns_page():
    contract = participation_or_404(request.args.get("show", type=int))
    context = {"contract": contract, "participations": []}
    if contract is not None:
        show = contract.show
        result = returns.company_return(contract.company_id, show)
        hours = returns.traffic_by_hour(contract.company_id, show)
        context.update(
            participations=participation.participations(current_user.company_id),
            r=result,
            hours=hours,
            history=returns.previous_editions(contract.company_id, show) if result else [],
            over=returns.is_over(show),
        )
    return render_template("portal/returns.html", **context)


@bp.route("/portal/contracts/<int:contract_id>/return-<any(zh,en):language>.pdf")
@portal
def return_report_pdf(contract_id: int, language: str):
    contract = own_contract_or_404(contract_id)
    if returns.company_return(contract.company_id, contract.show) is None:
        abort(404)
    try:
        pdf = return_report.render_report_pdf(contract.company, contract.show, language)
    except returns.ReturnError as refused:
        flash(str(refused), "error")
        return redirect(url_for("portal.returns_page", show=contract.show_id), 303)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="return-{contract.show.code}-{language}.pdf"'
    )
    return response
