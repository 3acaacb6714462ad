"""The show's accounts at Canton-Fair scale: the totals, the overdue invoices and the accountant's
balances are computed in the database and must equal, to the cent, what the per-contract rule in
Python gives for every contract; the overview lists the contracts a page at a time."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from expo_crm import clock
from expo_crm.db import db, writing
from expo_crm.exhibitors.contracts import cancel_contract, recalculate_contract
from expo_crm.exhibitors.models import Contract, ContractState
from expo_crm.exhibitors.payments import record_payment
from expo_crm.exhibitors.services import ExhibitorError
from expo_crm.invoicing import services
from expo_crm.invoicing.accounts import (
    ZERO,
    ShowTotals,
    overdue_balances,
    show_accounts,
    show_totals,
)
from expo_crm.invoicing.models import CreditCause
from expo_crm.invoicing.services import InvoicingError, organiser_today
from tests.factories import (
    PASSWORD,
    create_company,
    create_contract,
    create_issuer,
    create_show,
    create_staff,
)
from tests.factories.suppliers import create_contracted_company
from tests.helpers import login, text_of

FIGURES = ("invoiced", "credited", "paid", "due", "overdue", "not_invoiced")
DAYS_LATER = (0, 2, 31, 400)  # nothing due yet, the first invoices due, all due


def _python_totals(show_id: int, today) -> ShowTotals:
    accounts = show_accounts(show_id, today)
    return ShowTotals(len(accounts.accounts), *(accounts.total(name) for name in FIGURES))


def _python_overdue(show_id: int, today) -> list[tuple]:
    return [
        (b.invoice.id, b.credited, b.paid, b.open)
        for a in show_accounts(show_id, today).accounts
        for b in a.invoices
        if b.overdue
    ]


def _assert_sql_equals_python(show_id: int) -> None:
    today = organiser_today()
    for days in DAYS_LATER:
        day = today + timedelta(days=days)
        assert show_totals(show_id, day) == _python_totals(show_id, day), day
        found = [(b.invoice.id, b.credited, b.paid, b.open) for b in overdue_balances(show_id, day)]
        assert sorted(found) == sorted(_python_overdue(show_id, day)), day


def _act(fn, *args, **kwargs):
    with writing():
        done = fn(*args, **kwargs)
        db.session.commit()
    return done


def _varied_show():
    """Seven contracts of every kind, and another show's that must not count."""
    create_issuer()
    show = create_show()
    today = organiser_today()
    # 27,000: a deposit due in a day and the rest in 30; 5,000 paid settles the deposit in part.
    partly = create_contract(
        create_company(name_zh="甲"), show, area="18", price="1500", signed=True
    )
    _act(services.issue_invoice, partly.id, amount="8100", due_on=today + timedelta(days=1))
    _act(services.issue_invoice, partly.id, due_on=today + timedelta(days=30))
    _act(services.issue_receipt, _act(record_payment, partly.id, "5000").id)
    # 10,000 invoiced, 2,000 credited as a correction, 3,000 paid.
    credited = create_contract(
        create_company(name_zh="乙"), show, area="10", price="1000", signed=True
    )
    invoice = _act(services.issue_invoice, credited.id, due_on=today + timedelta(days=1))
    _act(services.credit_invoice, invoice.id, CreditCause.corrected, "金额有误", "2000")
    _act(record_payment, credited.id, "3000")
    # Invoiced and partly paid, then cancelled: credited in full, owes nothing.
    cancelled = create_contract(create_company(name_zh="丙"), show, signed=True)
    _act(services.issue_invoice, cancelled.id, due_on=today + timedelta(days=1))
    _act(record_payment, cancelled.id, "1000")
    _act(cancel_contract, cancelled, "预算取消")
    # Signed, nothing invoiced yet: all of it not yet invoiced.
    create_contract(create_company(name_zh="丁"), show, area="12", price="1000", signed=True)
    # Invoiced, paid in full and more than its first invoice: the overpayment settles the next.
    paid = create_contract(create_company(name_zh="戊"), show, area="10", price="1000", signed=True)
    _act(services.issue_invoice, paid.id, amount="4000", due_on=today + timedelta(days=1))
    _act(services.issue_invoice, paid.id, amount="3000", due_on=today + timedelta(days=30))
    _act(record_payment, paid.id, "5500")
    # Discounted after invoicing: the excess is credited and the total shrinks.
    reduced = create_contract(
        create_company(name_zh="己"), show, area="10", price="1000", signed=True
    )
    _act(services.issue_invoice, reduced.id, due_on=today + timedelta(days=30))
    _act(recalculate_contract, reduced, discount=Decimal("1500"))
    # Unsigned, with documents (its state set back by an import): listed, owes its invoices.
    unsigned = create_contract(
        create_company(name_zh="庚"), show, area="10", price="900", signed=True
    )
    _act(services.issue_invoice, unsigned.id, amount="2500", due_on=today + timedelta(days=1))
    db.session.execute(
        sa.update(Contract).where(Contract.id == unsigned.id).values(state=ContractState.draft)
    )
    db.session.commit()
    # A draft with a deposit paid and no document: not listed.
    draft = create_contract(create_company(name_zh="辛"), show, area="10", price="1000")
    _act(record_payment, draft.id, "700")
    # Another show's contract, invoiced and overdue later: not counted.
    other = create_contract(create_company(name_zh="壬"), create_show(), signed=True)
    _act(services.issue_invoice, other.id, due_on=today + timedelta(days=1))
    return show


