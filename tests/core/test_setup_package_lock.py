"""bin/setup waits for the Debian package locks another process holds, and says so.

apt runs against a scratch package database (APT_CONFIG): no sources, and a status file in
which the stand-in package is already installed, so `apt-get install` takes the lock, finds
nothing to do and installs nothing. The machine's own locks and packages are never touched;
the real dpkg database does not know the stand-in, so bin/setup sees it missing and runs apt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAND_IN = "expo-crm-lock-probe"
HOLD_SECONDS = 3

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux")
    or os.geteuid() != 0
    or shutil.which("apt-get") is None
    or shutil.which("dpkg-query") is None,
    reason="apt takes its locks only as root on Debian",
)

# apt locks with fcntl (POSIX) locks, which flock(1) does not conflict with: hold one the same way.
HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o640)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def scratch_apt(root: Path) -> dict[str, str]:
    """An apt configuration whose every directory lies under root; returns the environment."""
    for folder in ("lists/partial", "dpkg/updates", "cache/archives/partial", "state", "log"):
        (root / folder).mkdir(parents=True)
    for folder in ("sources.list.d", "preferences.d", "apt.conf.d"):
        (root / "etc" / folder).mkdir(parents=True)
    (root / "etc/sources.list").write_text("")
    (root / "dpkg/available").write_text("")
    (root / "dpkg/status").write_text(
        f"Package: {STAND_IN}\nStatus: install ok installed\nPriority: optional\n"
        "Section: misc\nInstalled-Size: 1\nMaintainer: expo-crm tests <tests@expo-crm.invalid>\n"
        "Architecture: all\nVersion: 1.0\nDescription: stands in for a package bin/setup installs\n"
    )
    settings = {
        "Dir::State": root / "state",
        "Dir::State::Lists": root / "lists",
        "Dir::State::status": root / "dpkg/status",
        "Dir::Cache": root / "cache",
        "Dir::Log": root / "log",
        "Dir::Etc::sourcelist": root / "etc/sources.list",
        "Dir::Etc::sourceparts": root / "etc/sources.list.d",
        "Dir::Etc::preferencesparts": root / "etc/preferences.d",
        "Dir::Etc::parts": root / "etc/apt.conf.d",
    }
    config = root / "apt.conf"
    config.write_text("".join(f'{key} "{value}";\n' for key, value in settings.items()))
    return os.environ | {"APT_CONFIG": str(config), "EXPO_CRM_SETUP_DEBS": STAND_IN}


def hold_lock(path: Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def run_debian_step(environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "bin/setup"), "debian"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "lock",
    [
        pytest.param("lists/lock", id="package-lists-lock-of-apt-get-update"),
        pytest.param("dpkg/lock-frontend", id="dpkg-lock-of-apt-get-install"),
    ],
)
def test_the_debian_step_waits_for_a_held_package_lock_and_says_so(tmp_path, lock):
    environment = scratch_apt(tmp_path / "apt")
    holder = hold_lock(tmp_path / "apt" / lock, HOLD_SECONDS)
    started = time.monotonic()
    try:
        setup = run_debian_step(environment)
    finally:
        holder.wait(timeout=30)
    waited = time.monotonic() - started

    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert f"installing Debian packages: {STAND_IN}" in setup.stdout
    assert "waiting up to 30 minutes for the Debian package lock" in setup.stdout
    assert f"held by process {holder.pid} (python" in setup.stdout
    assert waited >= HOLD_SECONDS - 0.5
    assert "Could not get lock" not in setup.stderr


def test_the_debian_step_still_fails_on_an_error_that_is_not_a_lock(tmp_path):
    environment = scratch_apt(tmp_path / "apt")
    environment["EXPO_CRM_SETUP_DEBS"] = "expo-crm-no-such-package"
    setup = run_debian_step(environment)
    assert setup.returncode != 0
    assert "Unable to locate package expo-crm-no-such-package" in setup.stderr
    assert "waiting" not in setup.stdout
