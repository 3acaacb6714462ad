"""The organiser's returns page at Canton-Fair scale: a page of exhibitors at a time, sorted over
all of them, under the show's summary row; the comparisons with hall and category computed
once per group give what comparing every pair gave."""

from __future__ import annotations

import re
import statistics
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from expo_crm.db import db
from expo_crm.exhibitors import returns
from tests.exhibitors.test_returns import build_show
from tests.factories import create_staff
from tests.factories.suppliers import create_contracted_company
from tests.helpers import login, text_of


def _exhibitors_listed(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'href="/exhibitors/(\d+)"', body)


def _summary(page: str, key: str) -> str:
    return re.search(rf'data-key="{key}">([^<]*)<', page).group(1)


def test_the_page_sorts_all_exhibitors_and_shows_one_page_under_the_shows_summary(app):
    show, a, b, c, _d = build_show()
    for n in range(50):
        create_contracted_company(show, name_en=f"Quiet {n:02d}", commit=False)
    db.session.commit()
    found = returns.show_returns(show)
    assert len(found) == 54
    client = app.test_client()
    login(client, create_staff("service").email)

    first = text_of(client.get(f"/exhibitors/returns?show={show.id}&sort=leads&desc=1"))
    assert "All 54 exhibitors" in first and "Page 1 of 2" in first
    on_first = _exhibitors_listed(first)
    assert len(on_first) == 50
    assert on_first[:3] == [str(a.id), str(b.id), str(c.id)]  # the most leads, of all 54
    assert _summary(first, "leads") == "6" == str(sum(r.leads for r in found))
    assert _summary(first, "qualified") == str(sum(r.qualified for r in found))
    assert _summary(first, "staff_badges") == "3" and _summary(first, "meetings") == "0"
    # Four booths of 18,000 (Alpha's discount of 1,000 paid its services); the others none.
    assert (
        _summary(first, "cost") == "72,000.00" and _summary(first, "cost_per_lead") == "12,000.00"
    )
    assert _summary(first, "satisfaction") == "4.50"

    link = re.search(r'<a href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert f"show={show.id}" in link and "sort=leads" in link and "desc=1" in link
    second = text_of(client.get(link))
    assert "Page 2 of 2" in second and "All 54 exhibitors" in second
    on_second = _exhibitors_listed(second)
    assert len(on_second) == 4 and not set(on_first) & set(on_second)
    assert set(on_first) | set(on_second) == {str(r.company_id) for r in found}
    # Sorting again starts on the first page.
    sort_link = re.search(r'href="([^"]+)" data-sort="cost"', second).group(1)
    assert "page=" not in sort_link


costs = st.lists(
    st.decimals(min_value=1, max_value=100000, places=2, allow_nan=False), min_size=1, max_size=30
)


@given(costs, st.data())
def test_a_comparison_counts_the_cheaper_peers_as_comparing_each_pair_did(values, data):
    mine = data.draw(st.sampled_from(values))
    found = returns._compare("hall", mine, returns._Group.of(values))
    others = len(values) - 1
    cheaper = sum(1 for v in values if v < mine)
    median = statistics.median(values).quantize(Decimal("0.01"))
    assert found.peers == len(values) and found.median == median
    assert found.percentile == (round(100 * cheaper / others) if others else None)
    assert found.ratio == (mine / median).quantize(Decimal("0.1"))
