"""The survey invitation as each visitor receives it: rendered once per language with the
visitor's own name and one-time link put in (HTML-escaped in the HTML part)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.mail.jobs import send_outbox
from expo_crm.surveys import campaigns
from expo_crm.surveys.models import SurveyInvitation
from expo_crm.visitors.models import Visitor
from tests.factories import create_checked_in_visitors, create_show, create_survey_campaign
from tests.helpers import text_of

ENGLISH_NAME = 'Anna O\'Brien <Smith> & "Co"'


def _name(visitor_id: int, name: str) -> None:
    db.session.execute(sa.update(Visitor).where(Visitor.id == visitor_id).values(name=name))


def _survey_path(text: str) -> str:
    return re.search(r"http://localhost(/s/\S+)", text).group(1)


def test_a_chinese_and_an_english_visitor_each_get_their_own_name_and_working_link(
    app, client, smtp_server
):
    show = create_show()
    [zhang] = create_checked_in_visitors(show, 1, locale="zh", prefix="zhang")
    [anna] = create_checked_in_visitors(show, 1, locale="en", prefix="anna")
    others = create_checked_in_visitors(show, 3, locale="zh", prefix="other")
    _name(zhang, "张伟")
    _name(anna, ENGLISH_NAME)
    _name(others[0], "")  # an empty name is rendered on its own, not from the shared render
    db.session.commit()
    campaign = create_survey_campaign(show, send=True)
    assert campaigns.send_campaign(campaign, clock.now()) == 0, "nothing is queued twice"
    db.session.commit()
    assert send_outbox(clock.now()) == 5
    assert send_outbox(clock.now()) == 0

    [to_zhang] = smtp_server.to("zhang-0@example.com")
    [to_anna] = smtp_server.to("anna-0@example.com")
    zh_text = to_zhang.get_body(("plain",)).get_content()
    zh_html = to_zhang.get_body(("html",)).get_content()
    en_text = to_anna.get_body(("plain",)).get_content()
    en_html = to_anna.get_body(("html",)).get_content()
    assert to_zhang["To"].addresses[0].display_name == "张伟"
    assert "尊敬的张伟：" in zh_text and "尊敬的张伟：" in zh_html
    assert "问卷" in to_zhang["Subject"]
    assert f"Dear {ENGLISH_NAME}," in en_text
    assert "Dear Anna O&#39;Brien &lt;Smith&gt; &amp; &#34;Co&#34;," in en_html
    assert "<Smith>" not in en_html
    assert "Guest" not in en_text + zh_text, "no one else's name"
    [empty] = smtp_server.to("other-0@example.com")
    assert "尊敬的：" in empty.get_body(("plain",)).get_content()

    zh_link, en_link = _survey_path(zh_text), _survey_path(en_text)
    assert zh_link != en_link
    assert f'href="http://localhost{zh_link}"' in zh_html
    assert f'href="http://localhost{en_link}"' in en_html
    for link, visitor_id in ((zh_link, zhang), (en_link, anna)):
        invitation = campaigns.invitation_from_token(link.removeprefix("/s/"))
        assert invitation.visitor_id == visitor_id
        page = client.get(link)
        assert page.status_code == 200
        assert campaign.survey.title_en in text_of(page) or campaign.survey.title_zh in text_of(
            page
        )
    invited = db.session.scalars(
        sa.select(SurveyInvitation.invited_at).where(SurveyInvitation.campaign_id == campaign.id)
    ).all()
    assert len(invited) == 5 and all(invited)
