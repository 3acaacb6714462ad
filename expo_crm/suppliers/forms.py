from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
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
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from expo_crm.suppliers.models import DocumentKind, SupplierCategory

LANGUAGES = [("zh", "中文"), ("en", "English")]
RATINGS = [(n, str(n)) for n in range(1, 6)]


def _int_or_none(value):
    return int(value) if value not in (None, "", "0", 0) else None


class SupplierForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[Optional(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    category = SelectField(_l("Category"), choices=SupplierCategory.choices)
    email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    locale = SelectField(_l("Language"), choices=LANGUAGES)
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    owner_id = SelectField(_l("Owner"), coerce=_int_or_none, validate_choice=False)
    notes = TextAreaField(_l("Notes"), validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)

    def values(self) -> dict:
        return {
            "name_zh": self.name_zh.data or "",
            "name_en": self.name_en.data or "",
            "category": self.category.data,
            "email": (self.email.data or "").strip().lower(),
            "phone": self.phone.data or "",
            "locale": self.locale.data,
            "address": self.address.data or "",
            "owner_id": self.owner_id.data,
            "notes": self.notes.data or "",
            "active": self.active.data,
        }


class ContactForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=120)])
    email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])


class DocumentForm(FlaskForm):
    kind = SelectField(_l("Document"), choices=DocumentKind.choices)
    number = StringField(_l("Number"), validators=[Optional(), Length(max=120)])
    expires_on = DateField(
        _l("Expires on"), validators=[DataRequired(message=_l("Give the document's expiry date."))]
    )
    file = FileField(_l("File (PDF, PNG or JPEG, at most 10 MB)"))


class CatalogueItemForm(FlaskForm):
    supplier_id = SelectField(_l("Supplier"), coerce=int, validate_choice=False)
    name_zh = StringField(_l("Item (Chinese)"), validators=[Optional(), Length(max=200)])
    name_en = StringField(_l("Item (English)"), validators=[Optional(), Length(max=200)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])
    price = DecimalField(
        _l("Price (CNY)"), places=2, validators=[DataRequired(), NumberRange(min=0)]
    )
    order_deadline = DateField(_l("Order deadline"), validators=[DataRequired()])
    late_surcharge_pct = DecimalField(
        _l("Late surcharge (per cent)"),
        places=2,
        default=0,
        validators=[Optional(), NumberRange(min=0, max=200)],
    )
    late_orders_allowed = BooleanField(_l("Accept late orders (with the surcharge)"), default=True)
    active = BooleanField(_l("Can be ordered"), default=True)

    def values(self) -> dict:
        return {
            "supplier_id": self.supplier_id.data,
            "name_zh": self.name_zh.data or "",
            "name_en": self.name_en.data or "",
            "unit": self.unit.data or "",
            "price": self.price.data,
            "order_deadline": self.order_deadline.data,
            "late_surcharge_pct": self.late_surcharge_pct.data or 0,
            "late_orders_allowed": self.late_orders_allowed.data,
            "active": self.active.data,
        }


class OrderForm(FlaskForm):
    """An order: first sent to see the price, then again with confirm=1 to place it."""

    quantity = IntegerField(
        _l("Quantity"), default=1, validators=[DataRequired(), NumberRange(min=1, max=10000)]
    )
    notes = TextAreaField(_l("Notes for the supplier"), validators=[Optional(), Length(max=1000)])
    accepted_amount = HiddenField()
    confirm = HiddenField()


class StaffOrderForm(OrderForm):
    company_id = SelectField(_l("Exhibitor"), coerce=int, validate_choice=False)
    item_id = SelectField(_l("Service"), coerce=int, validate_choice=False)


class OrderStateForm(FlaskForm):
    state = HiddenField(validators=[DataRequired()])


class EvaluationForm(FlaskForm):
    quality = SelectField(_l("Quality"), choices=RATINGS, coerce=int, default=3)
    punctuality = SelectField(_l("Punctuality"), choices=RATINGS, coerce=int, default=3)
    price = SelectField(_l("Price"), choices=RATINGS, coerce=int, default=3)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
