"""Forms of the public application, the drawn hall plan and the rebooking settings."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from expo_crm.exhibitors.models import BoothType


class PublicApplicationForm(FlaskForm):
    name_zh = StringField(_l("Company name (Chinese)"), validators=[Optional(), Length(max=200)])
    name_en = StringField(_l("Company name (English)"), validators=[Optional(), Length(max=200)])
    country = SelectField(
        _l("Country"), choices=[("CN", _l("China")), ("XX", _l("Other country"))], default="CN"
    )
    tax_id = StringField(
        _l("Unified social credit code (统一社会信用代码) or tax id"),
        validators=[Optional(), Length(max=40)],
    )
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=120)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    locale = SelectField(
        _l("Language for our emails"), choices=[("zh", "中文"), ("en", "English")], default="zh"
    )
    booth_type = SelectField(_l("Booth type"), default="shell_scheme")
    requested_area_m2 = StringField(_l("Area wanted (m²)"), validators=[Optional(), Length(max=12)])
    preferred_hall = StringField(_l("Preferred hall"), validators=[Optional(), Length(max=20)])
    product_categories = StringField(
        _l("Product categories (comma-separated)"), validators=[Optional(), Length(max=500)]
    )
    notes = TextAreaField(
        _l("Anything else we should know"), validators=[Optional(), Length(max=4000)]
    )
    business_licence = FileField(_l("Business licence (营业执照), PDF/JPG/PNG"))
    product_brochure = FileField(_l("Product brochure (optional), PDF/JPG/PNG"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.booth_type.choices = BoothType.choices()


class OutlineForm(FlaskForm):
    hall = StringField(_l("Hall"), validators=[DataRequired(), Length(max=20)])
    points = StringField(
        _l("Outline points (x,y in metres)"), validators=[DataRequired(), Length(max=4000)]
    )


class DrawBoothForm(FlaskForm):
    hall = StringField(_l("Hall"), validators=[DataRequired(), Length(max=20)])
    number = StringField(_l("Booth number"), validators=[DataRequired(), Length(max=20)])
    x = DecimalField("x (m)", validators=[InputRequired()])
    y = DecimalField("y (m)", validators=[InputRequired()])
    width = DecimalField(_l("Width (m)"), validators=[Optional()])
    depth = DecimalField(_l("Depth (m)"), validators=[Optional()])
    rotation = IntegerField(
        _l("Rotation (°)"), default=0, validators=[Optional(), NumberRange(0, 359)]
    )
    booth_type = SelectField(_l("Type"))
    price_per_m2 = DecimalField(
        _l("Price per m² (CNY)"), default=0, validators=[Optional(), NumberRange(min=0)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.booth_type.choices = BoothType.choices()


class PlaceBoothForm(FlaskForm):
    x = DecimalField("x (m)", validators=[InputRequired()])
    y = DecimalField("y (m)", validators=[InputRequired()])
    width = DecimalField(_l("Width (m)"), validators=[Optional()])
    depth = DecimalField(_l("Depth (m)"), validators=[Optional()])
    rotation = IntegerField(
        _l("Rotation (°)"), default=0, validators=[Optional(), NumberRange(0, 359)]
    )


class RenumberForm(FlaskForm):
    number = StringField(_l("New number"), validators=[DataRequired(), Length(max=20)])


class SellForm(FlaskForm):
    application_id = SelectField(_l("Approved application"), coerce=int)


class PlanImportForm(FlaskForm):
    file = FileField(_l("Excel or CSV file"))


class RebookingPlanForm(FlaskForm):
    starts_at = DateTimeLocalField(
        _l("First window opens (show's time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    window_hours = IntegerField(
        _l("Window length (hours)"), default=24, validators=[DataRequired(), NumberRange(1, 2000)]
    )
    companies_per_window = IntegerField(
        _l("Companies per window"), default=10, validators=[DataRequired(), NumberRange(1, 10000)]
    )
    hold_minutes = IntegerField(
        _l("A pick holds the booth for (minutes)"),
        default=30,
        validators=[DataRequired(), NumberRange(1, 10080)],
    )


class PickForm(FlaskForm):
    booth_id = HiddenField(validators=[DataRequired()])
