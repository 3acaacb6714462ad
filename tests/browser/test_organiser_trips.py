"""In real Chromium: what an organiser trips over in a day's work (issue 14 items 2, 7, 8, 10)."""

from playwright.sync_api import expect

from expo_crm.db import db
from expo_crm.exhibitors import booths
from tests.factories import create_application, create_booth, create_show, create_staff
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
