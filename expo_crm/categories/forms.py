from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from expo_crm.categories import services


class CategoryForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    name_zh = StringField(_l("Chinese name"), validators=[Optional(), Length(max=120)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=120)])
    parent_id = SelectField(_l("Parent category"), coerce=int, validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_id.choices = [(0, "—")] + services.choices()


class CategoryImportForm(FlaskForm):
    file = FileField(
        _l("File (xlsx or csv)"),
        validators=[FileRequired(), FileAllowed(["xlsx", "csv"], _l("Only xlsx or csv files."))],
    )
