"""Rate limits (issue 13, finding 9): with the default storage the counters are shared by every
worker process, so two workers do not let through twice the limit; behind a reverse proxy the
client's forwarded address counts, but only when the proxy is configured as trusted."""

from __future__ import annotations

import http.cookiejar
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import sqlalchemy as sa

from expo_crm.auth.models import SignInAddress
from expo_crm.db import db
from expo_crm.visitors import services
from tests.conftest import IsolatedClient, _free_port, _make_app
from tests.factories import create_show, create_staff
from tests.helpers import ROOT, csrf_from, process_env, text_of


class _Browser:
    """A cookie-keeping client of one server that posts forms with their CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def post_form(self, path: str, data: dict) -> int:
        page = self.opener.open(self.base + path, timeout=30).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, **data}).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as refused:
            return refused.code


@pytest.fixture
def two_workers(app, tmp_path):
    """Two web processes on one machine, one instance folder and database, started with the
    default settings (no EXPO_CRM_RATELIMIT_STORAGE_URL), as two gunicorn workers would be."""
    database_url = db.engine.url.render_as_string(hide_password=False)
    env = process_env(database_url, tmp_path / "instance")
    servers, processes = [], []
    for _ in range(2):
        port = _free_port()
        command = [sys.executable, "-m", "expo_crm", "serve", "--port", str(port)]
        command += ["--workers", "1", "--threads", "4"]
        processes.append(
            subprocess.Popen(
                command,
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
        servers.append(f"http://127.0.0.1:{port}")
    try:
        for url, process in zip(servers, processes, strict=True):
            _wait_until_up(url, process)
        yield servers
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server at {url} exited: {process.stderr.read()[-2000:]}")
        try:
            urllib.request.urlopen(url + "/login", timeout=5).read()
            return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"server at {url} did not come up")


def test_two_workers_share_the_registration_limit_by_default(app, two_workers):
    services.ensure_default_rules()
    show = create_show()
    db.session.commit()
    path = f"/visit/{show.id}/register"
    form = {"name": "Li Na", "email": "li.na@example.cn", "country": "CN", "locale": "en"}
    first, second = (_Browser(url) for url in two_workers)
    # Ten attempts a minute from one address (terms not accepted: refused, but counted).
    statuses = [first.post_form(path, form) for _ in range(5)]
    statuses += [second.post_form(path, form) for _ in range(5)]
    assert statuses == [200] * 10
    assert first.post_form(path, form | {"terms": "y"}) == 429
    assert second.post_form(path, form | {"terms": "y"}) == 429


# --- behind a reverse proxy --------------------------------------------------------------


def failed_sign_ins(client, email: str, times: int) -> list[int]:
    token = csrf_from(text_of(client.get("/login")))
    form = {"csrf_token": token, "email": email, "password": "wrong-password-1"}
    return [client.post("/login", data=form).status_code for _ in range(times)]


def forwarded_for(app, address: str):
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = address
    return client


def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(database_url, tmp_path):
    app = _make_app(database_url, tmp_path, TRUSTED_PROXIES=1)
    app.test_client_class = IsolatedClient
    with app.app_context():
        user = create_staff()
        assert 429 not in failed_sign_ins(forwarded_for(app, "198.51.100.1"), user.email, 10)
        assert failed_sign_ins(forwarded_for(app, "198.51.100.1"), user.email, 1) == [429]
        # Another client behind the same proxy is not refused for the first one's attempts.
        assert failed_sign_ins(forwarded_for(app, "198.51.100.2"), user.email, 1) == [400]
        # Sign-in throttling sees the clients' addresses too, not the proxy's.
        db.session.rollback()
        addresses = set(db.session.scalars(sa.select(SignInAddress.address)))
        assert addresses == {"198.51.100.1", "198.51.100.2"}
        db.session.remove()
        db.engine.dispose()


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(app):
    user = create_staff()
    assert 429 not in failed_sign_ins(forwarded_for(app, "198.51.100.1"), user.email, 10)
    # Making up another X-Forwarded-For does not buy a fresh allowance.
    assert failed_sign_ins(forwarded_for(app, "198.51.100.2"), user.email, 1) == [429]
    db.session.rollback()
    assert set(db.session.scalars(sa.select(SignInAddress.address))) == {"127.0.0.1"}
