"""What the company offers: the categories and products visitors are matched with."""

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm.actions import user_action
from expo_crm.auth.permissions import portal
from expo_crm.db import db
from expo_crm.exhibitors import offers
from expo_crm.exhibitors.models import Company
from expo_crm.portal.forms import OfferForm
from expo_crm.portal.views import bp


@bp.route("/portal/offer", methods=["GET", "POST"])
@portal
def offer():
    company = db.session.get(Company, current_user.company_id)
    form = OfferForm()
    if form.validate_on_submit():
        with user_action(_("Your products are saved.")) as action:
            offers.set_offer(company, form.categories.data, form.products_offered.data or "")
        if action.done:
            return redirect(url_for("portal.offer"))
    elif not form.is_submitted():
        form.categories.data = offers.offered_category_ids(company.id)
        form.products_offered.data = company.products_offered
    return render_template("portal/offer.html", company=company, form=form)
