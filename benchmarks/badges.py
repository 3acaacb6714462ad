"""Badges: a bulk PDF of N visitors with Chinese names and real QR images, the whole job from
the staff request (`POST /visitors/shows/<id>/badge-builds`) through the background job (run in
a process of its own, as the scheduler runs it) to the finished file downloaded, against
WeasyPrint alone rendering one finished badge page N times in one process (in documents of the
same size as our chunks: no database, no templates, no per-badge data, one core).

Peak memory is shown for two sizes (1,000 and 10,000; quick: 200 and 1,000): the job's own
process and the largest of its rendering workers should stay the same whatever the size."""

from __future__ import annotations

import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from benchmarks import common

TARGET = 50.0
POLL_SECONDS = 2.0


def _pages(path: Path) -> int | None:
    """Page count by poppler's pdfinfo (bin/setup installs it); None when it is not there."""
    if shutil.which("pdfinfo") is None:
        return None
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def _qr_of_page(path: Path, page: int) -> str | None:
    """The QR text of one page (pdftoppm, then zbarimg); None when the tools are not there."""
    if shutil.which("pdftoppm") is None or shutil.which("zbarimg") is None:
        return None
    with tempfile.TemporaryDirectory() as scratch:
        prefix = Path(scratch) / "page"
        subprocess.run(
            ["pdftoppm", "-r", "110", "-png", "-f", str(page), "-l", str(page), path, prefix],
            check=True,
        )
        [image] = Path(scratch).glob("page*.png")
        return subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True
        ).stdout.strip()


def run(quick: bool) -> dict:
    sizes = (200, 1_000) if quick else (1_000, 10_000)
    with common.database("sqlite") as bench:
        app = common.make_app(bench.url, bench.instance)
        shows, first_codes = {}, {}
        with app.app_context():
            for size in sizes:
                shows[size] = common.open_show(f"BADGES{size}")
                first_codes[size] = _seed(shows[size], size)
        client = common.staff_client(app)
        runs = {size: _whole_job(client, bench, shows[size], size) for size in sizes}
        count = sizes[-1]
        baseline_seconds, baseline_pages, baseline_kib = _floor(app, shows[count], count)
    ours_run = runs[count]
    ours, baseline = count / ours_run["seconds"], count / baseline_seconds
    for size, job in runs.items():
        print(
            f"badges: {size:>6,} badges in {job['seconds']:.1f} s ({size / job['seconds']:.1f}/s);"
            f" peak memory: job process {job['job_kib'] / 1024:.0f} MiB, largest worker"
            f" {job['workers_kib'] / 1024:.0f} MiB; {job['pdf_bytes'] / 1048576:.1f} MiB file;"
            f" QR first/last page {'ok' if job['qr_ok'] else 'NOT READ'}",
            file=sys.stderr,
        )
    memory = {
        str(size): {"job_mib": job["job_kib"] // 1024, "worker_mib": job["workers_kib"] // 1024}
        for size, job in runs.items()
    }
    small, large = (runs[size] for size in sizes)
    bounded = (
        large["job_kib"] <= 1.25 * small["job_kib"] + 16 * 1024
        and large["workers_kib"] <= 1.25 * small["workers_kib"] + 16 * 1024
    )
    return {
        "name": "badges-pdf",
        "badges": count,
        "ours": round(ours, 1),
        "baseline": round(baseline, 1),
        "unit": "badges/s",
        "ratio": round(ours / baseline, 3),
        "ours_seconds": round(ours_run["seconds"], 2),
        "baseline_seconds": round(baseline_seconds, 2),
        "pages": {"ours": ours_run["pages"], "baseline": baseline_pages},
        "pdf_bytes": ours_run["pdf_bytes"],
        "peak_memory_mib": memory | {"floor": baseline_kib // 1024},
        "memory_bounded": bounded,
        "qr_decoded": all(job["qr_ok"] for job in runs.values()),
        "target": f">= {TARGET:.0f} badges/s, memory flat in N",
        "met": ours >= TARGET and ours_run["pages"] in (count, None) and bounded,
    }


def _seed(show_id: int, count: int) -> list[str]:
    """`count` registrations with valid badges, each badge with its real QR image."""
    from expo_crm.db import db
    from expo_crm.documents.qr import qr_png

    print(f"badges: seeding {count:,} visitors with real QR images", file=sys.stderr)
    codes = common.seed_registrations(show_id, count, progress=False)
    badges = common.tables()["badges"]
    registrations = common.tables()["registrations"]
    with db.engine.begin() as connection:
        ids = (
            connection.execute(
                sa.select(badges.c.id)
                .join(registrations, registrations.c.id == badges.c.registration_id)
                .where(registrations.c.show_id == show_id)
                .order_by(badges.c.id)
            )
            .scalars()
            .all()
        )
        for badge_id, code in zip(ids, codes, strict=True):
            connection.execute(
                badges.update().where(badges.c.id == badge_id).values(qr_png=qr_png(code))
            )
    return codes


def _whole_job(client, bench, show_id: int, count: int) -> dict:
    """Request, background job in its own process (progress polled meanwhile), download."""
    desk = client.get(f"/visitors/desk/{show_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', desk).group(1)
    started = time.perf_counter()
    response = client.post(f"/visitors/shows/{show_id}/badge-builds", data={"csrf_token": token})
    if response.status_code != 302 or "/badge-builds/" not in response.headers["Location"]:
        raise RuntimeError(f"starting the badges answered {response.status_code}")
    progress_url = response.headers["Location"] + ".json"
    job = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.badges", "job"],
        env=common.server_environment(bench),
        stdout=subprocess.PIPE,
        text=True,
    )
    progress = client.get(progress_url).json
    while progress["under_way"] and job.poll() is None:
        time.sleep(POLL_SECONDS)
        progress = client.get(progress_url).json
        print(
            f"badges: {progress['state']} {progress['done']:,} of {progress['total']:,}",
            file=sys.stderr,
        )
    if progress["state"] != "done":
        job.wait()
        progress = client.get(progress_url).json
        raise RuntimeError(f"the badge build ended {progress['state']}: {progress['failure']}")
    # The file is whole once the build says done; the job's process may still be winding up.
    download = client.get(progress["download_url"])
    seconds = time.perf_counter() - started
    if download.status_code != 200:
        raise RuntimeError(f"the download answered {download.status_code}")
    memory = json.loads(job.communicate()[0].strip().splitlines()[-1])
    path = bench.instance / f"downloaded-{show_id}.pdf"
    path.write_bytes(download.data)
    pages = _pages(path)
    first, last = _qr_of_page(path, 1), _qr_of_page(path, pages or count)
    codes = _codes_of(bench, show_id)
    path.unlink()
    return {
        "seconds": seconds,
        "pages": pages,
        "pdf_bytes": len(download.data),
        "job_kib": memory["job_kib"],
        "workers_kib": memory["workers_kib"],
        "qr_ok": first in (None, codes[0]) and last in (None, codes[-1]),
    }


def _codes_of(bench, show_id: int) -> list[str]:
    """The show's QR texts in badge order (what the first and last pages must carry)."""
    app = common.make_app(bench.url, bench.instance)
    with app.app_context():
        from expo_crm.db import db
        from expo_crm.visitors import services
        from expo_crm.visitors.models import Badge, Registration

        badges = db.session.scalars(
            sa.select(Badge)
            .join(Registration)
            .where(Registration.show_id == show_id, Badge.revoked_at.is_(None))
            .order_by(Registration.id)
        ).all()
        return [services.badge_code(badges[0]), services.badge_code(badges[-1])]


def _job() -> None:
    """The scheduler's part, in a process of its own: run the badge job once; print the peak
    memory of this process and of the largest rendering worker (they have ended by then)."""
    from expo_crm import clock, create_app
    from expo_crm.scheduler.services import run_job
    from expo_crm.visitors.badges import JOB_NAME

    app = create_app()
    with app.app_context():
        run = run_job(JOB_NAME, clock.now(), trigger="manual")
        if run.state.value != "succeeded":
            raise RuntimeError(run.error)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"job_kib": own, "workers_kib": workers}), flush=True)


