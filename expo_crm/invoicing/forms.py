"""Invoicing forms, every one with CSRF (Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from expo_crm.invoicing.models import FapiaoKind


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class IssuerForm(FlaskForm):
    code = StringField(_l("Number prefix"), validators=[DataRequired(), Length(max=12)])
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=200)])
    tax_id = StringField(
        _l("Unified social credit code / tax id"), validators=[DataRequired(), Length(max=40)]
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    bank = StringField(_l("Bank"), validators=[Optional(), Length(max=200)])
    account = StringField(_l("Account number"), validators=[Optional(), Length(max=60)])
    tax_rate = DecimalField(
        _l("VAT rate included in amounts (0.06 = 6 %)"),
        places=4,
        validators=[Optional(), NumberRange(0, 0.99)],
    )


class InvoiceForm(FlaskForm):
    amount = DecimalField(
        _l("Amount (CNY), empty for everything not yet invoiced"),
        places=2,
        validators=[Optional(), NumberRange(min=0.01)],
    )
    due_on = DateField(_l("Due on"), validators=[Optional()])


class CreditForm(FlaskForm):
    reason = TextAreaField(_l("Why is it credited?"), validators=[DataRequired(), Length(max=2000)])


class FapiaoRequestForm(FlaskForm):
    contract_id = HiddenField()
    kind = SelectField(_l("Kind of fapiao"))
    title = StringField(_l("Invoice title (抬头)"), validators=[Length(max=200)])
    tax_id = StringField(_l("Tax id (税号)"), validators=[Length(max=40)])
    address = StringField(_l("Address"), validators=[Length(max=300)])
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    bank = StringField(_l("Bank"), validators=[Length(max=200)])
    account = StringField(_l("Account number"), validators=[Length(max=60)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = FapiaoKind.choices()


class FapiaoIssuedForm(FlaskForm):
    fapiao_number = StringField(_l("Fapiao number"), validators=[Length(max=40)])
    issued_on = DateField(_l("Issued on"), validators=[Optional()])
