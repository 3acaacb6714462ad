"""In real Chromium: the gate page reads a badge through the device camera with the vendored jsQR.

Chromium's fake camera plays a Y4M file made from the badge's own QR PNG (the one emailed and
printed), so the whole path runs: getUserMedia, frames to a canvas, jsQR, the check-in."""

import io
import re

import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.visitors.models import Scan, ScanResult
from tests.conftest import CHROMIUM
from tests.factories import create_open_show, create_registration, create_staff
from tests.helpers import sign_in_page

WIDTH, HEIGHT = 640, 480


def camera_file(path, qr_png: bytes, frames: int = 10) -> None:
    """The QR on a white frame as a 4:2:0 Y4M video, which Chromium's fake camera loops."""
    frame = Image.new("RGB", (WIDTH, HEIGHT), "white")
    qr = Image.open(io.BytesIO(qr_png)).convert("RGB")
    side = HEIGHT - 80
    frame.paste(qr.resize((side, side), Image.NEAREST), ((WIDTH - side) // 2, 40))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        out.writelines(b"FRAME\n" + planes for _ in range(frames))


def test_a_badge_held_to_the_camera_checks_in_green(browser, live_server, app, tmp_path):
    show = create_open_show()
    registration, _ = create_registration(show, name="周敏", category="professional")
    user = create_staff(Role.gate)
    video = tmp_path / "badge.y4m"
    camera_file(video, registration.active_badge.qr_png)
    db.session.commit()

    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera_browser.new_context(
            base_url=live_server, locale="en-US", permissions=["camera"]
        )
        context.set_default_timeout(30_000)
        page = context.new_page()
        sign_in_page(page, user.email)
        page.goto(f"/visitors/gate/{show.id}")
        page.click("#gate-camera")
        answer = page.locator("#gate-answer")
        expect(answer).to_have_class(re.compile(r"\bok\b"))
        expect(answer).to_contain_text("Welcome")
        expect(answer).to_contain_text("周敏")
        expect(page.locator("#gate-camera")).to_have_text("Stop camera")
        page.click("#gate-camera")
        expect(page.locator("#gate-video")).to_be_hidden()
    finally:
        camera_browser.close()
    db.session.rollback()
    [scan] = db.session.scalars(sa.select(Scan))
    assert (scan.result, scan.registration_id) == (ScanResult.admitted, registration.id)
