"""Small helpers for tests that drive the app through its HTTP interface."""

from __future__ import annotations

import re

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
