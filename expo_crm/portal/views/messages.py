"""Messages to the organiser, kept as inbound portal interactions of the company."""

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm.actions import user_action
from expo_crm.auth.permissions import portal
from expo_crm.exhibitors import participation
from expo_crm.portal.forms import MessageForm
from expo_crm.portal.views import bp


@bp.route("/portal/messages", methods=["GET", "POST"])
@portal
def messages():
    form = MessageForm()
    if form.validate_on_submit():
        contract = participation.current_participation(current_user.company_id)
        with user_action(_("Your message has been sent to the organiser.")) as action:
            participation.send_message(
                current_user,
                form.subject.data,
                form.body.data,
                contract.show_id if contract else None,
            )
        if action.done:
            return redirect(url_for("portal.messages"))
    return render_template(
        "portal/messages.html",
        form=form,
        messages=participation.messages(current_user.company_id),
    )
