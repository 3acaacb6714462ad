from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from expo_crm.relationships.models import (
    Channel,
    ComplaintCategory,
    Direction,
    Severity,
    Tone,
    Verdict,
)
from expo_crm.subjects import SubjectKind

STAFF_CHANNELS = ("phone", "face_to_face", "email", "letter", "portal", "event")


class InteractionForm(FlaskForm):
    channel = SelectField(_l("Channel"), validators=[DataRequired()])
    direction = SelectField(_l("Direction"), validators=[DataRequired()])
    occurred_at = DateTimeLocalField(_l("When"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    tone = SelectField(_l("Tone of the contact"), default="neutral", validators=[DataRequired()])
    show_id = SelectField(_l("Show"), coerce=int, default=0)
    next_step = StringField(_l("Next step"), validators=[Optional(), Length(max=200)])
    next_step_due = DateField(_l("Next step due"), validators=[Optional()])

    def __init__(self, *args, shows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.channel.choices = [(c, Channel(c).label) for c in STAFF_CHANNELS]
        self.direction.choices = Direction.choices()
        self.tone.choices = Tone.choices()
        self.show_id.choices = [(0, _l("No particular show"))] + [(s.id, s.name) for s in shows]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.next_step_due.data and not (self.next_step.data or "").strip():
            self.next_step.errors.append(_l("Say what the next step is."))
            ok = False
        return ok


class ComplaintForm(FlaskForm):
    kind = SelectField(_l("Customer kind"), validators=[DataRequired()])
    # The customer picker fills this number (and the kind) from a search by name.
    subject_id = StringField(
        _l("Customer number"),
        validators=[DataRequired(), Length(max=12)],
        render_kw={"data-customer-picker": "kind", "inputmode": "numeric"},
    )
    category = SelectField(_l("Category"), validators=[DataRequired()])
    severity = SelectField(_l("Severity"), default="medium", validators=[DataRequired()])
    show_id = SelectField(_l("Show"), coerce=int, default=0)
    description = TextAreaField(
        _l("What is the complaint?"), validators=[DataRequired(), Length(max=5000)]
    )

    def __init__(self, *args, shows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = SubjectKind.choices()
        self.category.choices = ComplaintCategory.choices()
        self.severity.choices = Severity.choices()
        self.show_id.choices = [(0, _l("No particular show"))] + [(s.id, s.name) for s in shows]


class ResolveForm(FlaskForm):
    resolution = TextAreaField(_l("Resolution"), validators=[DataRequired(), Length(max=5000)])


class VerdictForm(FlaskForm):
    verdict = SelectField(
        _l("The customer's verdict on the resolution"), validators=[DataRequired()]
    )
    verdict_note = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.verdict.choices = Verdict.choices()


def _reason_choices(reasons) -> list:
    return [(0, _l("Choose a reason"))] + [(r.id, r.label) for r in reasons]


class DeclineForm(FlaskForm):
    reason_id = SelectField(_l("Why?"), coerce=int, default=0)
    note = TextAreaField(
        _l("What did the customer say?"), validators=[DataRequired(), Length(max=2000)]
    )

    def __init__(self, *args, reasons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.reason_id.choices = _reason_choices(reasons)


class AlertCloseForm(FlaskForm):
    outcome = TextAreaField(
        _l("Outcome of the follow-up"), validators=[DataRequired(), Length(max=2000)]
    )
    reason_id = SelectField(_l("Why the customer left"), coerce=int, default=0)

    def __init__(self, *args, reasons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.reason_id.choices = _reason_choices(reasons)


class ChurnReasonForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    label_zh = StringField(_l("Label in Chinese"), validators=[DataRequired(), Length(max=120)])
    label_en = StringField(_l("Label in English"), validators=[DataRequired(), Length(max=120)])
    position = IntegerField(_l("Position"), default=0, validators=[Optional()])
    active = BooleanField(_l("In use"), default=True)


class EmptyForm(FlaskForm):
    """CSRF only (buttons that change state)."""


class SettingsForm(FlaskForm):
    """One text field per setting, built from relationships.settings.SETTINGS."""

    @classmethod
    def build(cls, values: dict, formdata=None):
        from expo_crm.relationships.settings import SETTINGS

        class _Form(cls):
            pass

        for setting in SETTINGS:
            setattr(
                _Form,
                setting.key,
                StringField(setting.label, validators=[Optional(), Length(max=32)]),
            )
        data = {key: ("" if value is None else str(value)) for key, value in values.items()}
        return _Form(formdata=formdata, data=data) if formdata is not None else _Form(data=data)
