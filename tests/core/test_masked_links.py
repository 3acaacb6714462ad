"""Issue 14, item 5: the secret part of a personal link is masked wherever staff read mail text."""

from __future__ import annotations

from expo_crm.auth.permissions import Role
from expo_crm.security import mask_personal_links
from tests.factories import create_interaction, create_lc_company, create_staff
from tests.helpers import login, text_of

SURVEY = "https://expo.example.cn/s/WzEsIjVmM2QiXQ.qG8tQ2x_y-Z9aQ4kLm"
MANAGE = "http://localhost/visit/manage/MQ.aw4APQ.yHBS-dI9YaS5DVASvE2jK2V8Fnk"


def test_the_secret_of_a_personal_link_is_masked_and_the_rest_kept():
    text = f"Answer here: {SURVEY}\nManage: {MANAGE}\nUnsubscribe: http://x.example/unsubscribe/ImFAYi5jbyI.Zk3uQ?x=1"
    assert mask_personal_links(text) == (
        "Answer here: https://expo.example.cn/s/••••••\n"
        "Manage: http://localhost/visit/manage/••••••\n"
        "Unsubscribe: http://x.example/unsubscribe/••••••?x=1"
    )


def test_ordinary_links_stay_as_they_are():
    text = "See https://expo.example.cn/visit/register?show=12 and https://expo.example.cn/exhibitors/floor-plan-overview"
    assert mask_personal_links(text) == text


def test_a_link_stored_on_the_timeline_before_is_masked_when_shown(client):
    company = create_lc_company("Ningbo Lock Works")
    create_interaction("exhibitor", company.id, notes=f"Survey sent: {SURVEY}")
    login(client, create_staff(Role.sales).email)
    page = text_of(client.get(f"/relationships/exhibitor/{company.id}"))
    assert "https://expo.example.cn/s/••••••" in page and "WzEsIjVmM2QiXQ" not in page
    company_page = text_of(client.get(f"/exhibitors/{company.id}"))
    assert "WzEsIjVmM2QiXQ" not in company_page
