"""Forms: public registration, self-service details, on-site desk, staff settings."""

from __future__ import annotations

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from expo_crm.categories import services as category_services
from expo_crm.visitors.models import (
    PRODUCT_INTERESTS,
    BuyingIntent,
    HowHeard,
    Industry,
    JobFunction,
    PurchasingAuthority,
    RegistrationCategory,
    RuleField,
)

COUNTRIES = (
    "CN",
    "HK",
    "MO",
    "TW",
    "JP",
    "KR",
    "SG",
    "MY",
    "TH",
    "VN",
    "ID",
    "IN",
    "AE",
    "TR",
    "RU",
    "DE",
    "IT",
    "FR",
    "GB",
    "ES",
    "PL",
    "US",
    "CA",
    "MX",
    "BR",
    "AU",
    "ZA",
    "EG",
    "NG",
)
MEETING_CONSENT = _l(
    "Exhibitors whose products match what I seek may contact me to arrange business meetings."
)
MOBILE_PATTERN = r"^\+?[0-9][0-9 \-]{5,22}$"


def country_choices() -> list[tuple[str, str]]:
    locale = get_locale() or Locale("zh")
    return [(code, Locale.parse(str(locale)).territories.get(code, code)) for code in COUNTRIES]


def _blank(choices) -> list[tuple[str, str]]:
    return [("", "—")] + list(choices)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DetailsForm(FlaskForm):
    name = StringField(
        _l("Full name"), validators=[DataRequired(_l("Please enter your name.")), Length(max=120)]
    )
    company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=120)])
    mobile = StringField(
        _l("Mobile"),
        validators=[
            Optional(),
            Regexp(MOBILE_PATTERN, message=_l("Please enter a valid mobile number.")),
        ],
    )
    country = SelectField(_l("Country or region"), default="CN")
    industry = SelectField(_l("Industry"), validators=[Optional()])
    job_function = SelectField(_l("Job function"), validators=[Optional()])
    purchasing_authority = SelectField(_l("Role in purchasing"), validators=[Optional()])
    product_interests = MultiCheckboxField(_l("Products of interest"), validators=[Optional()])
    sought_categories = MultiCheckboxField(
        _l("Product categories you seek"), coerce=int, validators=[Optional()]
    )
    products_sought = TextAreaField(
        _l("Products you are looking for"), validators=[Optional(), Length(max=2000)]
    )
    buying_intent = SelectField(_l("Buying intent"), validators=[Optional()])
    how_heard = SelectField(_l("How did you hear about the show?"), validators=[Optional()])
    locale = SelectField(
        _l("Language for emails"), choices=[("zh", "简体中文"), ("en", "English")], default="zh"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()
        self.industry.choices = _blank(Industry.choices())
        self.job_function.choices = _blank(JobFunction.choices())
        self.purchasing_authority.choices = _blank(PurchasingAuthority.choices())
        self.how_heard.choices = _blank(HowHeard.choices())
        self.product_interests.choices = [(k, str(v)) for k, v in PRODUCT_INTERESTS.items()]
        self.sought_categories.choices = category_services.choices()
        self.buying_intent.choices = _blank(BuyingIntent.choices())

    def details(self) -> dict:
        return {
            "name": self.name.data,
            "company": self.company.data or "",
            "job_title": self.job_title.data or "",
            "mobile": self.mobile.data or "",
            "country": self.country.data,
            "industry": self.industry.data or None,
            "job_function": self.job_function.data or None,
            "purchasing_authority": self.purchasing_authority.data or None,
            "product_interests": self.product_interests.data or [],
            "how_heard": self.how_heard.data or None,
            "buying_intent": self.buying_intent.data or None,
            "products_sought": self.products_sought.data or "",
            "sought_categories": self.sought_categories.data or [],
            "locale": self.locale.data,
        }


class RegistrationForm(DetailsForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Please enter a valid email address.")),
            Email(_l("Please enter a valid email address.")),
            Length(max=254),
        ],
    )
    terms = BooleanField(
        _l("I accept the terms of registration and the privacy notice."),
        validators=[
            DataRequired(_l("Please accept the terms of registration.")),
        ],
    )
    share_contact = BooleanField(_l("Exhibitors who scan my badge may receive my contact details."))
    marketing_consent = BooleanField(_l("Send me news and invitations to future shows."))
    meeting_consent = BooleanField(MEETING_CONSENT)


class ConsentForm(FlaskForm):
    share_contact = BooleanField(_l("Exhibitors who scan my badge may receive my contact details."))
    marketing_consent = BooleanField(_l("Send me news and invitations to future shows."))
    meeting_consent = BooleanField(MEETING_CONSENT)


class DeskForm(DetailsForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Please enter a valid email address.")),
            Email(_l("Please enter a valid email address.")),
        ],
    )
    category = SelectField(_l("Category"), validators=[Optional()])
    share_contact = BooleanField(_l("Exhibitors who scan my badge may receive my contact details."))
    marketing_consent = BooleanField(_l("Send me news and invitations to future shows."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [
            ("", _l("By the classification rules"))
        ] + RegistrationCategory.choices()


class RuleForm(FlaskForm):
    condition = SelectField(_l("Condition"), validators=[DataRequired()])
    category = SelectField(_l("Category"), choices=[], validators=[DataRequired()])
    position = IntegerField(_l("Priority"), default=100, validators=[NumberRange(min=0, max=10000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        enums = {
            "job_function": JobFunction,
            "purchasing_authority": PurchasingAuthority,
            "industry": Industry,
        }
        self.condition.choices = [
            (f"{field.value}:{member.value}", f"{field.label}: {member.label}")
            for field in RuleField
            for member in enums[field.value]
        ]
        self.category.choices = [
            (c.value, c.label)
            for c in (RegistrationCategory.professional, RegistrationCategory.general)
        ]


class DeviceForm(FlaskForm):
    name = StringField(_l("Device name"), validators=[DataRequired(), Length(max=120)])


class EmptyForm(FlaskForm):
    """CSRF only (buttons that post)."""


class ImportForm(FlaskForm):
    file = FileField(
        _l("File (xlsx or csv)"),
        validators=[
            FileRequired(),
            FileAllowed(["xlsx", "csv"], _l("Only xlsx or csv files.")),
        ],
    )
