"""The demo data and the servers, as an operator starts them."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


def _environment(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXPO_CRM_")}
    env.update(
        {"EXPO_CRM_INSTANCE_PATH": str(tmp_path), "EXPO_CRM_SECRET_KEY": "serve-test"}, **extra
    )
    return env


@pytest.mark.slow
def test_the_demo_command_initialises_seeds_and_serves_on_loopback(tmp_path):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "expo_crm", "demo", "--port", str(port)],
        env=_environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    try:
        page = _wait_for(f"http://127.0.0.1:{port}/login", process, seconds=240)
        assert 'name="email"' in page
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in output
    assert "admin@demo.expo-crm.cn" in output
    assert (tmp_path / "expo_crm.sqlite3").exists()


@pytest.mark.slow
def test_serve_runs_gunicorn_workers_against_the_configured_database(tmp_path):
    env = _environment(tmp_path)
    subprocess.run(
        [sys.executable, "-m", "expo_crm", "init"],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "expo_crm", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/login", process)
        page = (
            urllib.request.urlopen(
                urllib.request.Request(
                    f"http://127.0.0.1:{port}/login", headers={"Accept-Language": "en"}
                ),
                timeout=5,
            )
            .read()
            .decode()
        )
        assert "Staff sign-in" in page
    finally:
        process.terminate()
        process.wait(30)
