"""Survey campaigns: who is invited, one-time links, one response each, low scores followed up."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.mail.models import OutboxMessage
from expo_crm.relationships.models import Complaint
from expo_crm.surveys import campaigns, responses
from expo_crm.surveys.models import QuestionKind, SurveyInvitation, SurveyResponse
from expo_crm.surveys.results import campaign_results
from tests.factories import (
    create_checked_in_visitors,
    create_company,
    create_contact,
    create_contract,
    create_show,
    create_staff,
    create_survey_campaign,
)
from tests.helpers import csrf_from, login, post_form, text_of


def _link(message: OutboxMessage) -> str:
    return re.search(r"http://localhost(/s/\S+)", message.body_text).group(1)


def _answers(survey, nps="9", rating="5", comment=""):
    form = {}
    for q in survey.questions:
        if q.kind is QuestionKind.nps:
            form[f"q{q.id}"] = nps
        elif q.kind is QuestionKind.rating:
            form[f"q{q.id}"] = rating
        elif q.kind is QuestionKind.single:
            form[f"q{q.id}"] = "0"
        elif q.kind is QuestionKind.multiple:
            form[f"q{q.id}"] = ["0", "2"]
        else:
            form[f"q{q.id}"] = comment
    return form


def test_a_campaign_invites_exhibitor_contacts_and_checked_in_visitors_once(app):
    show = create_show()
    company = create_company(name_en="Bolt Co")
    create_contact(company, email="buyer@bolt.example", is_primary=True, locale="zh")
    create_contract(company, show, signed=True)
    create_checked_in_visitors(show, 3, prefix="seen")
    campaign = create_survey_campaign(show, audience="both")
    assert campaigns.send_campaign(campaign, clock.now()) == 4
    assert campaigns.send_campaign(campaign, clock.now()) == 0
    db.session.commit()
    messages = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    zh = next(m for m in messages if m.to_address == "buyer@bolt.example")
    assert zh.language == "zh" and "问卷" in zh.subject or "调查" in zh.subject or zh.subject
    assert all("/s/" in m.body_text for m in messages)
    assert {m.company_id for m in messages if m.company_id} == {company.id}


def test_sending_again_later_invites_only_visitors_who_checked_in_since(app):
    show = create_show()
    create_checked_in_visitors(show, 2, prefix="early")
    campaign = create_survey_campaign(show, audience="visitors")
    assert campaigns.send_campaign(campaign, clock.now()) == 2
    db.session.commit()
    create_checked_in_visitors(show, 3, prefix="late")
    assert campaigns.send_campaign(campaign, clock.now()) == 3
    db.session.commit()
    addresses = db.session.scalars(sa.select(OutboxMessage.to_address)).all()
    assert len(addresses) == len(set(addresses)) == 5
    assert sum(a.startswith("late") for a in addresses) == 3


def test_a_visitor_answers_once_and_the_results_count_it(app, client):
    show = create_show()
    create_checked_in_visitors(show, 2, prefix="ans")
    campaign = create_survey_campaign(show, send=True)
    first, second = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    link = _link(first)
    page = client.get(link)
    assert page.status_code == 200 and campaign.survey.title_en in text_of(page)
    done = client.post(
        link,
        data={
            "csrf_token": csrf_from(text_of(page)),
            **_answers(campaign.survey, comment="Great halls"),
        },
    )
    assert "have been recorded" in text_of(done)
    again = client.get(link)
    assert again.status_code == 410 and "already been answered" in text_of(again)
    results = campaign_results(campaign)
    assert (results.total.invited, results.total.responded, results.total.rate) == (2, 1, 50)
    assert results.total.nps == 100
    assert any("Great halls" in q.texts for q in results.questions)


def test_bad_links_and_bad_answers_write_nothing(app, client):
    show = create_show()
    create_checked_in_visitors(show, 1, prefix="bad")
    campaign = create_survey_campaign(show, send=True)
    link = _link(db.session.scalars(sa.select(OutboxMessage)).one())
    tampered = client.get(link[:-4] + "AAAA")
    assert tampered.status_code == 404 and "not valid" in text_of(tampered)
    page = client.get(link)
    out_of_range = client.post(
        link, data={"csrf_token": csrf_from(text_of(page)), **_answers(campaign.survey, nps="11")}
    )
    assert out_of_range.status_code == 200 and "choose a value from 0 to 10" in text_of(
        out_of_range
    )
    missing = client.post(
        link, data={"csrf_token": csrf_from(text_of(page)), **_answers(campaign.survey, rating="")}
    )
    assert "Please answer" in text_of(missing)
    assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 0
    clock.freeze(campaign.closes_at + timedelta(minutes=1))
    expired = client.get(link)
    assert expired.status_code == 410 and "closed" in text_of(expired)


def test_a_low_score_opens_a_complaint_and_is_stored_for_the_life_cycle(app):
    show = create_show()
    [visitor_id] = create_checked_in_visitors(show, 1, prefix="low")
    campaign = create_survey_campaign(show, send=True)
    invitation = db.session.scalars(sa.select(SurveyInvitation)).one()
    form = {
        k: (v if isinstance(v, list) else [v])
        for k, v in _answers(campaign.survey, nps="3", rating="2", comment="Too crowded").items()
    }
    response = responses.submit_response(invitation, form, clock.now())
    db.session.commit()
    assert response.nps == 3 and str(response.satisfaction) == "2.00"
    complaint = db.session.scalars(sa.select(Complaint)).one()
    assert (
        complaint.visitor_id == visitor_id
        and complaint.source_key == f"survey-response:{response.id}"
    )
    assert db.session.scalars(
        sa.select(SurveyResponse.id).where(SurveyResponse.visitor_id == visitor_id)
    ).all() == [response.id]


def test_reminders_go_only_to_those_who_have_not_answered(app):
    show = create_show()
    create_checked_in_visitors(show, 3, prefix="rem")
    campaign = create_survey_campaign(show, send=True)
    invitation = db.session.scalars(
        sa.select(SurveyInvitation).order_by(SurveyInvitation.id)
    ).first()
    form = {k: (v if isinstance(v, list) else [v]) for k, v in _answers(campaign.survey).items()}
    responses.submit_response(invitation, form, clock.now())
    assert campaigns.remind(campaign, clock.now()) == 2
    assert campaigns.remind(campaign, clock.now()) == 0
    db.session.commit()
    reminded = db.session.scalars(
        sa.select(OutboxMessage.to_address).where(OutboxMessage.template == "surveys/reminder")
    ).all()
    assert invitation.email not in reminded and len(reminded) == 2


def test_the_results_page_and_pdf_report(app, client, tmp_path):
    show = create_show()
    create_checked_in_visitors(show, 2, prefix="pdf")
    campaign = create_survey_campaign(show, send=True)
    for invitation, nps in zip(
        db.session.scalars(sa.select(SurveyInvitation)).all(), ("10", "5"), strict=True
    ):
        form = {
            k: (v if isinstance(v, list) else [v])
            for k, v in _answers(campaign.survey, nps=nps, rating="4").items()
        }
        responses.submit_response(invitation, form, clock.now())
    db.session.commit()
    staff = create_staff("service")
    login(client, staff.email)
    page = client.get(f"/surveys/campaigns/{campaign.id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "100%" in text and "<svg" in text
    # each question's distribution is a chart with its numbers in a table beside it
    html = page.get_data(as_text=True)
    nps_question = next(q for q in campaign.survey.questions if q.kind.value == "nps")
    figure = re.search(
        rf'<figure class="chartbox" id="chart-question-{nps_question.id}".*?</figure>', html, re.S
    ).group(0)
    rows = dict(re.findall(r'<th scope="row">(.*?)</th><td class="num">(\d+)</td>', figure))
    assert (rows["10"], rows["5"], rows["0"]) == ("1", "1", "0")
    pdf = client.get(f"/surveys/campaigns/{campaign.id}/report.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.data)
    extracted = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "NPS" in extracted and "0" in extracted and "4.00" in extracted


def test_the_builder_needs_both_languages_and_options(app, client):
    staff = create_staff("service")
    login(client, staff.email)
    created = post_form(
        client, "/surveys/new", {"title_zh": "会员调查", "title_en": "Member survey"}
    )
    assert created.status_code == 302
    url = created.location
    refused = post_form(
        client,
        url,
        {
            "kind": "single",
            "text_zh": "哪个?",
            "text_en": "Which?",
            "options_zh": "甲\n乙",
            "options_en": "A",
        },
    )
    assert "both languages" in text_of(refused)
    added = post_form(
        client,
        url,
        {
            "kind": "single",
            "text_zh": "哪个?",
            "text_en": "Which?",
            "options_zh": "甲\n乙",
            "options_en": "A\nB",
            "required": "y",
        },
    )
    assert added.status_code == 302
    assert "Which?" in text_of(client.get(url))
    gate = create_staff("gate")
    client.post("/logout") if False else None
    assert gate.role.value == "gate"
