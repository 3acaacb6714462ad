"""Small helpers for tests that drive the app through its HTTP interface or in processes of its own."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def post_form(client, url: str, data: dict, *, page: str | None = None, **kwargs):
    """GET the form page (url unless page is given), take its CSRF token, POST the data."""
    response = client.get(page or url)
    token = csrf_from(response.get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def login(client, email: str, password: str = "correct-horse-battery"):
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def text_of(response) -> str:
    return response.get_data(as_text=True)


def sign_in_page(page, email: str, password: str = "correct-horse-battery") -> None:
    """Sign a staff member in through the real form in the browser, landing on the dashboard."""
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard")


def process_env(database_url: str, instance: Path, **settings: str) -> dict[str, str]:
    """The environment for an expo-crm process the test starts: this test's database and instance
    folder, the test's own EXPO_CRM_* settings left out, `settings` (SMTP_URL=...) added."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("EXPO_CRM_") or k == "EXPO_CRM_SQLITE_BUSY_SECONDS"
    }
    env.update(
        {
            "EXPO_CRM_DATABASE_URL": database_url,
            "EXPO_CRM_INSTANCE_PATH": str(instance),
            "EXPO_CRM_SECRET_KEY": "test-secret-key",
            "EXPO_CRM_BASE_URL": "http://localhost",
        }
    )
    env.update({f"EXPO_CRM_{name}": value for name, value in settings.items()})
    return env


def row_counts() -> dict[str, int]:
    """How many rows each table holds, read afresh (the test's read snapshot is ended first)."""
    import sqlalchemy as sa

    from expo_crm.db import db

    db.session.rollback()
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }
