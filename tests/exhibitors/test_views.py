"""Staff pages: list, export, duplicate warning, application → booth → contract → PDF → payment, permissions."""

import io
import subprocess
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import load_workbook

from expo_crm.db import db
from expo_crm.exhibitors.models import (
    Application,
    ApplicationState,
    Company,
    Contract,
    ContractState,
    Payment,
)
from tests.factories import (
    PASSWORD,
    create_application,
    create_booth,
    create_company,
    create_contract,
    create_show,
    create_staff,
)
from tests.helpers import login, post_form, text_of


def _sales(client):
    user = create_staff("sales")
    login(client, user.email, PASSWORD)
    return user


def test_company_list_filters_by_show_and_state_and_exports_the_filtered_list(client):
    _sales(client)
    show = create_show()
    approved = create_company("上海甲五金有限公司", "Shanghai Jia Hardware")
    other = create_company("宁波乙工具有限公司", "Ningbo Yi Tools")
    create_application(approved, show, "approved")
    create_application(other, show)
    page = text_of(client.get(f"/exhibitors/?show={show.id}&state=approved"))
    assert "上海甲五金有限公司" in page and "宁波乙工具有限公司" not in page
    export = client.get(f"/exhibitors/export.xlsx?show={show.id}&state=approved")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["上海甲五金有限公司"]


def test_list_paginates_and_sorts(client):
    _sales(client)
    for n in range(55):
        create_company(f"公司{n:02d}", f"Company {n:02d}", commit=False)
    db.session.commit()
    first = text_of(client.get("/exhibitors/?sort=-name_en"))
    assert "Company 54" in first and "Company 00" not in first
    assert "Page 1 of 2" in first
    second = text_of(client.get("/exhibitors/?sort=-name_en&page=2"))
    assert "Company 00" in second


def test_same_tax_id_offers_the_existing_company_instead(client):
    _sales(client)
    existing = create_company("苏州精工有限公司", "Suzhou Precision", tax_id="91320500MA1XYZ0001")
    response = post_form(
        client,
        "/exhibitors/new",
        {
            "name_zh": "别的名字",
            "tax_id": "91320500ma1xyz0001",
            "country": "CN",
            "confirm_new": "1",
        },
    )
    assert response.status_code == 200
    assert "already registered" in text_of(response)
    assert f"/exhibitors/{existing.id}" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count(Company.id))) == 1


def test_same_name_warns_first_and_creates_on_confirmation(client):
    _sales(client)
    create_company("苏州精工有限公司", "Suzhou Precision Co., Ltd.")
    data = {"name_zh": "", "name_en": "SUZHOU PRECISION LIMITED", "country": "CN"}
    warned = post_form(client, "/exhibitors/new", data)
    assert "may already exist" in text_of(warned)
    assert db.session.scalar(sa.select(sa.func.count(Company.id))) == 1
    created = post_form(client, "/exhibitors/new", data | {"confirm_new": "1"})
    assert created.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Company.id))) == 2


