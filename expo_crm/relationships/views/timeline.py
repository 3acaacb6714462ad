"""One timeline per customer: where we left off, every contact, and a form to log the next one."""

from __future__ import annotations

from datetime import datetime

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm import clock
from expo_crm.actions import user_action
from expo_crm.auth.permissions import requires
from expo_crm.db import db
from expo_crm.relationships import services, stages
from expo_crm.relationships.forms import EmptyForm, InteractionForm
from expo_crm.relationships.models import Interaction
from expo_crm.relationships.subjects import display_name, get_subject_or_404
from expo_crm.relationships.views import bp
from expo_crm.shows.services import list_shows


def _local(value: datetime | None) -> datetime:
    """A naive local time from the form, read in the staff's zone (the shows' zone, Asia/Shanghai)."""
    from zoneinfo import ZoneInfo

    if value is None:
        return clock.now()
    return value.replace(tzinfo=ZoneInfo("Asia/Shanghai"))


@bp.route("/<kind>/<int:subject_id>", methods=["GET", "POST"])
@requires("relationships.view")
def timeline(kind: str, subject_id: int):
    kind_enum, subject = get_subject_or_404(kind, subject_id)
    form = InteractionForm(shows=list_shows())
    if form.validate_on_submit():
        if not current_user.can("relationships.manage"):
            abort(403)
        with user_action(_("Contact logged.")) as action:
            services.log_interaction(
                kind_enum,
                subject.id,
                channel=form.channel.data,
                direction=form.direction.data,
                subject=form.subject.data.strip(),
                notes=(form.notes.data or "").strip(),
                tone=form.tone.data,
                next_step=(form.next_step.data or "").strip(),
                next_step_due=form.next_step_due.data,
                show_id=form.show_id.data or None,
                staff_id=current_user.id,
                occurred_at=_local(form.occurred_at.data),
            )
        if action.done:
            return redirect(
                url_for("relationships.timeline", kind=kind_enum.value, subject_id=subject.id)
            )
    last, open_step = services.where_we_left_off(kind_enum, subject.id)
    return render_template(
        "relationships/timeline.html",
        kind=kind_enum,
        subject=subject,
        name=display_name(subject),
        form=form,
        entries=services.timeline(kind_enum, subject.id),
        last=last,
        open_step=open_step,
        state=stages.state_of(kind_enum, subject.id)
        if kind_enum in stages.LIFECYCLE_KINDS
        else None,
        done_form=EmptyForm(),
        today=clock.now().date(),
    )


@bp.route("/interactions/<int:interaction_id>/done", methods=["POST"])
@requires("relationships.manage")
def next_step_done(interaction_id: int):
    interaction = db.get_or_404(Interaction, interaction_id)
    if EmptyForm().validate_on_submit():
        with user_action(_("Next step marked done.")):
            services.mark_next_step_done(interaction)
    return redirect(
        url_for(
            "relationships.timeline",
            kind=interaction.subject_kind.value,
            subject_id=interaction.subject_id,
        )
    )
