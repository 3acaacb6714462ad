from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token is posted."""


ANCHOR_CHOICES = [
    ("move_in_date", _l("Move-in")),
    ("open_from", _l("First open day")),
    ("open_to", _l("Last open day")),
    ("move_out_date", _l("Move-out")),
]


class PlanStepForm(FlaskForm):
    anchor = SelectField(_l("Anchor date"), choices=ANCHOR_CHOICES)
    offset_days = IntegerField(
        _l("Offset in days (negative = before)"), validators=[InputRequired()]
    )
    hour = IntegerField(_l("Local hour"), validators=[InputRequired(), NumberRange(0, 23)])
    enabled = BooleanField(_l("Enabled"))
    # Offered only for actions that sort their audience by target; checked by the service.
    target = SelectField(
        _l("Who of the audience"),
        choices=[],
        validate_choice=False,
        description=_l("A value class or tier of the pyramid; blank: the whole audience."),
    )
