"""Screenshots of each role's dashboard, in Chinese and English, from a fresh demo.

    .venv/bin/python tools/screenshots.py [--port 5055]

Seeds the demo in a temporary instance folder, serves it on 127.0.0.1, signs in as each demo
role in headless Chromium (Debian's, as the browser tests use) and writes
docs/screenshots/dashboard-<role>-<language>.png. The demo is stopped afterwards.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "expo-demo-2026"
ROLES = ("admin", "sales", "service", "gate", "marketing")


def _wait(url: str, seconds: int = 900) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(2)
    raise SystemExit(f"the demo did not answer at {url} within {seconds} s")


def shoot(base: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        for role in ROLES:
            for language in ("zh", "en"):
                context = browser.new_context(
                    base_url=base, viewport={"width": 1366, "height": 900}, locale="en-US"
                )
                page = context.new_page()
                page.set_default_timeout(60_000)
                page.goto(f"/login?lang={language}")
                page.fill("input[name=email]", f"{role}@demo.expo-crm.cn")
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url("**/dashboard")
                page.click(f"button[name=lang][value={language}]")
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(800)  # the charts draw after load
                path = OUT / f"dashboard-{role}-{language}.png"
                page.screenshot(path=str(path), full_page=True)
                written.append(path)
                context.close()
        browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="expo-crm-shots-") as instance:
        env = dict(os.environ, EXPO_CRM_INSTANCE_PATH=instance)
        demo = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "expo-crm"), "demo", "--port", str(args.port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{args.port}"
            _wait(f"{base}/login")
            for path in shoot(base):
                print(path.relative_to(ROOT))
        finally:
            os.killpg(demo.pid, signal.SIGTERM)
            demo.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
