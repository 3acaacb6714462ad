"""Forms of matchmaking: requests, answers, hours, capacity, hosted buyers."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from expo_crm.i18n import localtime
from expo_crm.shows.models import Show


def slot_choices(show: Show, starts: list[datetime]) -> list[tuple[str, str]]:
    return [(s.isoformat(), localtime(s, show.timezone, "EEE, d MMM y HH:mm")) for s in starts]


def parse_slot(value: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class RequestForm(FlaskForm):
    """Ask for a meeting: with whom (an id of the other side), when, and a few words."""

    other_id = IntegerField(validators=[DataRequired()])
    slot = SelectField(_l("Time slot"), validate_choice=False, validators=[DataRequired()])
    message = TextAreaField(_l("Message (optional)"), validators=[Optional(), Length(max=2000)])


class ProposeForm(FlaskForm):
    slot = SelectField(_l("Another time slot"), validate_choice=False, validators=[DataRequired()])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class CapacityForm(FlaskForm):
    capacity = IntegerField(
        _l("Meetings at the booth at once"),
        default=1,
        validators=[DataRequired(), NumberRange(min=1, max=50)],
    )


class HoursForm(FlaskForm):
    opens = TimeField(_l("Meetings from"), validators=[DataRequired()])
    closes = TimeField(_l("Meetings until"), validators=[DataRequired()])
    slot_minutes = IntegerField(
        _l("Slot length (minutes)"), validators=[DataRequired(), NumberRange(min=10, max=240)]
    )


class HostedInviteForm(FlaskForm):
    email = EmailField(
        _l("Email of the registered visitor"),
        validators=[DataRequired(), Email(_l("Please enter a valid email address."))],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class HostedScheduleForm(FlaskForm):
    visitor_id = SelectField(_l("Hosted buyer"), coerce=int, validators=[DataRequired()])
    company_id = SelectField(_l("Exhibitor"), coerce=int, validators=[DataRequired()])
    slot = SelectField(_l("Time slot"), validate_choice=False, validators=[DataRequired()])
