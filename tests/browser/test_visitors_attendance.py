"""In real Chromium: the live attendance page picks up a check-in made at a gate device without
being reloaded (its timer is fast-forwarded instead of waited for)."""

import uuid

from playwright.sync_api import expect

from expo_crm import clock
from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.visitors import attendance
from tests.factories import (
    create_gate_token,
    create_open_show,
    create_registration,
    create_staff,
)
from tests.helpers import sign_in_page


def test_live_attendance_updates_after_a_check_in_without_reload(page, app):
    # The server's clock is held, so that the test can move it past the few seconds for which
    # the live figures are shared between pollers (attendance.LIVE_MAX_AGE).
    clock.freeze(clock.now())
    show = create_open_show(name_en="Hardware Fair 2027")
    token = create_gate_token(show)
    _, code = create_registration(
        show, name="张伟", category="professional", country="DE", industry="hardware"
    )
    create_registration(show, name="李娜", category="general", country="CN")
    user = create_staff(Role.marketing)

    page.clock.install()
    sign_in_page(page, user.email)
    page.goto(f"/visitors/attendance/{show.id}")
    expect(page.locator("#att-registered")).to_have_text("2")
    expect(page.locator("#att-checked-in")).to_have_text("0")
    expect(_row(page, "by-category", "Trade visitor")).to_have_text(["Trade visitor", "1", "0"])
    expect(page.locator("#chart-by-gate .no-data")).to_have_text("No data yet.")
    expect(page.locator("#chart-arrivals .no-data")).to_be_visible()
    page.evaluate("window.notReloaded = true")

    db.session.commit()
    response = page.request.post(
        "/api/v1/checkins",
        headers={"Authorization": f"Bearer {token}"},
        data={"code": code, "gate": "E2", "direction": "in", "nonce": str(uuid.uuid4())},
    )
    assert response.status == 201
    clock.travel(attendance.LIVE_MAX_AGE)
    page.clock.fast_forward("00:16")

    expect(page.locator("#att-checked-in")).to_have_text("1")
    expect(page.locator("#att-inside")).to_have_text("1")
    expect(_row(page, "by-category", "Trade visitor")).to_have_text(["Trade visitor", "1", "1"])
    expect(_row(page, "by-country", "Germany")).to_have_text(["Germany", "1", "1"])
    expect(_row(page, "by-gate", "E2")).to_have_text(["E2", "1"])
    expect(page.locator("#chart-by-gate .no-data")).to_have_count(0)
    expect(page.locator("#chart-arrivals .chart-numbers tbody tr")).to_have_count(1)
    expect(page.locator("#chart-arrivals .chart-numbers tbody td")).to_have_text(["1"])
    expect(page.locator("#chart-arrivals .echart svg")).to_have_count(1)
    assert page.evaluate("window.notReloaded") is True


def _row(page, chart: str, label: str):
    """The cells of one row of the numbers beside a chart."""
    row = page.locator(f"#chart-{chart} .chart-numbers tbody tr").filter(
        has=page.locator("th", has_text=label)
    )
    return row.locator("th, td")
