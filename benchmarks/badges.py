"""Badges: N visitors with Chinese names printed as one PDF through the staff route
(`POST /visitors/shows/<id>/badges.pdf`, a form download: each print is audited), against
WeasyPrint rendering one finished badge page N times in one document (no database, no
templates, no per-badge data)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time

import sqlalchemy as sa

from benchmarks import common

TARGET = 50.0


def _pages(pdf: bytes) -> int | None:
    """Page count by poppler's pdfinfo (bin/setup installs it); None when it is not there."""
    if shutil.which("pdfinfo") is None:
        return None
    info = subprocess.run(
        ["pdfinfo", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def run(quick: bool) -> dict:
    count = 200 if quick else 1_000
    with common.database("sqlite") as bench:
        app = common.make_app(bench.url, bench.instance)
        with app.app_context():
            from expo_crm.db import db
            from expo_crm.documents.qr import qr_png

            print(f"badges: seeding {count:,} visitors with real QR images", file=sys.stderr)
            show_id = common.open_show()
            codes = common.seed_registrations(show_id, count, progress=False)
            badges = common.tables()["badges"]
            with db.engine.begin() as connection:
                ids = (
                    connection.execute(sa.select(badges.c.id).order_by(badges.c.id)).scalars().all()
                )
                for badge_id, code in zip(ids, codes, strict=True):
                    connection.execute(
                        badges.update().where(badges.c.id == badge_id).values(qr_png=qr_png(code))
                    )
        client = common.staff_client(app)
        url = f"/visitors/shows/{show_id}/badges.pdf"
        desk = client.get(f"/visitors/desk/{show_id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', desk).group(1)
        client.post(url, data={"csrf_token": token, "category": "vip"})  # warm fonts and templates
        started = time.perf_counter()
        response = client.post(url, data={"csrf_token": token})
        ours_seconds = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        ours_pages = _pages(response.data)
        baseline_seconds, baseline_pages = _static_pages(app, show_id, count)
    ours, baseline = count / ours_seconds, count / baseline_seconds
    return {
        "name": "badges-pdf",
        "badges": count,
        "ours": round(ours, 1),
        "baseline": round(baseline, 1),
        "unit": "badges/s",
        "ratio": round(ours / baseline, 3),
        "ours_seconds": round(ours_seconds, 2),
        "baseline_seconds": round(baseline_seconds, 2),
        "pages": {"ours": ours_pages, "baseline": baseline_pages},
        "pdf_bytes": len(response.data),
        "target": f">= {TARGET:.0f} badges/s",
        "met": ours >= TARGET and ours_pages in (count, None),
    }


def _static_pages(app, show_id: int, count: int) -> tuple[float, int]:
    """The first badge, rendered once by the app's template, repeated `count` times as static HTML."""
    from weasyprint import HTML

    from expo_crm.documents.pdf import STATIC_PREFIX, StaticOnlyFetcher
    from expo_crm.visitors.models import Registration

    with app.test_request_context():
        from flask import render_template
        from flask_babel import force_locale

        from expo_crm.db import db
        from expo_crm.documents.qr import png_data_uri

        registration = db.session.scalars(
            sa.select(Registration).order_by(Registration.id).limit(1)
        ).one()
        item = {
            "registration": registration,
            "visitor": registration.visitor,
            "show": registration.show,
            "qr": png_data_uri(registration.active_badge.qr_png),
        }
        with force_locale("zh"):
            page = render_template(
                "pdf/visitors/badges.html", badges=[item], static_url=lambda p: STATIC_PREFIX + p
            )
        head, _, rest = page.partition("<section")
        section, _, tail = rest.partition("</section>")
        html = head + ("<section" + section + "</section>\n") * count + tail
        fetcher = StaticOnlyFetcher(app.static_folder)
        HTML(string=page, base_url=STATIC_PREFIX, url_fetcher=fetcher).write_pdf()  # warm-up
        started = time.perf_counter()
        pdf = HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=fetcher).write_pdf()
        return time.perf_counter() - started, _pages(pdf)
