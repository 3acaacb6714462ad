from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from expo_crm.exhibitors.models import (
    ApplicationState,
    BoothType,
    CompanySize,
    PaymentMethod,
)


def _blank(choices):
    return [("", "—")] + list(choices)


class CompanyForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[Optional(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    tax_id = StringField(
        _l("Unified social credit code / tax id"), validators=[Optional(), Length(max=40)]
    )
    country = StringField(
        _l("Country (ISO code)"), default="CN", validators=[DataRequired(), Length(min=2, max=2)]
    )
    province = StringField(_l("Province"), validators=[Optional(), Length(max=80)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=80)])
    industry = StringField(_l("Industry"), validators=[Optional(), Length(max=120)])
    product_categories = StringField(
        _l("Product categories (comma-separated)"), validators=[Optional(), Length(max=500)]
    )
    size = SelectField(_l("Size"), validators=[Optional()])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)])
    established_on = DateField(_l("Established on"), validators=[Optional()])
    owner_id = SelectField(
        _l("Owner"), coerce=lambda v: int(v) if v else None, validators=[Optional()]
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])
    # Set when the user has seen the duplicate warning and still wants a new record.
    confirm_new = HiddenField(default="")

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.size.choices = _blank(CompanySize.choices())
        self.owner_id.choices = [("", "—")] + [(u.id, u.name) for u in owners]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.name_zh.data or "").strip() and not (self.name_en.data or "").strip():
            self.name_zh.errors = list(self.name_zh.errors) + [
                _l("Give a Chinese or an English name.")
            ]
            ok = False
        return ok

    def values(self) -> dict:
        data = {
            k: f.data for k, f in self._fields.items() if k not in ("csrf_token", "confirm_new")
        }
        data["size"] = data["size"] or None
        data["tax_id"] = data["tax_id"] or None
        return data


class ContactForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    title = StringField(_l("Job title"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    locale = SelectField(_l("Language"), choices=[("zh", "简体中文"), ("en", "English")])
    is_primary = BooleanField(_l("Primary contact"))


class ApplicationForm(FlaskForm):
    show_id = SelectField(_l("Show"), coerce=int, validators=[DataRequired()])
    requested_area_m2 = DecimalField(
        _l("Requested area (m²)"),
        places=2,
        validators=[DataRequired(), NumberRange(min=1, max=10000)],
    )
    booth_type = SelectField(_l("Booth type"), validators=[DataRequired()])
    preferred_hall = StringField(_l("Preferred hall"), validators=[Optional(), Length(max=20)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])

    def __init__(self, *args, shows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.show_id.choices = [(s.id, s.name) for s in shows]
        self.booth_type.choices = BoothType.choices()


class MoveApplicationForm(FlaskForm):
    state = SelectField(_l("New state"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = [(s.value, s.label) for s in allowed] or ApplicationState.choices()


class BoothForm(FlaskForm):
    hall = StringField(_l("Hall"), validators=[DataRequired(), Length(max=20)])
    number = StringField(_l("Booth number"), validators=[DataRequired(), Length(max=20)])
    area_m2 = DecimalField(
        _l("Area (m²)"), places=2, validators=[DataRequired(), NumberRange(min=1, max=10000)]
    )
    booth_type = SelectField(_l("Booth type"), validators=[DataRequired()])
    price_per_m2 = DecimalField(
        _l("Price per m² (CNY)"), places=2, validators=[DataRequired(), NumberRange(min=0)]
    )
    corner = BooleanField(_l("Corner booth"))
    island = BooleanField(_l("Island booth"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.booth_type.choices = BoothType.choices()


class AssignBoothForm(FlaskForm):
    booth_id = SelectField(_l("Booth"), coerce=int, validators=[DataRequired()])


class SimpleActionForm(FlaskForm):
    """A button that posts (sign, cancel, release, invite): only the CSRF token."""


class ContractForm(FlaskForm):
    discount = DecimalField(
        _l("Discount (CNY)"), places=2, default=0, validators=[Optional(), NumberRange(min=0)]
    )
    deposit_due = DateField(_l("Deposit due"), validators=[Optional()])
    balance_due = DateField(_l("Balance due"), validators=[Optional()])


class BadgeQuotaForm(FlaskForm):
    badge_quota = IntegerField(
        _l("Staff badge quota (empty: one per 9 m²)"),
        validators=[Optional(), NumberRange(min=0, max=500)],
    )


class PaymentForm(FlaskForm):
    amount = DecimalField(
        _l("Amount (CNY)"), places=2, validators=[DataRequired(), NumberRange(min=0.01)]
    )
    paid_on = DateField(_l("Paid on"), validators=[DataRequired()])
    method = SelectField(_l("Method"))
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=120)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = PaymentMethod.choices()


class ImportForm(FlaskForm):
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"))


class ConfirmImportForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
