from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from expo_crm.surveys.models import (
    CampaignAudience,
    QuestionKind,
    QuestionRole,
    SatisfactionLevel,
    SurveyQuestion,
)


class _AnalysisFields:
    """Role, pair and level: how the analysis reads a question."""

    def _fill_analysis_choices(self, survey) -> None:
        self.role.choices = QuestionRole.choices()
        self.level.choices = [("", _l("No level"))] + SatisfactionLevel.choices()
        self.pairs_with_id.choices = [(0, _l("Not paired"))] + [
            (q.id, f"{n}. {q.text}")
            for n, q in enumerate(survey.questions, start=1)
            if q.kind is QuestionKind.rating and q.role is QuestionRole.performance
        ]

    def pairs_with(self, survey) -> SurveyQuestion | None:
        return next((q for q in survey.questions if q.id == self.pairs_with_id.data), None)


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token is posted."""


class SurveyForm(FlaskForm):
    title_zh = StringField(_l("Title (Chinese)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=200)])
    intro_zh = TextAreaField(_l("Introduction (Chinese)"), validators=[Length(max=2000)])
    intro_en = TextAreaField(_l("Introduction (English)"), validators=[Length(max=2000)])


class QuestionForm(_AnalysisFields, FlaskForm):
    kind = SelectField(_l("Kind"), choices=QuestionKind.choices)
    text_zh = StringField(_l("Question (Chinese)"), validators=[DataRequired(), Length(max=500)])
    text_en = StringField(_l("Question (English)"), validators=[DataRequired(), Length(max=500)])
    options_zh = TextAreaField(_l("Options in Chinese, one per line (choice questions)"))
    options_en = TextAreaField(_l("Options in English, one per line, same order"))
    required = BooleanField(_l("An answer is required"), default=True)
    role = SelectField(_l("Measures (rating questions)"), default=QuestionRole.performance.value)
    pairs_with_id = SelectField(
        _l("Paired with (expectation and importance questions)"), coerce=int, default=0
    )
    level = SelectField(_l("Satisfaction level"), default="")

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = QuestionKind.choices()
        self._fill_analysis_choices(survey)


class QuestionPropertiesForm(_AnalysisFields, FlaskForm):
    role = SelectField(_l("Measures"))
    pairs_with_id = SelectField(_l("Paired with"), coerce=int)
    level = SelectField(_l("Satisfaction level"))

    def __init__(self, *args, survey, question=None, **kwargs):
        if question is not None:
            kwargs.setdefault("role", question.role.value)
            kwargs.setdefault("pairs_with_id", question.pairs_with_id or 0)
            kwargs.setdefault("level", question.level.value if question.level else "")
        super().__init__(*args, **kwargs)
        self._fill_analysis_choices(survey)


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
