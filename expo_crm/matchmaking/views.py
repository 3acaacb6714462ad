"""Matchmaking pages: the organiser's (staff), the exhibitor's (portal), the visitor's (its
self-service link) and the answer page of a signed meeting link from an email."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from expo_crm import clock
from expo_crm.actions import user_action
from expo_crm.auth.permissions import portal, public, requires
from expo_crm.db import db
from expo_crm.documents.excel import xlsx_response
from expo_crm.exhibitors import participation
from expo_crm.exhibitors.models import Company
from expo_crm.extensions import limiter
from expo_crm.matchmaking import recommend, reports, services
from expo_crm.matchmaking.forms import (
    ActionForm,
    CapacityForm,
    HostedInviteForm,
    HostedScheduleForm,
    HoursForm,
    ProposeForm,
    RequestForm,
    parse_slot,
    slot_choices,
)
from expo_crm.matchmaking.models import Meeting, MeetingState, Party
from expo_crm.navigation import nav_item
from expo_crm.shows import services as show_services
from expo_crm.shows.models import Show
from expo_crm.visitors import services as visitor_services
from expo_crm.visitors.models import Registration, RegistrationState, Visitor

bp = Blueprint("matchmaking", __name__)
nav_item(_l("Matchmaking"), "matchmaking.index", "matchmaking.view", order=45, group="visitors")
nav_item(_l("Meetings"), "matchmaking.portal_meetings", audience="exhibitor", order=25)

LINK_LIMIT = "30 per minute"


def _refuse_bad_slot():
    raise services.MeetingError(_("Please choose one of the offered time slots."))


# --- organiser ----------------------------------------------------------------------------------


@bp.route("/matchmaking/")
@requires("matchmaking.view")
def index():
    return render_template("matchmaking/index.html", shows=show_services.list_shows())


def _show_page(show: Show, **forms):
    report = reports.show_report(show)
    buyers = services.hosted_buyers(show.id)
    schedule = forms.get("schedule_form") or HostedScheduleForm()
    schedule.visitor_id.choices = [
        (b.visitor_id, f"{b.visitor.name} · {b.visitor.company}") for b in buyers
    ]
    schedule.company_id.choices = _exhibitor_choices(show.id)
    schedule.slot.choices = slot_choices(show, services.slots(show))
    window = services.hours(show)
    hours_form = forms.get("hours_form") or HoursForm(
        data={"opens": window.opens, "closes": window.closes, "slot_minutes": window.slot_minutes}
    )
    meetings = list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.show_id == show.id)
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )
    return render_template(
        "matchmaking/show.html",
        show=show,
        report=report,
        buyers=buyers,
        meetings=meetings,
        booths=reports.booths_of(show.id),
        hours_form=hours_form,
        invite_form=forms.get("invite_form") or HostedInviteForm(),
        schedule_form=schedule,
        action_form=ActionForm(),
    )


def _exhibitor_choices(show_id: int) -> list[tuple[int, str]]:
    companies = db.session.scalars(
        sa.select(Company).where(Company.id.in_(recommend.exhibiting_companies(show_id)))
    )
    return sorted(((c.id, c.name) for c in companies), key=lambda c: c[1])


@bp.route("/matchmaking/shows/<int:show_id>")
@requires("matchmaking.view")
def show_meetings(show_id: int):
    return _show_page(show_services.get_show_or_404(show_id))


@bp.route("/matchmaking/shows/<int:show_id>/hours", methods=["POST"])
@requires("matchmaking.manage")
def show_hours(show_id: int):
    show = show_services.get_show_or_404(show_id)
    form = HoursForm()
    if form.validate_on_submit():
        with user_action(_("Meeting hours saved.")) as action:
            services.set_hours(show, form.opens.data, form.closes.data, form.slot_minutes.data)
        if action.done:
            return redirect(url_for("matchmaking.show_meetings", show_id=show.id))
    return _show_page(show, hours_form=form), 400


@bp.route("/matchmaking/shows/<int:show_id>/recommendations", methods=["POST"])
@requires("matchmaking.manage")
def show_recompute(show_id: int):
    show = show_services.get_show_or_404(show_id)
    if ActionForm().validate_on_submit():
        with user_action() as action:
            stored = recommend.compute_recommendations(show.id)
            action.succeeded_with(_("%(n)d recommendations computed.", n=stored))
    return redirect(url_for("matchmaking.show_meetings", show_id=show.id))


@bp.route("/matchmaking/shows/<int:show_id>/hosted", methods=["POST"])
@requires("matchmaking.manage")
def hosted_invite(show_id: int):
    show = show_services.get_show_or_404(show_id)
    form = HostedInviteForm()
    if form.validate_on_submit():
        with user_action(_("Hosted buyer invited.")) as action:
            visitor = visitor_services.find_visitor(form.email.data)
            registration = (
                services.registration_of(visitor.id, show.id) if visitor is not None else None
            )
            if registration is None:
                raise services.MeetingError(_("This visitor is not registered for the show."))
            services.invite_hosted_buyer(show, registration, form.note.data or "")
        if action.done:
            return redirect(url_for("matchmaking.show_meetings", show_id=show.id))
    return _show_page(show, invite_form=form), 400


@bp.route("/matchmaking/shows/<int:show_id>/hosted/schedule", methods=["POST"])
@requires("matchmaking.manage")
def hosted_schedule(show_id: int):
    show = show_services.get_show_or_404(show_id)
    form = HostedScheduleForm()
    form.visitor_id.choices = [(b.visitor_id, "") for b in services.hosted_buyers(show.id)]
    form.company_id.choices = _exhibitor_choices(show.id)
    if form.validate_on_submit():
        with user_action(_("Meeting scheduled; both sides were emailed.")):
            starts_at = parse_slot(form.slot.data) or _refuse_bad_slot()
            services.schedule_for_hosted_buyer(
                show, form.company_id.data, form.visitor_id.data, starts_at
            )
    return redirect(url_for("matchmaking.show_meetings", show_id=show.id))


@bp.route(
    "/matchmaking/meetings/<int:meeting_id>/<any(cancel, held, no_show):outcome>", methods=["POST"]
)
@requires("matchmaking.manage")
def staff_outcome(meeting_id: int, outcome: str):
    meeting = db.get_or_404(Meeting, meeting_id)
    if ActionForm().validate_on_submit():
        with user_action(_("Meeting updated.")):
            if outcome == "cancel":
                services.cancel(meeting, Party.organiser)
            elif outcome == "held":
                services.mark_held(meeting)
            else:
                services.mark_no_show(meeting)
    return redirect(url_for("matchmaking.show_meetings", show_id=meeting.show_id))


@bp.route("/matchmaking/shows/<int:show_id>/meetings.xlsx")
@requires("matchmaking.view")
def show_export(show_id: int):
    show = show_services.get_show_or_404(show_id)
    headers, rows = reports.meeting_table(show)
    return xlsx_response(f"meetings-{show.code}", headers, rows, title=_("Meetings"))


# --- exhibitor portal -----------------------------------------------------------------------------


def _portal_contract():
    show_id = request.args.get("show", type=int)
    contract = participation.current_participation(current_user.company_id, show_id)
    if contract is None and show_id is not None:
        abort(404)
    return contract


def _own_meeting(meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.company_id != current_user.company_id:
        abort(404)
    return meeting


@bp.route("/portal/meetings")
@portal
def portal_meetings():
    contract = _portal_contract()
    context = {"contract": contract, "show": contract.show if contract else None}
    if contract is not None:
        show = contract.show
        starts = services.slots(show)
        request_form = RequestForm()
        request_form.slot.choices = slot_choices(show, starts)
        propose_form = ProposeForm()
        propose_form.slot.choices = request_form.slot.choices
        suggestions = recommend.for_company(current_user.company_id, show.id)
        visitors = {
            v.id: v
            for v in db.session.scalars(
                sa.select(Visitor).where(Visitor.id.in_([s.visitor_id for s in suggestions]))
            )
        }
        context |= {
            "suggestions": [
                (s, visitors[s.visitor_id], recommend.reason_for_exhibitor(s)) for s in suggestions
            ],
            "meetings": services.meetings_of_company(current_user.company_id, show.id),
            "request_form": request_form,
            "propose_form": propose_form,
            "action_form": ActionForm(),
            "capacity_form": CapacityForm(
                data={"capacity": services.capacity(current_user.company_id, show.id)}
            ),
            "now": clock.now(),
        }
    return render_template("matchmaking/portal.html", **context)


@bp.route("/portal/meetings/request", methods=["POST"])
@portal
def portal_request():
    contract = _portal_contract()
    if contract is None:
        abort(404)
    form = RequestForm()
    form.slot.choices = []
    if form.validate_on_submit():
        with user_action(_("Your meeting request was sent.")):
            registration = services.registration_of(form.other_id.data, contract.show_id)
            if registration is None:
                raise services.MeetingError(_("This visitor is not registered for the show."))
            starts_at = parse_slot(form.slot.data) or _refuse_bad_slot()
            services.request_meeting(
                contract.show,
                current_user.company_id,
                registration,
                starts_at,
                by=Party.exhibitor,
                message=form.message.data or "",
            )
    return redirect(url_for("matchmaking.portal_meetings", show=contract.show_id))


@bp.route(
    "/portal/meetings/<int:meeting_id>/<any(accept, decline, propose, cancel, no_show):answer>",
    methods=["POST"],
)
@portal
def portal_answer(meeting_id: int, answer: str):
    meeting = _own_meeting(meeting_id)
    _answer(meeting, Party.exhibitor, answer)
    return redirect(url_for("matchmaking.portal_meetings", show=meeting.show_id))


@bp.route("/portal/meetings/capacity", methods=["POST"])
@portal
def portal_capacity():
    contract = _portal_contract()
    if contract is None:
        abort(404)
    form = CapacityForm()
    if form.validate_on_submit():
        with user_action(_("Saved.")):
            services.set_capacity(current_user.company_id, contract.show_id, form.capacity.data)
    return redirect(url_for("matchmaking.portal_meetings", show=contract.show_id))


def _answer(meeting: Meeting, party: Party, answer: str) -> bool:
    messages = {
        "accept": _("The meeting is confirmed; both sides receive a calendar invitation."),
        "decline": _("The request was declined."),
        "propose": _("Another time slot was proposed."),
        "cancel": _("The meeting was cancelled."),
        "no_show": _("The no-show was recorded."),
    }
    form = ProposeForm() if answer == "propose" else ActionForm()
    if answer == "propose":
        form.slot.choices = []
    if not form.validate_on_submit():
        return False
    with user_action(messages[answer]) as action:
        if answer == "accept":
            services.accept(meeting, party)
        elif answer == "decline":
            services.decline(meeting, party)
        elif answer == "propose":
            services.propose(meeting, party, parse_slot(form.slot.data) or _refuse_bad_slot())
        elif answer == "cancel":
            services.cancel(meeting, party)
        else:
            if party is not Party.exhibitor:
                abort(404)
            services.mark_no_show(meeting)
    return action.done


# --- the visitor, through its self-service link ---------------------------------------------------


def _registration_or_404(token: str) -> Registration:
    registration = visitor_services.registration_for_token(token)
    if registration is None or registration.state is not RegistrationState.active:
        abort(404)
    return registration


@bp.route("/visit/manage/<token>/meetings")
@public
def visitor_meetings(token: str):
    registration = _registration_or_404(token)
    show = registration.show
    starts = services.slots(show)
    request_form = RequestForm()
    request_form.slot.choices = slot_choices(show, starts)
    propose_form = ProposeForm()
    propose_form.slot.choices = request_form.slot.choices
    suggestions = recommend.for_visitor(registration.visitor_id, show.id)
    companies = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Company).where(Company.id.in_([s.company_id for s in suggestions]))
        )
    }
    exhibitors = _exhibitor_choices(show.id)
    return render_template(
        "matchmaking/visitor.html",
        token=token,
        registration=registration,
        show=show,
        suggestions=[
            (s, companies[s.company_id], recommend.reason_for_visitor(s)) for s in suggestions
        ],
        exhibitors=exhibitors,
        booths=reports.booths_of(show.id),
        meetings=services.meetings_of_visitor(registration.visitor_id, show.id),
        request_form=request_form,
        propose_form=propose_form,
        action_form=ActionForm(),
        now=clock.now(),
    )


@bp.route("/visit/manage/<token>/meetings/request", methods=["POST"])
@public
@limiter.limit(LINK_LIMIT)
def visitor_request(token: str):
    registration = _registration_or_404(token)
    form = RequestForm()
    form.slot.choices = []
    if form.validate_on_submit():
        with user_action(_("Your meeting request was sent.")):
            starts_at = parse_slot(form.slot.data) or _refuse_bad_slot()
            if db.session.get(Company, form.other_id.data) is None:
                raise services.MeetingError(_("This exhibitor does not exhibit at the show."))
            services.request_meeting(
                registration.show,
                form.other_id.data,
                registration,
                starts_at,
                by=Party.visitor,
                message=form.message.data or "",
            )
    return redirect(url_for("matchmaking.visitor_meetings", token=token))


@bp.route(
    "/visit/manage/<token>/meetings/<int:meeting_id>/<any(accept, decline, propose, cancel):answer>",
    methods=["POST"],
)
@public
@limiter.limit(LINK_LIMIT)
def visitor_answer(token: str, meeting_id: int, answer: str):
    registration = _registration_or_404(token)
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.registration_id != registration.id:
        abort(404)
    _answer(meeting, Party.visitor, answer)
    return redirect(url_for("matchmaking.visitor_meetings", token=token))


# --- signed links in emails -----------------------------------------------------------------------


@bp.route("/meetings/link/<token>")
@public
@limiter.limit(LINK_LIMIT)
def link(token: str):
    found = services.meeting_for_token(token)
    if found is None or found[0].state is not MeetingState.requested:
        return render_template("matchmaking/link_invalid.html"), 404
    meeting, party = found
    return render_template(
        "matchmaking/link.html",
        meeting=meeting,
        party=party.value,
        token=token,
        action_form=ActionForm(),
        booths=reports.booths_of(meeting.show_id),
    )


@bp.route("/meetings/link/<token>/<any(accept, decline):answer>", methods=["POST"])
@public
@limiter.limit(LINK_LIMIT)
def link_answer(token: str, answer: str):
    found = services.meeting_for_token(token)
    if found is None or found[0].state is not MeetingState.requested:
        return render_template("matchmaking/link_invalid.html"), 404
    meeting, party = found
    if _answer(meeting, party, answer):
        return redirect(url_for("matchmaking.link_done"))
    return redirect(url_for("matchmaking.link", token=token))


@bp.route("/meetings/link/done")
@public
def link_done():
    return render_template("matchmaking/link_done.html")
