"""Text the system writes is stored as an event kind with parameters and read in the reader's
language; what a person typed is read as typed."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import force_locale

from expo_crm import events
from expo_crm.db import db
from expo_crm.relationships.models import Complaint, Interaction
from expo_crm.tasks.models import Task
from tests.factories import create_interaction, create_system_text_world


def _in(language: str, fn):
    with force_locale(language):
        return fn()


def test_an_event_renders_in_chinese_and_in_english(app):
    def checked_in():
        return events.render("visitors.checked_in", {"gate": "W1"})

    assert _in("zh", checked_in) == "在 W1 入口签到"
    assert _in("en", checked_in) == "Checked in at gate W1"


def test_coded_parameters_are_translated_when_read(app):
    def applied():
        return events.render("exhibitors.applied", {"area": "18", "booth_type": "shell_scheme"})

    assert _in("zh", applied) == "申请 18 m²（标摊）"
    assert _in("en", applied) == "Applied for 18 m² (Shell scheme)"


def test_parameters_are_escaped_on_a_page_and_unknown_kinds_show_what_was_stored(app):
    html = events.render_html("mail.sent", {"subject": "<b>Hi</b> & co"})
    assert "<b>" not in html and "&lt;b&gt;Hi&lt;/b&gt; &amp; co" in html
    assert events.render("no.such.kind", {}, "typed by hand") == "typed by hand"
    # A parameter an old row lacks reads as a dash instead of breaking the page.
    assert _in("en", lambda: events.render("visitors.checked_in", {})) == "Checked in at gate –"


def test_what_the_system_wrote_is_stored_as_events_and_read_in_both_languages(app):
    world = create_system_text_world()
    rows = list(db.session.scalars(sa.select(Interaction).where(Interaction.event.is_not(None))))
    kinds = {row.event for row in rows}
    assert {
        "visitors.registered",
        "visitors.checked_in",
        "mail.sent",
        "surveys.answered_both",
        "exhibitors.applied",
        "exhibitors.contract_signed",
        "relationships.complaint",
    } <= kinds
    assert all(row.subject == "" for row in rows), "no finished sentence is stored"

    def timeline(kind_column, subject_id):
        return [
            row.headline
            for row in db.session.scalars(sa.select(Interaction).where(kind_column == subject_id))
        ]

    visitor_zh = _in("zh", lambda: timeline(Interaction.visitor_id, world.visitor_id))
    visitor_en = _in("en", lambda: timeline(Interaction.visitor_id, world.visitor_id))
    assert f"已报名 {world.show.code}" in visitor_zh and "在 W1 入口签到" in visitor_zh
    assert "已填写问卷：NPS 9，满意度 4.50" in visitor_zh
    assert f"Registered for {world.show.code}" in visitor_en
    assert "Survey answered: NPS 9, satisfaction 4.50" in visitor_en

    exhibitor_en = _in("en", lambda: timeline(Interaction.company_id, world.company_id))
    exhibitor_zh = _in("zh", lambda: timeline(Interaction.company_id, world.company_id))
    assert "Complaint: On-site service" in exhibitor_en
    assert "投诉：现场服务" in exhibitor_zh
    assert any(text.startswith("合同 ") and text.endswith(" 已签订") for text in exhibitor_zh)

    retention = db.session.scalar(sa.select(Task).where(Task.event == "relationships.retention"))
    assert retention.title == "" and retention.params["name"]["en"] == "Ningbo Lock Works"
    assert _in("zh", lambda: retention.heading) == "客户挽留：Ningbo Lock Works"
    assert _in("en", lambda: retention.heading) == "Retention: Ningbo Lock Works"
    assert _in("zh", lambda: retention.details).startswith("客户关系已进入弱化阶段")

    complaint = db.session.scalar(sa.select(Complaint).where(Complaint.event.is_not(None)))
    assert _in("zh", lambda: complaint.cause) == "问卷评分偏低（NPS 2，满意度 2.00）。"
    assert _in("en", lambda: complaint.cause).startswith("Low survey score (NPS 2")


def test_what_a_person_typed_stays_as_typed(app):
    world = create_system_text_world()
    typed = create_interaction("visitor", world.visitor_id, subject="Called about parking")
    assert typed.event is None
    assert _in("zh", lambda: typed.headline) == "Called about parking"
