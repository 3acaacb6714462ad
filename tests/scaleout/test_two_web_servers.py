"""Scale-out on PostgreSQL: two web servers (separate processes and ports, as on two machines)
share one database and one Redis; gate scans spread over both admit each badge once, and the
sign-in limit counts attempts on both servers together."""

from __future__ import annotations

import http.cookiejar
import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from expo_crm.db import db
from expo_crm.visitors.models import Registration, Scan, ScanResult
from tests.factories import create_gate_token, create_open_show, create_registration
from tests.helpers import ROOT, process_env

REDIS = ("127.0.0.1", 6379)
BADGES = 40


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def two_servers(app, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("scale-out runs on PostgreSQL")
    if not _redis_answers():
        pytest.fail("Redis is not answering on 127.0.0.1:6379")
    database_url = db.engine.url.render_as_string(hide_password=False)
    prefix = f"expo-crm-test-{uuid.uuid4().hex[:8]}"
    servers, processes = [], []
    for name in ("node-a", "node-b"):
        port = _free_port()
        env = process_env(
            database_url,
            tmp_path / name,
            SECRET_KEY="one-secret-for-all-nodes",
            RATELIMIT_STORAGE_URL=f"redis://{REDIS[0]}:{REDIS[1]}/0",
            RATELIMIT_KEY_PREFIX=prefix,
        )
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "expo_crm",
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    "1",
                    "--threads",
                    "8",
                ],
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
            process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server at {url} exited: {process.stderr.read()[-2000:]}")
        try:
            urllib.request.urlopen(url + "/login", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"server at {url} did not come up")


def _scan(base: str, token: str, code: str, gate: str) -> tuple[int, str]:
    body = json.dumps(
        {"code": code, "gate": gate, "direction": "in", "nonce": str(uuid.uuid4())}
    ).encode()
    request = urllib.request.Request(
        base + "/api/v1/checkins",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)["result"]
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)["result"]


def test_scans_spread_over_two_servers_admit_each_badge_once(app, two_servers):
    show = create_open_show()
    token = create_gate_token(show)
    codes = [create_registration(show)[1] for _ in range(BADGES)]
    db.session.commit()
    # Every badge is scanned twice on each server at the same moment.
    jobs = [(server, code, f"W{n}") for code in codes for n, server in enumerate(two_servers * 2)]
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda job: _scan(job[0], token, job[1], job[2]), jobs))

    assert answers.count((201, "admitted")) == BADGES
    assert answers.count((409, "already_inside")) == 3 * BADGES
    db.session.rollback()
    results = db.session.scalars(sa.select(Scan.result)).all()
    assert results.count(ScanResult.admitted) == BADGES and len(results) == 4 * BADGES
    assert set(db.session.scalars(sa.select(Registration.entry_count))) == {1}


class _Browser:
    """A cookie-keeping client that signs in through the real form, CSRF token included."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def failed_sign_in(self, email: str) -> int:
        page = self.opener.open(self.base + "/login", timeout=10).read().decode()
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"csrf_token": csrf, "email": email, "password": "wrong-password"}
        ).encode()
        try:
            with self.opener.open(self.base + "/login", data=form, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as refused:
            return refused.code


def test_the_sign_in_limit_counts_attempts_on_both_servers_together(app, two_servers):
    first, second = (_Browser(url) for url in two_servers)
    statuses = [first.failed_sign_in(f"nobody{n}@example.com") for n in range(5)]
    statuses += [second.failed_sign_in(f"nobody{n}@example.com") for n in range(5, 10)]
    assert 429 not in statuses  # ten attempts a minute are allowed, wherever they land
    assert first.failed_sign_in("nobody10@example.com") == 429
    assert second.failed_sign_in("nobody11@example.com") == 429