def test_organiser_flow_application_to_payment(client, tmp_path):
    _sales(client)
    show = create_show()
    booth = create_booth(show, number="W1-101", area="18", price="1200")
    company = create_company("杭州东方五金有限公司", "Hangzhou Dongfang Hardware")
    response = post_form(
        client,
        f"/exhibitors/{company.id}/applications/new",
        {"show_id": show.id, "requested_area_m2": "18", "booth_type": "shell_scheme"},
    )
    assert response.status_code == 303
    application = db.session.scalar(sa.select(Application))
    url = f"/exhibitors/applications/{application.id}"
    post_form(
        client, f"{url}/state", {"state": "approved", "reason": "Regular exhibitor"}, page=url
    )
    assert db.session.get(Application, application.id).state is ApplicationState.approved
    post_form(client, f"{url}/booths", {"booth_id": booth.id}, page=url)
    post_form(client, f"{url}/contract", {"discount": "1600"}, page=url)
    contract = db.session.scalar(sa.select(Contract))
    assert contract.total_amount == Decimal("20000.00") + contract.services_total
    curl = f"/exhibitors/contracts/{contract.id}"
    post_form(client, f"{curl}/sign", {}, page=curl)
    assert db.session.get(Contract, contract.id).state is ContractState.signed
    pdf = client.get(f"{curl}/contract-zh.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    path = tmp_path / "contract.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "杭州东方五金有限公司" in text and "W1-101" in text and "20,000.00" in text
    refused = post_form(
        client,
        f"{curl}/payments",
        {"amount": "25000", "paid_on": "2026-01-05", "method": "bank_transfer"},
        page=curl,
        follow_redirects=True,
    )
    assert "more than the outstanding balance" in text_of(refused)
    post_form(
        client,
        f"{curl}/payments",
        {"amount": "6000", "paid_on": "2026-01-05", "method": "bank_transfer"},
        page=curl,
    )
    assert db.session.scalar(sa.select(sa.func.sum(Payment.amount))) == Decimal("6000.00")
    detail = text_of(client.get(curl))
    assert "14,000.00" in detail
    plan = text_of(client.get(f"/exhibitors/hall-plan?show={show.id}"))
    assert "W1-101" in plan and "Hangzhou Dongfang Hardware" in plan


def test_overlapping_booth_assignment_is_refused_with_a_message(client):
    _sales(client)
    show = create_show()
    booth = create_booth(show, number="E2-001")
    first = create_application(show=show, state="approved")
    second = create_application(show=show, state="approved")
    url = f"/exhibitors/applications/{first.id}"
    assert post_form(client, f"{url}/booths", {"booth_id": booth.id}, page=url).status_code == 303
    url = f"/exhibitors/applications/{second.id}"
    refused = post_form(client, f"{url}/booths", {"booth_id": booth.id}, page=url)
    assert refused.status_code == 303 and refused.location.endswith(url)
    follow = text_of(client.get(url))
    assert "E2-001 is not available" in follow


def test_english_contract_pdf_and_dashboard_panel(client, tmp_path):
    _sales(client)
    contract = create_contract(
        create_company("深圳力拓有限公司", "Shenzhen Lituo Ltd."), signed=True
    )
    pdf = client.get(f"/exhibitors/contracts/{contract.id}/contract-en.pdf")
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Exhibition contract" in text and "深圳力拓有限公司" in text
    assert "panel-exhibitors" in text_of(client.get("/dashboard"))


def test_permissions_per_role(client):
    company = create_company()
    contract = create_contract(company)
    service = create_staff("service")
    login(client, service.email, PASSWORD)
    assert client.get("/exhibitors/").status_code == 200
    assert client.get(f"/exhibitors/{company.id}").status_code == 200
    assert client.get("/exhibitors/new").status_code == 403
    assert client.get("/exhibitors/import").status_code == 403
    response = post_form(
        client,
        f"/exhibitors/contracts/{contract.id}/payments",
        {"amount": "1", "paid_on": "2026-01-01", "method": "cash"},
        page=f"/exhibitors/contracts/{contract.id}",
    )
    assert response.status_code == 403
    client.post("/logout")
    gate = create_staff("gate")
    login(client, gate.email, PASSWORD)
    assert client.get("/exhibitors/").status_code == 403
    anonymous = client.application.test_client()
    assert anonymous.get("/exhibitors/").status_code == 302


def test_missing_ids_are_404(client):
    _sales(client)
    for url in (
        "/exhibitors/999999",
        "/exhibitors/applications/999999",
        "/exhibitors/contracts/999999",
        "/exhibitors/contracts/999999/contract-zh.pdf",
        "/exhibitors/booths?show=999999",
    ):
        assert client.get(url).status_code == 404, url


def test_bad_form_input_is_a_message_not_a_500(client):
    _sales(client)
    contract = create_contract()
    url = f"/exhibitors/contracts/{contract.id}"
    response = post_form(
        client,
        f"{url}/payments",
        {"amount": "abc", "paid_on": "not a date"},
        page=url,
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Enter an amount above 0" in text_of(response)
    booth = post_form(
        client,
        "/exhibitors/booths",
        {
            "hall": "W1",
            "number": "X",
            "area_m2": "-3",
            "booth_type": "raw_space",
            "price_per_m2": "1",
        },
    )
    assert booth.status_code == 200


def test_company_list_filters_by_life_cycle_stage_and_shows_it(client):
    from expo_crm import clock
    from expo_crm.relationships.lifecycle import evaluate
    from tests.factories import create_participation

    _sales(client)
    show = create_show()
    confirmed = create_company("杭州丙电器有限公司", "Hangzhou Bing Electric")
    create_participation(confirmed, show)
    create_company("温州丁锁具有限公司", "Wenzhou Ding Locks")
    prospect = create_company("台州戊机械有限公司", "Taizhou Wu Machinery")
    create_application(prospect, show)
    evaluate(clock.now())
    db.session.commit()

    page = text_of(client.get("/exhibitors/?stage=confirmation"))
    assert "杭州丙电器有限公司" in page
    assert "台州戊机械有限公司" not in page and "温州丁锁具有限公司" not in page
    everyone = text_of(client.get("/exhibitors/"))
    assert "Confirmation" in everyone and "Cultivation" in everyone


def test_the_reason_for_a_state_change_is_marked_required_and_its_absence_said(client):
    _sales(client)
    application = create_application()
    url = f"/exhibitors/applications/{application.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'Reason <span class="required"' in page
    response = post_form(client, f"{url}/state", {"state": "approved", "reason": ""}, page=url)
    assert response.status_code == 400
    assert "This field is required." in text_of(response)
    db.session.expire_all()
    assert db.session.get(Application, application.id).state is ApplicationState.submitted


def test_the_discount_field_has_a_visible_label(client):
    _sales(client)
    contract = create_contract()
    page = client.get(f"/exhibitors/contracts/{contract.id}").get_data(as_text=True)
    assert '<label for="discount">Discount (CNY)</label>' in page


def test_a_payment_date_is_a_date_defaulting_to_the_shows_today(client):
    from expo_crm import clock

    _sales(client)
    contract = create_contract(signed=True)
    url = f"/exhibitors/contracts/{contract.id}"
    # 20:00 UTC on 1 March is already 2 March in Shanghai.
    clock.freeze("2027-03-01T20:00:00+00:00")
    page = client.get(url).get_data(as_text=True)
    assert 'value="2027-03-02"' in page
    post_form(
        client,
        f"{url}/payments",
        {"amount": "100", "paid_on": "2027-03-02", "method": "bank_transfer"},
        page=url,
    )
    payments = text_of(client.get(url)).split("Record a payment")[0]
    assert "Mar 2, 2027" in payments and "12:00" not in payments
    company_page = text_of(client.get(f"/exhibitors/{contract.company_id}"))
    assert "Mar 2, 2027" in company_page and "12:00" not in company_page


def test_the_booth_list_shows_a_hall_a_page_and_the_rest_on_the_next(client):
    _sales(client)
    show = create_show()
    for n in range(101):
        create_booth(show, number=f"W1-{n:03d}", commit=False)
    db.session.commit()
    first = text_of(client.get(f"/exhibitors/booths?show={show.id}"))
    assert "W1-000" in first and "W1-099" in first and "W1-100" not in first
    assert "Page 1 of 2" in first and "101 in all" in first
    second = text_of(client.get(f"/exhibitors/booths?show={show.id}&page=2"))
    assert "W1-100" in second and "W1-099" not in second


def test_the_review_queue_shows_fifty_applications_a_page_oldest_first(client):
    _sales(client)
    show = create_show()
    for n in range(51):
        create_application(create_company(f"申请公司{n:02d}", f"Applicant {n:02d}"), show)
    first = text_of(client.get("/exhibitors/applications"))
    assert "Applicant 00" in first and "Applicant 49" in first and "Applicant 50" not in first
    assert "Page 1 of 2" in first
    second = text_of(client.get("/exhibitors/applications?page=2"))
    assert "Applicant 50" in second and "Applicant 00" not in second
