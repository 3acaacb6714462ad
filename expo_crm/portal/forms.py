"""The exhibitor portal's forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from expo_crm.categories import services as category_services
from expo_crm.exhibitors.models import DeliverableKind
from expo_crm.relationships.models import ComplaintCategory


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=10, max=200)]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class SubmissionForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired()])
    content = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=4000)])

    def validate_kind(self, field):
        if field.data not in (
            DeliverableKind.catalogue_entry.value,
            DeliverableKind.fascia_name.value,
        ):
            raise ValidationError(_l("Unknown item."))


class StaffBadgeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    locale = SelectField(_l("Language"), choices=[("zh", "简体中文"), ("en", "English")])


class MessageForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=4000)])


class LeadForm(FlaskForm):
    code = StringField(_l("Badge code"), validators=[DataRequired(), Length(max=300)])
    rating = SelectField(
        _l("Rating"), coerce=int, choices=[(i, str(i)) for i in range(1, 6)], default=3
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class ComplaintForm(FlaskForm):
    category = SelectField(_l("Category"), validators=[DataRequired()])
    show_id = SelectField(_l("Show"), coerce=int, default=0)
    description = TextAreaField(
        _l("What went wrong?"), validators=[DataRequired(), Length(max=5000)]
    )

    def __init__(self, *args, shows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = ComplaintCategory.choices()
        self.show_id.choices = [(0, _l("No particular show"))] + [(s.id, s.name) for s in shows]


class OfferForm(FlaskForm):
    """What the exhibitor offers: categories of the organiser's tree and its products."""

    categories = SelectMultipleField(
        _l("Product categories you offer"),
        coerce=int,
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    products_offered = TextAreaField(
        _l("Your products (one per line)"), validators=[Optional(), Length(max=4000)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories.choices = category_services.choices()
