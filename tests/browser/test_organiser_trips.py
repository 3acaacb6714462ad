"""In real Chromium: what an organiser trips over in a day's work (issue 14 items 2, 7, 8, 10)."""

from playwright.sync_api import expect

from expo_crm.db import db
from expo_crm.exhibitors import booths
from tests.factories import (
    create_application,
    create_booth,
    create_contract,
    create_registration,
    create_show,
    create_staff,
)
from tests.helpers import sign_in_page


def test_a_booth_sold_meanwhile_is_refused_on_the_page_in_chinese(page, app):
    """Two salespeople pick the same booth: the second is sent back to the application with the
    refusal in Chinese, not shown a bare English "Redirecting..." page."""
    user = create_staff("sales", locale="zh")
    show = create_show()
    booth = create_booth(show, number="E2-001")
    first = create_application(show=show, state="approved")
    second = create_application(show=show, state="approved")
    sign_in_page(page, user.email)
    page.goto(f"/exhibitors/applications/{second.id}")

    db.session.rollback()  # a fresh snapshot: the signed-in server has written since
    booths.assign_booth(db.session.get(type(first), first.id), booth.id)
    db.session.commit()
    page.click("#assign-form button[type=submit]")

    page.wait_for_url(f"**/exhibitors/applications/{second.id}")
    expect(page.get_by_role("alert")).to_contain_text("E2-001", use_inner_text=True)
    expect(page.get_by_role("alert")).to_contain_text("展位", use_inner_text=True)
    expect(page.locator("body")).not_to_contain_text("Redirecting", use_inner_text=True)


def test_cancelling_a_contract_asks_for_a_reason_keeps_it_and_leaves_nothing_outstanding(page, app):
    user = create_staff("sales", locale="en")
    contract = create_contract(area="18", price="1680", signed=True)
    sign_in_page(page, user.email)
    page.goto(f"/exhibitors/contracts/{contract.id}")
    expect(page.locator("#outstanding")).to_contain_text("30,240.00", use_inner_text=True)

    page.get_by_role("button", name="Cancel contract…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("cannot be undone", use_inner_text=True)
    dialog.get_by_role("button", name="Cancel the contract").click()
    expect(page.locator("#contract-state")).to_have_text("Signed", use_inner_text=True)  # asked

    page.fill("#cancel-contract-reason", "Exhibitor withdrew: factory relocation")
    dialog.get_by_role("button", name="Cancel the contract").click()
    expect(page.locator("#contract-state")).to_have_text("Cancelled", use_inner_text=True)
    expect(page.locator("#cancellation")).to_contain_text("factory relocation", use_inner_text=True)
    expect(page.locator("#outstanding")).to_contain_text("0.00", use_inner_text=True)
    expect(page.locator("#outstanding")).not_to_contain_text("30,240", use_inner_text=True)
    db.session.rollback()
    stored = db.session.get(type(contract), contract.id)
    assert stored.cancel_reason == "Exhibitor withdrew: factory relocation"


def test_reprinting_a_badge_asks_first_and_keeps_the_reason(page, app):
    user = create_staff("service", locale="en")
    registration, _code = create_registration(create_show())
    sign_in_page(page, user.email)
    page.goto(f"/visitors/registrations/{registration.id}")

    page.get_by_role("button", name="Reprint with a new code…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("will no longer open the gate", use_inner_text=True)
    page.fill("#reprint-badge-reason", "Badge lost at the hotel")
    dialog.get_by_role("button", name="Revoke it and issue a new code").click()
    expect(page.locator(".revoke-note")).to_contain_text(
        "Badge lost at the hotel", use_inner_text=True
    )