def test_the_totals_in_sql_equal_the_sums_of_every_contracts_account(app):
    show = _varied_show()
    _assert_sql_equals_python(show.id)
    day = organiser_today()
    later = show_totals(show.id, day + timedelta(days=2))
    # Due: 27,000 - 5,000, 8,000 - 3,000, the cancelled 0, 7,000 - 5,500, 8,500 and 2,500.
    assert later == ShowTotals(
        contracts=7,
        invoiced=Decimal("27000") + 10000 + 27000 + 7000 + 10000 + 2500,
        credited=Decimal("2000") + 27000 + 1500,
        paid=Decimal("5000") + 3000 + 1000 + 5500,
        due=Decimal("39500.00"),
        # Overdue: the deposit's 3,100, the corrected invoice's 5,000, the unsigned one's 2,500.
        overdue=Decimal("10600.00"),
        # Left to invoice: the credited 2,000, the uninvoiced 12,000, the paid one's 3,000.
        not_invoiced=Decimal("17000.00"),
    )
    assert show_totals(show.id, day).overdue == ZERO
    assert show_totals(show.id, day + timedelta(days=31)).overdue == later.due


def test_the_reminder_job_and_the_workbook_read_the_same_balances_as_the_contract_page(app, client):
    show = _varied_show()
    later = organiser_today() + timedelta(days=2)
    overdue = {b.invoice.number: b.open for b in overdue_balances(show.id, later)}
    assert sorted(overdue.values()) == [Decimal("2500.00"), Decimal("3100.00"), Decimal("5000.00")]

    clock.freeze(clock.now() + timedelta(days=2))
    login(client, create_staff("sales").email, PASSWORD)
    response = client.get(f"/invoicing/shows/{show.id}/invoices.xlsx")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))[1:]
    balances = {
        b.invoice.number: b
        for a in show_accounts(show.id, organiser_today()).accounts
        for b in a.invoices
    }
    assert len(rows) == 12  # 8 invoices, 3 credit notes and a receipt
    for number, kind, *_rest, open_amount, is_overdue in rows:
        if number in balances:
            assert Decimal(str(open_amount)).quantize(ZERO) == balances[number].open, number
            assert is_overdue == ("yes" if balances[number].overdue else "no"), number
            assert (number in overdue) == balances[number].overdue
        else:
            assert kind in ("Credit note", "Receipt") and open_amount is None and not is_overdue


