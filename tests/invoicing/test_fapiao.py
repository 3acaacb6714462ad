"""Fapiao requests: the exhibitor asks in the portal, finance records the tax system's number,
the exhibitor sees it; a bad tax id or a special fapiao without bank details is refused field
by field; the check character of the unified social credit code is computed, not guessed."""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from expo_crm import taxids
from expo_crm.db import db
from expo_crm.invoicing.models import FapiaoRequest, FapiaoState
from expo_crm.invoicing.services import organiser_today
from tests.factories import (
    PASSWORD,
    VALID_TAX_ID,
    create_company,
    create_contract,
    create_invoice,
    create_issuer,
    create_portal_user,
    create_staff,
)
from tests.helpers import csrf_from, login, post_form, text_of


def test_the_check_character_follows_gb_32100():
    assert taxids.check_character("91350100M000100Y4") == "3"
    assert taxids.problem_with("91350100M000100Y43") is None
    assert taxids.problem_with("91350100M000100Y44") == "check"
    assert taxids.problem_with("91350100M000100Y4") == "length"
    assert taxids.problem_with("91350100M0001O0Y43") == "characters"  # the letter O
    assert taxids.normalize(" ９１３５０１００m０００１００y４３ ") == "91350100M000100Y43"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=taxids.CHARSET, min_size=17, max_size=17), st.sampled_from(taxids.CHARSET))
def test_exactly_one_last_character_completes_a_code(first17, last):
    code = first17[:2] + "".join(c if c.isdigit() else "1" for c in first17[2:8]) + first17[8:]
    right = taxids.check_character(code)
    assert (taxids.problem_with(code + last) is None) == (last == right)


def _exhibitor_with_invoice(client):
    create_issuer()
    company = create_company(name_zh="华美五金有限公司", tax_id=VALID_TAX_ID)
    contract = create_contract(company, signed=True)
    create_invoice(contract)
    user = create_portal_user(company)
    post_form(client, "/portal/login", {"email": user.email, "password": PASSWORD})
    return company, contract


def _request(client, contract, **values):
    page = text_of(client.get("/portal/invoices"))
    data = {
        "csrf_token": csrf_from(page),
        "contract_id": contract.id,
        "kind": "special",
        "title": "华美五金有限公司",
        "tax_id": VALID_TAX_ID,
        "address": "福州市鼓楼区五四路 1 号",
        "phone": "0591-87654321",
        "bank": "招商银行福州分行",
        "account": "5919 0000 1234",
    } | values
    return client.post("/portal/invoices/fapiao", data=data)


def test_bad_tax_ids_and_missing_bank_details_are_refused_field_by_field(app, client):
    company, contract = _exhibitor_with_invoice(client)
    wrong_check = _request(client, contract, tax_id="91350100M000100Y44")
    assert wrong_check.status_code == 400
    assert "The last character does not match the others" in text_of(wrong_check)
    short = _request(client, contract, tax_id="9135010")
    assert "has 18 characters; this one has 7." in text_of(short)
    letters = _request(client, contract, tax_id="91350100M0001O0Y43")
    assert "other than I, O, S, V and Z" in text_of(letters)
    no_bank = text_of(_request(client, contract, bank="", account=""))
    assert "Bank is required for a special VAT fapiao" in no_bank
    assert "Account number is required for a special VAT fapiao" in no_bank
    client.post("/portal/logout", data={})
    user = _user_of(company)
    user.locale = "zh"  # the exhibitor reads Chinese
    db.session.commit()
    post_form(client, "/portal/login", {"email": user.email, "password": PASSWORD})
    zh = text_of(_request(client, contract, tax_id="91350100M000100Y44"))
    assert "校验位与前 17 位不符" in zh
    assert db.session.scalar(sa.select(sa.func.count(FapiaoRequest.id))) == 0
    # A general fapiao needs only the title and the tax id.
    general = _request(client, contract, kind="normal", address="", phone="", bank="", account="")
    assert general.status_code == 303


def test_a_fapiao_request_goes_from_the_portal_to_finance_and_back(app, client):
    company, contract = _exhibitor_with_invoice(client)
    assert _request(client, contract).status_code == 303
    assert "already with our finance team" not in text_of(client.get("/portal/invoices"))
    request = db.session.scalar(sa.select(FapiaoRequest))
    assert (request.state, request.amount) == (FapiaoState.requested, contract.total_amount)
    client.post("/portal/logout", data={})

    finance = app.test_client()
    login(finance, create_staff("sales").email, PASSWORD)
    listing = text_of(finance.get("/invoicing/fapiao"))
    assert (
        "华美五金有限公司" in listing and VALID_TAX_ID in listing and "招商银行福州分行" in listing
    )
    today = organiser_today().isoformat()
    refused = post_form(
        finance,
        f"/invoicing/fapiao/{request.id}/issued",
        {"fapiao_number": "12AB", "issued_on": today},
        page="/invoicing/fapiao",
        follow_redirects=True,
    )
    assert "A fapiao number is 8 to 20 digits." in text_of(refused)
    recorded = post_form(
        finance,
        f"/invoicing/fapiao/{request.id}/issued",
        {"fapiao_number": "24312000000012345678", "issued_on": today},
        page="/invoicing/fapiao",
    )
    assert recorded.status_code == 303
    db.session.refresh(request)
    assert (request.state, request.fapiao_number) == (FapiaoState.issued, "24312000000012345678")

    post_form(client, "/portal/login", {"email": _user_of(company).email, "password": PASSWORD})
    page = text_of(client.get("/portal/invoices"))
    assert "24312000000012345678" in page and "Issued" in page


def test_another_company_cannot_request_on_a_contract_not_its_own(app, client):
    _company, contract = _exhibitor_with_invoice(client)
    client.post("/portal/logout", data={})
    other = create_company()
    other_contract = create_contract(other, signed=True)
    create_invoice(other_contract)
    stranger = create_portal_user(create_company())
    post_form(client, "/portal/login", {"email": stranger.email, "password": PASSWORD})
    response = _request(client, contract)
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(FapiaoRequest.id))) == 0


def _user_of(company):
    from expo_crm.exhibitors.models import PortalUser

    return db.session.scalar(sa.select(PortalUser).where(PortalUser.company_id == company.id))
