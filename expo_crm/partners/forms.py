from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from expo_crm.partners.models import AgreementState, DeliverableKind, PartnerKind

LANGUAGES = [("zh", "中文"), ("en", "English")]


def _int_or_none(value):
    return int(value) if value not in (None, "", "0", 0) else None


class PartnerForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[Optional(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=PartnerKind.choices)
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=120)])
    email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    locale = SelectField(_l("Language"), choices=LANGUAGES)
    website = StringField(_l("Website"), validators=[Optional(), Length(max=200)])
    owner_id = SelectField(_l("Owner"), coerce=_int_or_none, validate_choice=False)
    notes = TextAreaField(_l("Notes"), validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)

    def values(self) -> dict:
        return {
            f: getattr(self, f).data
            for f in (
                "name_zh",
                "name_en",
                "kind",
                "contact_name",
                "email",
                "phone",
                "locale",
                "website",
                "owner_id",
                "notes",
                "active",
            )
        } | {
            "name_zh": self.name_zh.data or "",
            "name_en": self.name_en.data or "",
            "email": self.email.data or "",
            "contact_name": self.contact_name.data or "",
            "phone": self.phone.data or "",
            "website": self.website.data or "",
            "notes": self.notes.data or "",
        }


class AgreementForm(FlaskForm):
    show_id = SelectField(_l("Show"), coerce=int, validate_choice=False)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    state = SelectField(_l("State"), choices=AgreementState.choices, default="active")
    notes = TextAreaField(_l("Notes"), validators=[Optional()])


class DeliverableForm(FlaskForm):
    kind = SelectField(_l("Deliverable"), choices=DeliverableKind.choices)
    description = StringField(_l("Description"), validators=[Optional(), Length(max=300)])
    due_date = DateField(
        _l("Due date"), validators=[DataRequired(message=_l("Give the deliverable's due date."))]
    )


class StateForm(FlaskForm):
    state = HiddenField(validators=[DataRequired()])


class ReferralCodeForm(FlaskForm):
    show_id = SelectField(_l("Show"), coerce=int, validate_choice=False)
    code = StringField(
        _l("Code (empty: a random one)"),
        validators=[
            Optional(),
            Length(max=32),
            Regexp(r"^[A-Za-z0-9-]*$", message=_l("Letters, digits and hyphens only.")),
        ],
    )
    label = StringField(_l("Label"), validators=[Optional(), Length(max=120)])


class PackageForm(FlaskForm):
    show_id = SelectField(_l("Show"), coerce=int, validate_choice=False)
    level_zh = StringField(_l("Level (Chinese)"), validators=[Optional(), Length(max=120)])
    level_en = StringField(_l("Level (English)"), validators=[Optional(), Length(max=120)])
    price = DecimalField(
        _l("Price (CNY)"), places=2, validators=[DataRequired(), NumberRange(min=0)]
    )
    total = IntegerField(
        _l("Number offered"), validators=[DataRequired(), NumberRange(min=1, max=1000)]
    )
    benefits = TextAreaField(_l("Benefits"), validators=[Optional()])


class SellForm(FlaskForm):
    partner_id = SelectField(_l("Partner"), coerce=int, validate_choice=False)


class SendReportForm(FlaskForm):
    to = StringField(_l("Send to"), validators=[DataRequired(), Email(), Length(max=254)])
