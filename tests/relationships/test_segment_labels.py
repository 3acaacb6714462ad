"""Stored value segments are codes ("large · hardware · CN"); every page shows them translated."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from expo_crm.db import db
from expo_crm.relationships.services import evaluate_all, evaluate_values
from expo_crm.relationships.subjects import segment_label
from tests.factories import create_lc_company, create_participation, create_show, create_staff
from tests.helpers import login, text_of


def test_each_coded_part_of_a_segment_reads_in_the_readers_language(app):
    with force_locale("zh"):
        assert (
            segment_label("exhibitor", "large · 五金 · CN") == "大型（1000 人及以上） · 五金 · CN"
        )
        assert segment_label("exhibitor", "? · ? · CN") == "未知 · 未知 · CN"
    with force_locale("en"):
        assert segment_label("exhibitor", "large · ? · CN") == (
            "Large (1,000 staff or more) · unknown · CN"
        )
        assert segment_label("visitor", "hardware · DE").startswith("Hardware")
        assert segment_label("partner", "media") != "media"


@pytest.mark.parametrize(
    ("locale", "label"), [("en", "Large (1,000 staff or more)"), ("zh", "大型（1000 人及以上）")]
)
def test_pages_show_the_translated_size_not_its_code(app, client, locale, label):
    company = create_lc_company("Big Segment Co")
    company.size, company.industry = "large", "hardware tools"
    db.session.commit()
    create_participation(company, create_show(open_from=date(2025, 3, 1)))
    evaluate_all(datetime(2025, 6, 1, 3, tzinfo=UTC))
    evaluate_values(datetime(2025, 6, 1, 3, tzinfo=UTC))
    login(client, create_staff("marketing", locale=locale).email)
    headers = {"Accept-Language": locale}
    panel = text_of(client.get(f"/relationships/exhibitor/{company.id}/stage", headers=headers))
    assert f"{label} · hardware tools · CN" in panel
    for url in ("/relationships/loyalty", "/relationships/churn"):
        page = text_of(client.get(url, headers=headers))
        assert "large ·" not in page
    assert label in text_of(client.get("/relationships/loyalty", headers=headers))
