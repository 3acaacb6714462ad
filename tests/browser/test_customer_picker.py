"""In real Chromium: a service agent records a complaint without knowing the customer's number,
finding the company by part of its name with the keyboard in the customer picker."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from expo_crm.db import db
from expo_crm.relationships.models import Complaint
from tests.factories import create_lc_company, create_lc_visitor, create_staff
from tests.helpers import sign_in_page


def test_complaint_on_a_company_picked_by_part_of_its_name(page, app):
    agent = create_staff("service", locale="en")
    create_lc_company("Ningbo Hinge Co")
    company = create_lc_company("Ningbo Lock Works")
    create_lc_visitor("Lockhart Visitor")

    sign_in_page(page, agent.email)
    page.goto("/relationships/complaints/new?kind=visitor")
    search = page.get_by_role("combobox", name="Find the customer")
    search.press_sequentially("lock wo")
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(listbox.get_by_role("option").first).to_contain_text("Ningbo Lock Works")
    expect(search).to_have_attribute("aria-expanded", "true")

    search.press("ArrowDown")
    expect(listbox.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    search.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Ningbo Lock Works")
    expect(page.locator("input[name=subject_id]")).to_have_value(str(company.id))
    expect(page.locator("select[name=kind]")).to_have_value("exhibitor")
    expect(search).to_have_attribute("aria-expanded", "false")

    page.fill("textarea[name=description]", "The stand's power was off for two hours.")
    page.get_by_role("button", name="Record complaint").click()
    page.wait_for_url("**/relationships/complaints/*")

    db.session.rollback()  # a fresh snapshot: the server committed the complaint
    complaint = db.session.scalars(sa.select(Complaint)).one()
    assert complaint.company_id == company.id and complaint.visitor_id is None
