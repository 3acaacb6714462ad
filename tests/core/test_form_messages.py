"""WTForms' own messages (a required field left empty, a number that is not one, a choice not
offered) are written in the reader's language, Chinese on a Chinese page."""

from flask_babel import refresh
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField
from wtforms.validators import NumberRange

from expo_crm.exhibitors.models import Application, ApplicationState
from tests.factories import create_application, create_staff
from tests.factories.core import PASSWORD
from tests.helpers import login, post_form, text_of


def test_an_empty_required_field_on_a_chinese_page_is_refused_in_chinese(app, client):
    user = create_staff("sales", locale="zh")
    login(client, user.email, PASSWORD)
    application = create_application()
    url = f"/exhibitors/applications/{application.id}"
    response = post_form(client, f"{url}/state", {"state": "approved", "reason": ""}, page=url)
    assert response.status_code == 400
    page = text_of(response)
    assert "该字段是必填字段。" in page and "This field is required." not in page
    assert app.extensions["sqlalchemy"].session.get(Application, application.id).state is (
        ApplicationState.submitted
    )


class _Form(FlaskForm):
    class Meta:
        csrf = False

    booths = IntegerField(validators=[NumberRange(min=1)])
    halls = SelectMultipleField(choices=[("W1", "W1"), ("W2", "W2")])


def _errors(app, language: str, data: dict) -> dict:
    with app.test_request_context(
        "/", method="POST", data=data, headers={"Accept-Language": language}
    ):
        refresh()  # the test's app context outlives the request: forget the last one's language
        app.preprocess_request()  # what every request runs before its view
        form = _Form()
        form.validate()
        return form.errors


def test_messages_wtforms_lacks_in_chinese_are_ours_and_english_stays_english(app):
    data = {"booths": "0", "halls": ["W9"]}
    chinese = _errors(app, "zh-CN", data)
    assert chinese == {
        "booths": ["数值不能小于1。"],
        "halls": ["“W9”不是此字段的有效选项。"],
    }
    assert _errors(app, "zh-CN", {"booths": "十"})["booths"][0] == "不是有效的整数。"
    english = _errors(app, "en", data)
    assert english == {
        "booths": ["Number must be at least 1."],
        "halls": ["'W9' is not a valid choice for this field."],
    }
