"""Companies, applications, booths, contracts and payments: the rules, on SQLite and PostgreSQL."""

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from expo_crm import clock
from expo_crm.db import db
from expo_crm.exhibitors import applications, booths, companies, contracts, payments, services
from expo_crm.exhibitors.models import (
    ApplicationState,
    BoothAssignment,
    BoothStatus,
    Contract,
    ContractState,
    Payment,
)
from tests.factories import (
    create_application,
    create_booth,
    create_company,
    create_contact,
    create_contract,
    create_show,
)


@pytest.fixture(autouse=True)
def _english(app):
    """Services called outside a request speak the operator's default language; these read English."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


def test_normalised_names_ignore_legal_forms_and_punctuation():
    assert companies.normalize_name("上海紫光五金 有限公司") == companies.normalize_name(
        "上海紫光五金"
    )
    assert companies.normalize_name("Acme Tools Co., Ltd.") == companies.normalize_name(
        "ACME TOOLS"
    )
    assert companies.normalize_tax_id(" 9131-0000 ma1fl ") == "91310000MA1FL"


def test_duplicates_are_found_by_tax_id_or_normalised_name(app):
    existing = create_company(
        "宁波恒达工具有限公司", "Ningbo Hengda Tools Co., Ltd.", tax_id="91330200MA2AAAAA1"
    )
    assert companies.find_duplicates(tax_id="91330200ma2aaaaa1") == [existing]
    assert companies.find_duplicates(name_en="NINGBO HENGDA TOOLS LIMITED") == [existing]
    assert companies.find_duplicates(name_zh="宁波恒达工具") == [existing]
    assert companies.find_duplicates(name_zh="杭州别的公司") == []


def test_tax_id_is_unique_when_given(app):
    create_company(tax_id="91310000MA1FL0001")
    create_company(tax_id=None)
    create_company(tax_id=None)  # many companies without a tax id are fine
    with pytest.raises(services.ExhibitorError):
        create_company(tax_id="91310000ma1fl0001")
    db.session.rollback()


def test_application_moves_only_along_allowed_transitions_and_keeps_history(app):
    application = create_application()
    applications.move_application(application, "under_review", "Documents complete")
    applications.move_application(application, "approved", "Good fit for hall W1")
    db.session.commit()
    assert [e.to_state for e in application.events] == [
        ApplicationState.submitted,
        ApplicationState.under_review,
        ApplicationState.approved,
    ]
    assert application.events[-1].reason == "Good fit for hall W1"
    with pytest.raises(services.ExhibitorError):
        applications.move_application(application, "rejected", "too late")
    with pytest.raises(services.ExhibitorError):
        applications.move_application(application, "withdrawn", "   ")


def test_only_approved_applications_get_booths_and_a_booth_is_never_given_twice(app):
    show = create_show()
    booth = create_booth(show)
    pending = create_application(show=show)
    with pytest.raises(services.ExhibitorError):
        booths.assign_booth(pending, booth.id)
    first = create_application(show=show, state="approved")
    second = create_application(show=show, state="approved")
    booths.assign_booth(first, booth.id)
    db.session.commit()
    with pytest.raises(services.ExhibitorError, match="not available"):
        booths.assign_booth(second, booth.id)
    db.session.rollback()
    assert db.session.get(type(booth), booth.id).status is BoothStatus.reserved


def test_the_database_refuses_a_second_assignment_of_a_booth(app):
    show = create_show()
    booth = create_booth(show)
    first = create_application(show=show, state="approved")
    second = create_application(show=show, state="approved")
    booths.assign_booth(first, booth.id)
    db.session.commit()
    db.session.add(
        BoothAssignment(
            booth_id=booth.id,
            application_id=second.id,
            company_id=second.company_id,
            show_id=show.id,
            assigned_at=clock.now(),
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_booth_of_another_show_is_refused(app):
    application = create_application(state="approved")
    other_booth = create_booth(create_show())
    with pytest.raises(services.ExhibitorError):
        booths.assign_booth(application, other_booth.id)
    db.session.rollback()


def test_contract_adds_booth_fee_and_services_minus_discount(app):
    contract = create_contract(area="18", price="1500", discount="2000")
    assert contract.booth_fee == Decimal("27000.00")
    assert contract.total_amount == Decimal("25000.00") + contract.services_total
    assert contract.booth_area_m2 == Decimal(18)
    assert contract.deposit_amount == (contract.total_amount * Decimal("0.3")).quantize(
        Decimal("0.01")
    )
    assert contracts.badge_quota(contract) == 2


def test_one_live_contract_per_company_and_show(app):
    contract = create_contract()
    with pytest.raises(services.ExhibitorError):
        contracts.create_contract(contract.application)
    db.session.rollback()
    db.session.add(
        Contract(
            number="X-1",
            company_id=contract.company_id,
            show_id=contract.show_id,
            application_id=contract.application_id,
            state=ContractState.draft,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_signing_sells_the_booth_and_payments_reduce_the_balance(app):
    contract = create_contract(area="9", price="1000")
    contracts.sign_contract(contract)
    payments.record_payment(contract.id, "4000")
    db.session.commit()
    assert payments.outstanding(contract) == Decimal("5000.00")
    assert all(
        b.status is BoothStatus.sold
        for b in booths.assigned_booths(contract.company_id, contract.show_id)
    )


def test_a_payment_above_the_outstanding_balance_is_refused(app):
    contract = create_contract(area="9", price="1000", signed=True)
    payments.record_payment(contract.id, "8000")
    db.session.commit()
    with pytest.raises(services.ExhibitorError, match="more than the outstanding balance"):
        payments.record_payment(contract.id, "1000.01")
    db.session.rollback()
    with pytest.raises(services.ExhibitorError):
        payments.record_payment(contract.id, "0")
    db.session.rollback()
    payments.record_payment(contract.id, "1000")
    db.session.commit()
    assert payments.outstanding(contract) == Decimal("0.00")
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 2


def test_the_database_refuses_a_payment_of_zero(app):
    contract = create_contract()
    db.session.add(
        Payment(
            contract_id=contract.id, amount=Decimal(0), paid_at=clock.now(), recorded_at=clock.now()
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_withdrawing_an_approved_application_releases_its_booth(app):
    contract = create_contract()
    booth = booths.assigned_booths(contract.company_id, contract.show_id)[0]
    applications.move_application(contract.application, "withdrawn", "Budget cut")
    db.session.commit()
    assert booth.status is BoothStatus.available
    assert contract.state is ContractState.cancelled


def test_signed_contract_blocks_withdrawal(app):
    contract = create_contract(signed=True)
    with pytest.raises(services.ExhibitorError):
        applications.move_application(contract.application, "withdrawn", "Budget cut")
    db.session.rollback()


def test_primary_contacts_and_participating_companies_list_signed_exhibitors_only(app):
    show = create_show()
    signed = create_contract(show=show, signed=True)
    contact = create_contact(signed.company, email="boss@signed.example", is_primary=True)
    draft = create_contract(show=show)
    create_contact(draft.company)
    assert contracts.participating_company_ids(show.id) == {signed.company_id}
    assert contracts.primary_contacts(show.id) == [(signed.company, contact)]


def test_company_query_filters_and_sorts_in_sql(app):
    show = create_show()
    a = create_company("甲公司", "Alpha Tools", city="Ningbo")
    b = create_company("乙公司", "Beta Tools", city="Shanghai")
    create_application(a, show, "approved")
    create_application(b, show)
    found = db.session.scalars(
        companies.company_query(companies.CompanyFilters(show_id=show.id, state="approved"))
    ).all()
    assert found == [a]
    by_city = db.session.scalars(companies.company_query(companies.CompanyFilters(q="shang"))).all()
    assert by_city == [b]
    desc = db.session.scalars(
        companies.company_query(companies.CompanyFilters(sort="-name_en"))
    ).all()
    assert desc.index(b) < desc.index(a)
