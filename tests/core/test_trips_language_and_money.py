"""Public pages speak English to readers of languages we lack; amounts read alike everywhere."""

from decimal import Decimal

import pytest

from expo_crm.i18n import money
from tests.factories import create_contract, create_staff
from tests.helpers import login, text_of


@pytest.mark.parametrize(
    ("asked", "language"),
    [
        ("de-DE,de;q=0.9", "en"),
        ("ja", "en"),
        ("zh-TW", "en"),
        ("zh-TW,en;q=0.5", "en"),
        ("zh-HK", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("zh-Hans-CN", "zh"),
        ("zh-SG", "zh"),
        ("en-GB", "en"),
        ("de;q=0.9,zh-CN;q=0.5", "zh"),
    ],
)
def test_the_language_of_a_public_page_follows_the_browser_with_english_as_fallback(
    client, asked, language
):
    page = text_of(client.get("/login", headers={"Accept-Language": asked}))
    assert f'lang="{language}' in page


def test_money_is_grouped_the_same_way_in_both_languages(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert money(Decimal("2845670")) == "2,845,670.00"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert money(Decimal("30240.5")) == "30,240.50"


def test_the_contract_page_shows_amounts_grouped(client):
    login(client, create_staff("sales").email)
    contract = create_contract(area="18", price="158093", signed=True)
    page = text_of(client.get(f"/exhibitors/contracts/{contract.id}"))
    assert "2,845,674.00" in page


def test_chinese_catalogues_use_full_width_punctuation():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "expo_crm"
    ascii_beside_chinese = re.compile(r"[\u4e00-\u9fff][,:;?!]|[,:;?!][\u4e00-\u9fff]|\)s:\"$")
    found = [
        f"{path.relative_to(root)}: {line}"
        for path in root.rglob("zh/LC_MESSAGES/messages.po")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("msgstr") and ascii_beside_chinese.search(line)
    ]
    assert not found, "\n".join(found)