def test_the_overview_shows_the_shows_totals_and_pages_through_its_contracts(app, client):
    show = _varied_show()
    for n in range(20):
        create_contracted_company(show, name_en=f"Paging {n:02d}", commit=False)
    db.session.commit()
    clock.freeze(clock.now() + timedelta(days=2))
    totals = show_totals(show.id, organiser_today())
    assert totals.contracts == 27
    login(client, create_staff("sales").email, PASSWORD)

    first = text_of(client.get(f"/invoicing/?show={show.id}"))
    assert "Total of all 27 contracts" in first and "Page 1 of 2" in first
    assert 'id="total-due">39,500.00<' in first and 'id="total-overdue">10,600.00<' in first
    assert 'id="total-not-invoiced">17,000.00<' in first
    next_link = re.search(r'href="([^"]+)" rel="next"|<a href="([^"]+)">Next', first)
    link = (next_link.group(1) or next_link.group(2)).replace("&amp;", "&")
    assert f"show={show.id}" in link and "page=2" in link  # the pager keeps the show

    second = text_of(client.get(link))
    assert "Page 2 of 2" in second and 'id="total-due">39,500.00<' in second
    on_first = set(re.findall(r'data-contract="([^"]+)"', first))
    on_second = set(re.findall(r'data-contract="([^"]+)"', second))
    assert len(on_first) == 25 and len(on_second) == 2 and not on_first & on_second
    listed = {a.contract.number for a in show_accounts(show.id, organiser_today()).accounts}
    assert on_first | on_second == listed
    # A page past the end shows the last one; a page number that is no number, the first.
    assert "Page 2 of 2" in text_of(client.get(f"/invoicing/?show={show.id}&page=9"))
    assert "Page 1 of 2" in text_of(client.get(f"/invoicing/?show={show.id}&page=x"))


CONTRACTS = st.lists(
    st.fixed_dictionaries(
        {
            "area": st.integers(min_value=1, max_value=20),
            "signed": st.booleans(),
            # (share of what is left to invoice, in %, days until due)
            "invoices": st.lists(st.tuples(st.integers(1, 100), st.integers(0, 45)), max_size=3),
            # (which invoice, share of what is left of it, in %)
            "credits": st.lists(st.tuples(st.integers(0, 2), st.integers(1, 100)), max_size=2),
            "payments": st.lists(st.integers(1, 100), max_size=3),  # share of the total, in %
            "ending": st.sampled_from(["none", "none", "reduced", "cancelled", "back_to_draft"]),
        }
    ),
    min_size=1,
    max_size=4,
)


def _build(show, spec, today):
    contract = create_contract(
        create_company(), show, area=str(spec["area"]), price="1234.57", signed=spec["signed"]
    )
    total = Decimal(contract.total_amount)  # cents and all
    invoices = []
    for share, days in spec["invoices"]:
        amount = (total * share / 100).quantize(Decimal("0.01"))
        try:
            invoices.append(
                _act(
                    services.issue_invoice,
                    contract.id,
                    amount=amount,
                    due_on=today + timedelta(days=days),
                )
            )
        except InvoicingError:  # unsigned, or nothing that much left to invoice
            db.session.rollback()
    for which, share in spec["credits"]:
        if which < len(invoices):
            amount = (invoices[which].amount * share / 100).quantize(Decimal("0.01"))
            try:
                _act(
                    services.credit_invoice, invoices[which].id, CreditCause.corrected, "改", amount
                )
            except InvoicingError:  # credited that much already
                db.session.rollback()
    for share in spec["payments"]:
        try:
            _act(record_payment, contract.id, (total * share / 100).quantize(Decimal("0.01")))
        except ExhibitorError:  # more than is outstanding
            db.session.rollback()
    if spec["ending"] == "reduced":  # a discount: what was invoiced above the total is credited
        contract = db.session.get(Contract, contract.id)
        try:
            _act(recalculate_contract, contract, discount=(total / 5).quantize(Decimal("0.01")))
        except ExhibitorError:  # less than what was paid
            db.session.rollback()
    elif spec["ending"] == "cancelled":
        _act(cancel_contract, db.session.get(Contract, contract.id), "取消")
    elif spec["ending"] == "back_to_draft":
        db.session.execute(
            sa.update(Contract).where(Contract.id == contract.id).values(state=ContractState.draft)
        )
        db.session.commit()


@pytest.fixture
def issuer(app):
    return create_issuer()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(contracts=CONTRACTS)
def test_any_show_totals_in_sql_as_the_sum_of_its_contracts_accounts(issuer, contracts):
    show = create_show()  # a show of its own per example: the others do not count
    today = organiser_today()
    for spec in contracts:
        _build(show, spec, today)
    _assert_sql_equals_python(show.id)
