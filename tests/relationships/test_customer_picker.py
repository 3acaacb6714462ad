"""The customer picker's search: staff who record complaints find a customer by name, tax id,
email, mobile or number, of any kind; others are refused; wildcards are taken literally."""

from __future__ import annotations

import pytest

from expo_crm.db import db
from tests.factories import create_company, create_lc_visitor, create_partner, create_staff
from tests.helpers import login

URL = "/relationships/customers/search.json"


def _search(client, text: str) -> list[tuple[str, int]]:
    response = client.get(URL, query_string={"q": text})
    assert response.status_code == 200
    return [(r["kind"], r["id"]) for r in response.get_json()["results"]]


def test_finds_customers_by_name_tax_id_email_and_mobile(app, client):
    company = create_company("宁波锁具有限公司", "Ningbo Lock Works", tax_id="91330200MA2XYZ1234")
    visitor = create_lc_visitor("Li Na")
    visitor.mobile = "13812345678"
    db.session.commit()
    partner = create_partner(name_en="Lock Makers Association", email="desk@locks.org")
    login(client, create_staff("service").email)

    assert ("exhibitor", company.id) in _search(client, "lock works")
    assert ("exhibitor", company.id) in _search(client, "锁具")
    assert _search(client, "ma2xyz") == [("exhibitor", company.id)]
    assert _search(client, visitor.email.upper()) == [("visitor", visitor.id)]
    assert _search(client, "3812345") == [("visitor", visitor.id)]
    assert _search(client, "LOCKS.ORG") == [("partner", partner.id)]
    assert ("partner", partner.id) in _search(client, "lock")
    assert ("exhibitor", company.id) in _search(client, str(company.id))
    assert _search(client, "   ") == []
    found = client.get(URL, query_string={"q": "ningbo lock"}).get_json()["results"]
    assert found[0]["name"] and found[0]["hint"] == "91330200MA2XYZ1234"


def test_wildcards_in_the_search_are_taken_literally(app, client):
    plain = create_company("普通公司", "Plain Trading")
    odd = create_company("百分公司", "100%_Sure Ltd")
    login(client, create_staff("sales").email)

    assert _search(client, "%") == [("exhibitor", odd.id)]
    assert _search(client, "_") == [("exhibitor", odd.id)]
    assert _search(client, "0%_s") == [("exhibitor", odd.id)]
    assert ("exhibitor", plain.id) not in _search(client, "%_")


def test_at_most_twenty_answers(app, client):
    for n in range(25):
        create_company(f"批量公司{n}", f"Bulk Supply {n}")
    login(client, create_staff("service").email)
    assert len(_search(client, "bulk supply")) == 20


@pytest.mark.parametrize("role", ["marketing", "gate"])
def test_roles_without_complaints_are_refused(app, client, role):
    create_company("拒绝公司", "Refused Co")
    login(client, create_staff(role).email)
    response = client.get(URL, query_string={"q": "refused"})
    assert response.status_code == 403
