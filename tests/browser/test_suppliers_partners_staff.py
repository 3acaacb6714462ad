"""In real Chromium: a service order from the exhibitor portal to the supplier's work list, a visitor
registering through a partner's link and showing in its contribution report, a task from creation
to completion."""

from playwright.sync_api import expect

from expo_crm import clock
from tests.factories import (
    PASSWORD,
    create_catalogue_item,
    create_contracted_company,
    create_partner,
    create_portal_user,
    create_show,
    create_staff,
    create_supplier,
)
from tests.helpers import sign_in_page


def _staff_sign_in(page, user) -> None:
    sign_in_page(page, user.email)


def _other_person(browser, live_server):
    """A separate browser context (its own cookies) on the same server: somebody else at another desk."""
    context = browser.new_context(base_url=live_server, locale="en-US")
    context.set_default_timeout(30_000)
    return context, context.new_page()


def test_portal_order_reaches_the_suppliers_work_list_and_moves_to_invoiced(
    page, browser, live_server
):
    show = create_show(name_en="Hardware Fair 2027")
    supplier = create_supplier("furniture", name_en="Boya Furniture Rental")
    create_catalogue_item(
        show, supplier, name_en="Glass display cabinet", price="380.00", unit="pcs"
    )
    company = create_contracted_company(show, name_en="Foshan Huamei Sanitary")
    portal_user = create_portal_user(company)
    service = create_staff("service", locale="en")

    page.goto("/portal/login")
    page.fill("input[name=email]", portal_user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/portal/**")
    page.goto("/portal/services")
    page.get_by_role("row", name="Glass display cabinet").get_by_role("link", name="Order").click()
    page.fill("input[name=quantity]", "3")
    page.get_by_role("button", name="Show the price").click()
    expect(page.locator("#quote")).to_contain_text("1,140.00", use_inner_text=True)
    page.get_by_role("button", name="Confirm order").click()
    expect(page.locator("body")).to_contain_text("was sent to the supplier")
    mine = page.locator("#my-orders").inner_text()
    assert "Glass display cabinet" in mine and "Ordered" in mine and "1,140.00" in mine

    context, staff_page = _other_person(browser, live_server)
    try:
        _staff_sign_in(staff_page, service)
        staff_page.goto(f"/suppliers/{supplier.id}/work?show_id={show.id}")
        row = staff_page.locator("#orders tbody tr", has_text="Foshan Huamei Sanitary")
        assert "Glass display cabinet" in row.inner_text() and "1,140.00" in row.inner_text()
        for target in ("Confirmed", "Delivered", "Invoiced"):
            row.get_by_role("button", name=f"Mark {target}").click()
            expect(row.locator(".state")).to_have_text(target, use_inner_text=True)
        assert row.get_by_role("button").count() == 0  # invoiced: nothing further
    finally:
        context.close()

    page.goto("/portal/services")
    expect(page.locator("#my-orders tbody tr .state").first).to_have_text(
        "Invoiced", use_inner_text=True
    )


def test_registration_through_a_partners_link_counts_in_its_report(page, browser, live_server):
    show = create_show(name_en="Hardware Fair 2027")
    partner = create_partner("association", name_en="Hardware Association")
    marketing = create_staff("marketing", locale="en")

    _staff_sign_in(page, marketing)
    page.goto(f"/partners/{partner.id}")
    page.select_option("form[action$='/codes'] select[name=show_id]", label="Hardware Fair 2027")
    page.fill("input[name=code]", "hwa-2027")
    page.get_by_role("button", name="Create code").click()
    expect(page.locator("body")).to_contain_text("Referral code HWA-2027 created.")
    link = page.locator("#codes input[readonly]").input_value()
    assert link.endswith(f"/visit/{show.id}/register?ref=HWA-2027")

    context, visitor_page = _other_person(browser, live_server)
    try:
        visitor_page.goto(link)
        visitor_page.fill("input[name=name]", "Anna Novak")
        visitor_page.fill("input[name=email]", "anna.novak@buyer.example")
        visitor_page.fill("input[name=company]", "Nordic Fasteners AB")
        visitor_page.check("input[name=terms]")
        visitor_page.get_by_role("button", name="Register and get my badge").click()
        visitor_page.wait_for_url(f"**/visit/{show.id}/registered**")
        # A made-up code registers the visitor all the same, attributed to nobody.
        visitor_page.goto(f"/visit/{show.id}/register?ref=NO-SUCH-CODE")
        visitor_page.fill("input[name=name]", "Tom Brown")
        visitor_page.fill("input[name=email]", "tom.brown@buyer.example")
        visitor_page.check("input[name=terms]")
        visitor_page.get_by_role("button", name="Register and get my badge").click()
        visitor_page.wait_for_url(f"**/visit/{show.id}/registered**")
    finally:
        context.close()

    page.get_by_role("link", name="Hardware Fair 2027").first.click()
    page.wait_for_url(f"**/partners/{partner.id}/report/{show.id}")
    expect(page.locator("#total-registrations")).to_have_text("1", use_inner_text=True)
    expect(page.locator("#contribution")).to_contain_text("HWA-2027", use_inner_text=True)
    expect(page.locator("#checkin-rate")).to_have_text("0.0 %", use_inner_text=True)


def test_a_task_from_creation_to_completion(page, browser, live_server):
    me = create_staff("sales", name="Li Ming", locale="en")
    today = clock.now().date()

    _staff_sign_in(page, me)
    page.goto("/my-work")
    page.get_by_role("link", name="New task").click()
    page.fill("input[name=title]", "Send the floor plan to Huamei")
    page.fill("textarea[name=description]", "They asked for the hall W1 plan")
    page.fill("input[name=due_date]", today.isoformat())
    page.get_by_role("button", name="Create task").click()
    expect(page.locator("#task-state")).to_have_text("Open", use_inner_text=True)

    page.goto("/my-work")
    expect(page.locator("#due-today")).to_contain_text("Due today (1)", use_inner_text=True)
    page.get_by_role("link", name="Send the floor plan to Huamei").click()
    page.get_by_role("button", name="Complete").click()
    expect(page.locator("body")).to_contain_text("Write down the outcome.")
    page.fill("textarea[name=outcome]", "Sent by email, they confirmed")
    page.get_by_role("button", name="Complete").click()
    expect(page.locator("#task-state")).to_have_text("Done", use_inner_text=True)
    expect(page.locator("#outcome")).to_have_text(
        "Sent by email, they confirmed", use_inner_text=True
    )

    page.goto("/my-work")
    expect(page.locator("#due-today")).to_contain_text("Due today (0)", use_inner_text=True)
    page.goto("/tasks?state=done")
    expect(page.locator("table.tasks")).to_contain_text(
        "Send the floor plan to Huamei", use_inner_text=True
    )
