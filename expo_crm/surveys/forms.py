from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from expo_crm.surveys.models import CampaignAudience, QuestionKind


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token is posted."""


class SurveyForm(FlaskForm):
    title_zh = StringField(_l("Title (Chinese)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=200)])
    intro_zh = TextAreaField(_l("Introduction (Chinese)"), validators=[Length(max=2000)])
    intro_en = TextAreaField(_l("Introduction (English)"), validators=[Length(max=2000)])


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=QuestionKind.choices)
    text_zh = StringField(_l("Question (Chinese)"), validators=[DataRequired(), Length(max=500)])
    text_en = StringField(_l("Question (English)"), validators=[DataRequired(), Length(max=500)])
    options_zh = TextAreaField(_l("Options in Chinese, one per line (choice questions)"))
    options_en = TextAreaField(_l("Options in English, one per line, same order"))
    required = BooleanField(_l("An answer is required"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = QuestionKind.choices()


class CampaignForm(FlaskForm):
    survey_id = SelectField(_l("Survey"), coerce=int)
    show_id = SelectField(_l("Show"), coerce=int)
    audience = SelectField(_l("Send to"))
    closes_on = DateField(_l("Closes on"), validators=[DataRequired()])

    def __init__(self, *args, surveys=(), shows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.survey_id.choices = [(s.id, s.title) for s in surveys]
        self.show_id.choices = [(s.id, s.name) for s in shows]
        self.audience.choices = CampaignAudience.choices()
