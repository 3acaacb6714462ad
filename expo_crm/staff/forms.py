from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from expo_crm.auth.permissions import Role

LANGUAGES = [("zh", "中文"), ("en", "English")]


class StaffCreateForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = StringField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=Role.choices)
    locale = SelectField(_l("Language"), choices=LANGUAGES)
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=200)])


class StaffEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=Role.choices)
    locale = SelectField(_l("Language"), choices=LANGUAGES)


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])


class ActiveForm(FlaskForm):
    active = HiddenField(validators=[DataRequired()])


class UnlockForm(FlaskForm):
    """Forget an account's failed sign-ins (a button, CSRF only)."""


class TaskForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    owner_id = SelectField(_l("Owner"), coerce=int, validate_choice=False)
    due_date = DateField(_l("Due date"), validators=[Optional()])


class CompleteTaskForm(FlaskForm):
    outcome = TextAreaField(
        _l("Outcome"),
        validators=[DataRequired(message=_l("Write down the outcome.")), Length(max=4000)],
    )
    action = HiddenField(default="done")
