"""Rebooking in the portal: the company's priority window for the next edition, the plan with
the free booths, a pick that holds one, and booking the held booth. Only the company's own
window and hold are shown; other companies' names never are."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from expo_crm import clock
from expo_crm.actions import user_action
from expo_crm.auth.permissions import portal
from expo_crm.exhibitors import hallplan, rebooking
from expo_crm.exhibitors.forms import SimpleActionForm
from expo_crm.exhibitors.plan_forms import PickForm
from expo_crm.navigation import nav_item
from expo_crm.portal.views import bp
from expo_crm.shows import services as shows

nav_item(_l("Rebooking"), "portal.rebooking_page", audience="exhibitor", order=15)


def _window_or_404(show_id: int):
    window = rebooking.window_for(current_user.company_id, show_id)
    if window is None:
        abort(404)
    return window


def _back(show_id: int):
    return redirect(url_for("portal.rebooking_page", show=show_id), code=303)


def _actor() -> tuple[str, int, str]:
    return ("exhibitor", current_user.id, current_user.email)


@bp.route("/portal/rebooking")
@portal
def rebooking_page():
    offers = rebooking.open_offers(current_user.company_id)
    show_id = request.args.get("show", type=int)
    window = _window_or_404(show_id) if show_id else (offers[0] if offers else None)
    show = plan = hold = None
    now = clock.now()
    if window is not None:
        show = shows.get_show_or_404(window.show_id)
        plan = hallplan.plan_data(show.id, with_companies=False)
        hold = rebooking.active_hold(current_user.company_id, show.id)
    return render_template(
        "portal/rebooking.html",
        offers=offers,
        window=window,
        show=show,
        plan=plan,
        hold=hold if hold is not None and hold.expires_at > now else None,
        is_open=window is not None and window.opens_at <= now < window.closes_at,
        not_yet=window is not None and now < window.opens_at,
        pick_form=PickForm(),
        action_form=SimpleActionForm(),
    )


@bp.route("/portal/rebooking/<int:show_id>/pick", methods=["POST"])
@portal
def rebooking_pick(show_id: int):
    _window_or_404(show_id)
    form = PickForm()
    booth_id = request.form.get("booth_id", type=int)
    if not form.validate_on_submit() or not booth_id:
        flash(_("Choose a booth on the plan, then pick it."), "error")
        return _back(show_id)
    with user_action() as action:
        hold = rebooking.pick_booth(
            current_user.company_id, shows.get_show_or_404(show_id), booth_id, current_user.id
        )
        action.succeeded_with(
            _(
                "Booth %(number)s is held for you until %(until)s. Book it to keep it.",
                number=hold.booth.number,
                until=rebooking._when(hold.expires_at, hold.booth.show),
            )
        )
    return _back(show_id)


@bp.route("/portal/rebooking/<int:show_id>/book", methods=["POST"])
@portal
def rebooking_book(show_id: int):
    return _end_hold(show_id, "book")


@bp.route("/portal/rebooking/<int:show_id>/release", methods=["POST"])
@portal
def rebooking_release(show_id: int):
    return _end_hold(show_id, "release")


def _end_hold(show_id: int, what: str):
    _window_or_404(show_id)
    if not SimpleActionForm().validate_on_submit():
        abort(400)
    hold = rebooking.active_hold(current_user.company_id, show_id)
    if hold is None:
        abort(404)
    with user_action() as action:
        if what == "book":
            rebooking.book_hold(hold, _actor())
            action.succeeded_with(
                _("Booth %(number)s is booked. Your contract follows.", number=hold.booth.number)
            )
        else:
            rebooking.release_hold(hold)
            action.succeeded_with(_("The booth is released."))
    return _back(show_id)