def _floor(app, show_id: int, count: int) -> tuple[float, int, int]:
    """The first badge, rendered once by the app's template, repeated `count` times as static
    HTML and drawn by WeasyPrint in this one process, in documents of our chunk size."""
    from weasyprint import HTML

    from expo_crm.documents.bulk import peak_rss_kib
    from expo_crm.documents.pdf import STATIC_PREFIX, StaticOnlyFetcher
    from expo_crm.visitors.badges import CHUNK_SIZE
    from expo_crm.visitors.models import Registration

    with app.test_request_context():
        from flask import render_template
        from flask_babel import force_locale

        from expo_crm.db import db
        from expo_crm.documents.qr import png_data_uri

        registration = db.session.scalars(
            sa.select(Registration)
            .where(Registration.show_id == show_id)
            .order_by(Registration.id)
            .limit(1)
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
    section = "<section" + section + "</section>\n"
    fetcher = StaticOnlyFetcher(app.static_folder)
    HTML(string=page, base_url=STATIC_PREFIX, url_fetcher=fetcher).write_pdf()  # warm-up
    print(f"badges: floor, WeasyPrint alone, {count:,} pages in one process", file=sys.stderr)
    with tempfile.TemporaryDirectory() as scratch:
        chunk = Path(scratch) / "chunk.pdf"
        pages = 0
        started = time.perf_counter()
        for first in range(0, count, CHUNK_SIZE):
            html = head + section * min(CHUNK_SIZE, count - first) + tail
            document = HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=fetcher).render()
            document.write_pdf(chunk)
            pages += len(document.pages)
        seconds = time.perf_counter() - started
    return seconds, pages, peak_rss_kib()


if __name__ == "__main__" and sys.argv[1:] == ["job"]:
    _job()
