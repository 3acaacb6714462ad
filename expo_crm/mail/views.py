from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from expo_crm import audit, clock
from expo_crm.actions import user_action
from expo_crm.auth.permissions import public, requires
from expo_crm.dashboard import dashboard_panel
from expo_crm.db import db
from expo_crm.errors import UserError
from expo_crm.extensions import limiter
from expo_crm.i18n import localtime
from expo_crm.mail import jobs, services
from expo_crm.mail.forms import ActionForm
from expo_crm.mail.models import MailState, OutboxMessage
from expo_crm.navigation import nav_item

bp = Blueprint("mail", __name__)
nav_item(_l("Outbox"), "mail.outbox", "mail.view", order=90, group="service")


@bp.route("/mail/outbox")
@requires("mail.view")
def outbox():
    state = request.args.get("state", "")
    chosen = MailState(state) if state in MailState._value2member_map_ else None
    page = services.outbox_page(chosen, request.args.get("page", 1, type=int))
    return render_template(
        "mail/outbox.html",
        page=page,
        state=chosen,
        states=list(MailState),
        counts=services.state_counts(),
        form=ActionForm(),
        now=clock.now(),
        can_retry=jobs.can_retry,
        held=held_back(),
    )


@dashboard_panel("mail/panels/delivery.html", "mail.view", order=1)
def delivery_panel() -> dict:
    """Shown only while mail cannot be delivered: since when, why, how much is waiting."""
    return {"held": held_back()}


def held_back() -> dict | None:
    """The delivery problem with its time for the reader: the time of day, the date too when
    the mail has been held back since an earlier day."""
    now = clock.now()
    problem = services.delivery_problem(now)
    if problem is None:
        return None
    same_day = localtime(problem.since, fmt="yyyy-MM-dd") == localtime(now, fmt="yyyy-MM-dd")
    since = localtime(problem.since, fmt="HH:mm" if same_day else "yyyy-MM-dd HH:mm")
    return {"problem": problem, "since": since}


@bp.route("/mail/outbox/<int:message_id>")
@requires("mail.view")
def message_detail(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template(
        "mail/message.html",
        message=message,
        held=held_back() if message.state is MailState.pending else None,
        form=ActionForm(),
        can_retry=jobs.can_retry(message, clock.now()),
    )


@bp.route("/mail/outbox/<int:message_id>/retry", methods=["POST"])
@requires("mail.view")
def retry(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    before = message.state
    with user_action(_("The message will be sent again within a minute.")):
        if not jobs.retry(message, clock.now()):
            raise UserError(
                _(
                    "This message cannot be sent again: only a failed message, or one whose "
                    "delivery was never confirmed, can."
                )
            )
        audit.record(
            "mail.retry",
            message,
            before={"state": before.value},
            after={"state": MailState.pending.value},
        )
    return redirect(request.referrer or url_for("mail.outbox"))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
@limiter.limit("30/minute")
def unsubscribe(token: str):
    address = services.address_from_token(token)
    if address is None:
        return render_template("mail/unsubscribe.html", address=None, done=False, form=None), 404
    form = ActionForm()
    done = services.is_unsubscribed(address)
    if not done and form.validate_on_submit():
        with user_action() as action:
            services.unsubscribe(address)
            audit.record("mail.unsubscribe", entity_type="unsubscribes", entity_id=address)
        done = action.done
    return render_template("mail/unsubscribe.html", address=address, done=done, form=form)
