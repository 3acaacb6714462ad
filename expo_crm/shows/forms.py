from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError


class ShowForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=32),
            Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Letters, digits, - and _ only.")),
        ],
    )
    series = StringField(_l("Series"), validators=[DataRequired(), Length(max=64)])
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=200)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    timezone = StringField(_l("Time zone"), default="Asia/Shanghai", validators=[DataRequired()])
    move_in_date = DateField(_l("Move-in"), validators=[DataRequired()])
    move_in_opens = TimeField(_l("Move-in hours from"), validators=[Optional()])
    move_in_closes = TimeField(_l("Move-in hours until"), validators=[Optional()])
    open_from = DateField(_l("First open day"), validators=[DataRequired()])
    open_to = DateField(_l("Last open day"), validators=[DataRequired()])
    move_out_date = DateField(_l("Move-out"), validators=[DataRequired()])
    rebooking_deadline = DateField(_l("Rebooking deadline"), validators=[Optional()])
    reentry_allowed = BooleanField(_l("Re-entry allowed after exit"), default=True)
    registration_open = BooleanField(_l("Visitor registration open"), default=True)

    def validate_open_to(self, field):
        if self.open_from.data and field.data and field.data < self.open_from.data:
            raise ValidationError(_l("The last open day is before the first open day."))

    def validate_open_from(self, field):
        if self.move_in_date.data and field.data and field.data < self.move_in_date.data:
            raise ValidationError(_l("The open days start before move-in."))

    def validate_move_in_closes(self, field):
        if self.move_in_opens.data and field.data and field.data <= self.move_in_opens.data:
            raise ValidationError(_l("Move-in must open before it closes."))

    def validate_move_out_date(self, field):
        if self.open_to.data and field.data and field.data < self.open_to.data:
            raise ValidationError(_l("Move-out is before the last open day."))

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


class ReopenForSaleForm(FlaskForm):
    reason = TextAreaField(
        _l("Why reopen it for sale?"), validators=[DataRequired(), Length(max=2000)]
    )


class CloseForSaleForm(FlaskForm):
    """A button: CSRF only."""


class ChooseShowForm(FlaskForm):
    """The show picker in the menu: which edition the staff member works on."""

    show_id = IntegerField(_l("Show"), validators=[DataRequired()])
    next = StringField()


class BrandingForm(FlaskForm):
    colour = StringField(
        _l("Colour"),
        default="#0b5cad",
        validators=[DataRequired(), Length(max=7)],
        description=_l("Header and buttons of the public pages; dark enough for white text."),
    )
    logo = FileField(
        _l("Logo (PNG, JPEG, GIF, WebP or SVG, at most 512 KB)"),
        description=_l("Leave empty to keep the present logo."),
    )
    remove_logo = BooleanField(_l("Remove the logo"))
