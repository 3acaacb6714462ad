"""In real Chromium: what the system wrote reads in the reader's language. A Chinese-speaking and
an English-speaking administrator open the same timelines, tasks, alerts, outbox, service plan and
supplier catalogue, and neither meets a system sentence in the other language."""

from __future__ import annotations

import re

from expo_crm import clock
from tests.factories import EVALUATED, create_system_text_world
from tests.helpers import sign_in_page

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
ENGLISH_SYSTEM_TEXT = (
    "Registered for",
    "Checked in at gate",
    "Survey answered",
    "Email sent",
    "Applied for",
    "Shell scheme",
    " signed",
    "Complaint",
    "Retention",
    "Low survey score",
    "On-site service",
    "night",
    "visitors.invite",
    "exhibitors+visitors",
    "Weakening",
)


def _system_rows(page, world) -> dict[str, str]:
    """The system-written parts of each page, as the reader sees them."""
    seen = {}
    page.goto(f"/relationships/visitor/{world.visitor_id}")
    seen["visitor timeline"] = "\n".join(page.locator("#timeline li strong").all_inner_texts())
    page.goto(f"/relationships/exhibitor/{world.company_id}")
    seen["exhibitor timeline"] = "\n".join(page.locator("#timeline li strong").all_inner_texts())
    page.goto("/tasks?owner=all&state=all")
    seen["task list"] = "\n".join(page.locator("tr[id^=task-] td:first-child").all_inner_texts())
    page.goto("/relationships/alerts?mine=0&state=all")
    seen["alert inbox"] = "\n".join(
        page.locator(
            "#alerts tbody td:nth-child(3), #alerts tbody td:nth-child(5)"
        ).all_inner_texts()
    )
    page.goto("/mail/outbox")
    seen["outbox"] = page.locator("table.table tbody").inner_text()
    page.goto(f"/jobs/plans/{world.show.id}")
    seen["service plan"] = page.locator("table.plan tbody").inner_text()
    page.goto(f"/suppliers/catalogue?show_id={world.show.id}")
    seen["supplier catalogue"] = "\n".join(
        page.locator("#catalogue tbody td:nth-child(3)").all_inner_texts()
    )
    return seen


def _open_as(browser, live_server, user):
    context = browser.new_context(base_url=live_server, locale="en-US")
    context.set_default_timeout(30_000)
    page = context.new_page()
    sign_in_page(page, user.email)
    return context, page


def test_system_text_is_read_in_the_readers_language(browser, live_server, app):
    world = create_system_text_world()
    clock.freeze(EVALUATED)

    context, page = _open_as(browser, live_server, world.staff_en)
    english = _system_rows(page, world)
    context.close()
    for where, text in english.items():
        assert text.strip(), f"nothing system-written found on the {where}"
        assert not CJK.search(text), f"Chinese system text in the English {where}: {text!r}"
    assert "Checked in at gate W1" in english["visitor timeline"]
    assert "Retention: Ningbo Lock Works" in english["task list"]
    assert "night" in english["supplier catalogue"]

    context, page = _open_as(browser, live_server, world.staff_zh)
    chinese = _system_rows(page, world)
    context.close()
    for where, text in chinese.items():
        assert text.strip(), f"nothing system-written found on the {where}"
        leaked = [s for s in ENGLISH_SYSTEM_TEXT if s in text]
        assert not leaked, f"English system text {leaked} in the Chinese {where}: {text!r}"
    assert "在 W1 入口签到" in chinese["visitor timeline"]
    assert "投诉：现场服务" in chinese["exhibitor timeline"]
    assert "客户挽留：Ningbo Lock Works" in chinese["task list"]
    assert "弱化" in chinese["alert inbox"]
    assert "晚" in chinese["supplier catalogue"]
    assert "参展商和观众" in chinese["service plan"]
