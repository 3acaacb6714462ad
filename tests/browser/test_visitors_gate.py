"""In real Chromium: gate staff type or scan badge codes on the gate page and get a big green or
red answer; through a network drop the scans queue on the device and go out when it is back."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.visitors import services
from expo_crm.visitors.models import Registration, Scan, ScanResult
from tests.factories import create_open_show, create_registration, create_staff
from tests.helpers import sign_in_page

GREEN = re.compile(r"\bok\b")
RED = re.compile(r"\bbad\b")


@pytest.fixture
def gate_page(page, app):
    """A gate staff member signed in on the gate page of a show open today."""
    show = create_open_show(name_en="Hardware Fair 2027")
    user = create_staff(Role.gate)
    sign_in_page(page, user.email)
    page.goto(f"/visitors/gate/{show.id}")
    page.fill("#gate-name", "W2")
    page.press("#gate-name", "Enter")
    # End the test's read snapshot: on SQLite a stale one cannot write after the server did.
    db.session.commit()
    return page, show


def scan(page, code: str) -> None:
    """What a hand scanner does: type the code wherever the focus is, then Enter."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def scans() -> list[Scan]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(Scan).order_by(Scan.id)))


def test_a_valid_badge_turns_the_gate_green_with_name_and_category(gate_page):
    page, show = gate_page
    registration, code = create_registration(
        show, name="张伟", company="上海五金贸易", category="professional"
    )
    expect(page.locator("#gate-code")).to_be_focused()
    page.click("h1")  # focus lost: the scanner's keys still reach the code box
    scan(page, code)
    answer = page.locator("#gate-answer")
    expect(answer).to_have_class(GREEN)
    expect(answer).to_contain_text("Welcome")
    expect(answer).to_contain_text("张伟")
    expect(answer).to_contain_text("Trade visitor")
    expect(page.locator("#gate-log li").first).to_contain_text("张伟")
    db.session.refresh(registration)
    assert registration.inside and registration.first_gate == "W2"

    scan(page, code)
    expect(answer).to_have_class(RED)
    expect(answer).to_contain_text("Already inside")
    expect(answer).to_contain_text("First entry")
    assert [s.result for s in scans()] == [ScanResult.admitted, ScanResult.already_inside]


def test_an_unknown_or_revoked_badge_turns_the_gate_red(gate_page):
    page, show = gate_page
    registration, old_code = create_registration(show, name="Anna Müller")
    services.reprint_badge(registration, "lost")
    db.session.commit()
    answer = page.locator("#gate-answer")

    scan(page, old_code)
    expect(answer).to_have_class(RED)
    expect(answer).to_contain_text("Badge revoked")
    expect(answer).to_contain_text("Anna Müller")

    scan(page, "EC1." + "A" * 43)
    expect(answer).to_have_attribute("data-code", "unknown")
    expect(answer).to_have_class(RED)
    expect(answer).to_contain_text("Unknown badge")

    scan(page, "not a badge at all")
    expect(page.locator("#gate-log li")).to_have_count(3)
    expect(page.locator("#gate-log li.bad")).to_have_count(3)
    assert [s.result for s in scans()] == [
        ScanResult.revoked,
        ScanResult.unknown,
        ScanResult.unknown,
    ]
    db.session.refresh(registration)
    assert not registration.inside and registration.first_checked_in_at is None


def test_scans_queue_through_a_network_drop_and_are_sent_when_it_is_back(gate_page):
    page, show = gate_page
    first, first_code = create_registration(show, name="陈静")
    second, second_code = create_registration(show, name="Tom Baker")
    second_code_revoked = second_code
    services.cancel_registration(second)
    db.session.commit()
    answer = page.locator("#gate-answer")

    page.context.set_offline(True)
    scan(page, first_code)
    expect(answer).to_contain_text("No network: scan queued")
    expect(page.locator("#gate-online")).to_contain_text("Offline")
    scan(page, second_code_revoked)
    expect(page.locator("#gate-queue")).to_have_text("Queued scans: 2")
    assert scans() == []

    page.context.set_offline(False)
    expect(answer).to_contain_text("Network back: queued scans sent: 2")
    expect(answer).to_contain_text("Refused among them: 1")
    expect(answer).to_have_class(RED)
    expect(page.locator("#gate-queue")).to_have_text("")
    log = page.locator("#gate-log li")
    expect(log).to_have_count(2)
    expect(log.nth(0)).to_contain_text("Tom Baker")
    expect(log.nth(0)).to_contain_text("Badge revoked")
    expect(log.nth(1)).to_contain_text("陈静")
    expect(log.nth(1)).to_contain_text("sent after the network came back")
    assert [(s.result, s.gate) for s in scans()] == [
        (ScanResult.admitted, "W2"),
        (ScanResult.revoked, "W2"),
    ]
    db.session.refresh(first)
    assert first.inside

    # The queue is empty again: the next scan is answered at once.
    scan(page, first_code)
    expect(answer).to_contain_text("Already inside")
    assert page.evaluate(f"localStorage.getItem('expo-gate-queue-{show.id}')") == "[]"


def test_the_gate_page_needs_a_signed_in_gate_user(page, app):
    show = create_open_show()
    page.goto(f"/visitors/gate/{show.id}")
    assert "/login" in page.url
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0


def test_the_log_reads_show_time_and_another_shows_badge_names_its_show(browser, live_server, app):
    """A gate browser set to New York still shows Shanghai times for a Shanghai show."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    context = browser.new_context(
        base_url=live_server, locale="en-US", timezone_id="America/New_York"
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    show = create_open_show(name_en="Hardware Fair 2027", timezone="Asia/Shanghai")
    other = create_open_show(name_en="Lighting Fair 2027")
    _, code = create_registration(other, name="Wang Fang")
    sign_in_page(page, create_staff(Role.gate).email)
    page.goto(f"/visitors/gate/{show.id}")
    db.session.commit()
    scan(page, code)
    answer = page.locator("#gate-answer")
    expect(answer).to_have_class(RED)
    expect(answer).to_contain_text("This badge is for Lighting Fair 2027")
    entry = page.locator("#gate-log li").first
    expect(entry).to_contain_text("Lighting Fair 2027")
    shown = re.match(r"(\d\d):(\d\d):(\d\d)", entry.inner_text())
    [stored] = scans()
    local = stored.at.astimezone(ZoneInfo("Asia/Shanghai"))
    at = datetime.combine(local.date(), datetime.min.time(), local.tzinfo).replace(
        hour=int(shown[1]) % 24, minute=int(shown[2]), second=int(shown[3])
    )
    assert abs(at - local) < timedelta(minutes=2), (entry.inner_text(), local)
    context.close()
