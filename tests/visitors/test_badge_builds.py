"""Bulk badge PDFs made in the background: started by a POST, followed on a progress page (and
its JSON), downloaded when ready; one build per show, choice and language at a time; failures
shown in the reader's language; builds whose process died taken back; old files removed."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from expo_crm import clock
from expo_crm.audit.models import AuditEvent
from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.documents import bulk
from expo_crm.scheduler.models import JobState
from expo_crm.scheduler.services import HOST, run_job
from expo_crm.visitors import badges, services
from expo_crm.visitors.models import BadgeBuild, BadgeBuildState
from tests.factories import create_open_show, create_registration, create_staff
from tests.helpers import login, post_form, text_of


def fresh_builds() -> list[BadgeBuild]:
    db.session.rollback()  # end the test's read snapshot: see what the requests and jobs committed
    return list(db.session.scalars(sa.select(BadgeBuild).order_by(BadgeBuild.id)))


def run_the_job() -> None:
    """What the scheduler does when the request asks for the job."""
    db.session.rollback()
    run = run_job(badges.JOB_NAME, clock.now(), trigger="manual")
    assert run.state.value == "succeeded", run.error


def read_pdf(tmp_path, content: bytes) -> tuple[int, str, list[str]]:
    """Pages by pdfinfo, text by pdftotext, and each page's QR decoded by zbarimg."""
    path = tmp_path / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    prefix = tmp_path / path.stem
    subprocess.run(["pdftoppm", "-r", "110", "-png", str(path), str(prefix)], check=True)
    codes = []
    for image in sorted(tmp_path.glob(f"{path.stem}-*.png")):
        codes.append(
            subprocess.run(
                ["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True
            ).stdout.strip()
        )
    return pages, text, codes


@pytest.fixture
def show(app):
    services.ensure_default_rules()
    db.session.commit()
    return create_open_show(name_en="Hardware Fair 2027")


@pytest.fixture
def desk(client, show):
    login(client, create_staff(Role.gate).email)
    return client


def start(client, show, category: str = ""):
    return post_form(
        client,
        f"/visitors/shows/{show.id}/badge-builds",
        {"category": category},
        page=f"/visitors/desk/{show.id}",
    )


def test_bulk_badges_are_made_in_the_background_on_every_core_and_downloaded_when_ready(
    desk, show, tmp_path, monkeypatch
):
    monkeypatch.setattr(badges, "CHUNK_SIZE", 2)  # three badges: two chunks, two workers
    people = [
        create_registration(show, name="张伟", company="上海五金贸易", category="professional"),
        create_registration(show, name="Anna Müller", category="professional"),
        create_registration(show, name="李娜", category="general"),
    ]
    cancelled, _ = create_registration(show, name="Cancelled Person", category="general")
    services.cancel_registration(cancelled)
    db.session.commit()

    response = start(desk, show)
    assert response.status_code == 302
    [build] = fresh_builds()
    assert response.headers["Location"].endswith(f"/visitors/badge-builds/{build.id}")
    assert db.session.get(JobState, badges.JOB_NAME).run_requested_at is not None
    page = text_of(desk.get(response.headers["Location"]))
    assert "Waiting to start" in page and "0 of 3 badges" in page
    assert '<meta http-equiv="refresh"' in page  # without JavaScript the page reloads itself
    assert desk.get(f"/visitors/badge-builds/{build.id}/badges.pdf").status_code == 404
    progress = desk.get(f"/visitors/badge-builds/{build.id}.json").json
    assert (progress["state"], progress["done"], progress["total"]) == ("queued", 0, 3)
    assert progress["download_url"] is None

    run_the_job()
    progress = desk.get(f"/visitors/badge-builds/{build.id}.json").json
    assert (progress["state"], progress["done"], progress["total"]) == ("done", 3, 3)
    assert progress["progress_text"] == "3 of 3 badges"
    page = text_of(desk.get(f"/visitors/badge-builds/{build.id}"))
    assert "Ready" in page and "Download the PDF" in page and "http-equiv" not in page
    desk_page = text_of(desk.get(f"/visitors/desk/{show.id}"))  # found again from the desk
    assert f"/visitors/badge-builds/{build.id}" in desk_page and "3 of 3 badges" in desk_page

    download = desk.get(progress["download_url"])
    assert download.status_code == 200 and download.headers["Content-Type"] == "application/pdf"
    assert f"badges-{show.code}.pdf" in download.headers["Content-Disposition"]
    pages, text, codes = read_pdf(tmp_path, download.data)
    assert pages == 3 and all(n in text for n in ("张伟", "上海五金贸易", "Anna Müller", "李娜"))
    assert "Cancelled Person" not in text
    assert codes == [code for _, code in people]  # every page's QR, in registration order
    assert [a.after["count"] for a in audits()] == [3]
    assert not list((badges.build_file(build).parent).glob("*.part"))


def audits() -> list[AuditEvent]:
    db.session.rollback()
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "visitors.print_badges")
        )
    )


def test_a_second_request_joins_the_build_under_way_and_a_finished_one_starts_afresh(
    desk, show, tmp_path
):
    create_registration(show, name="张伟", category="professional")
    create_registration(show, name="李娜", category="general")
    first = start(desk, show)
    second = start(desk, show)
    assert first.headers["Location"] == second.headers["Location"]
    assert "already being made" in text_of(desk.get(second.headers["Location"]))
    general = start(desk, show, "general")  # another choice is another build
    assert general.headers["Location"] != first.headers["Location"]
    assert [(b.category, b.total) for b in fresh_builds()] == [("", 2), ("general", 1)]
    assert len(audits()) == 3  # each request is audited, joined or not

    run_the_job()
    assert [b.state for b in fresh_builds()] == [BadgeBuildState.done] * 2
    pages, text, _ = read_pdf(tmp_path, desk.get(f"{general.headers['Location']}/badges.pdf").data)
    assert pages == 1 and "李娜" in text and "张伟" not in text
    again = start(desk, show)
    assert again.headers["Location"] != first.headers["Location"] and len(fresh_builds()) == 3


def test_only_one_build_of_a_choice_is_under_way_even_when_requests_race(app, show):
    """The database holds the rule: a request that missed the other's row joins it on insert."""
    create_registration(show, name="张伟")
    at = clock.now()
    mine, joined = badges.start_build(show, "", "zh", None, at)
    db.session.commit()
    assert not joined
    real_lookup = badges._under_way
    calls = []

    def missed_once(*args):
        calls.append(args)
        return None if len(calls) == 1 else real_lookup(*args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(badges, "_under_way", missed_once)
        theirs, joined = badges.start_build(show, "", "zh", None, at)
    db.session.commit()
    assert joined and theirs.id == mine.id and len(fresh_builds()) == 1
    db.session.add(
        BadgeBuild(show_id=show.id, category="", language="zh", total=1, requested_at=at)
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_no_badges_for_a_choice_bad_choices_and_missing_csrf_start_nothing(desk, show):
    create_registration(show, name="张伟", category="professional")
    empty = start(desk, show, "vip")
    assert empty.status_code == 302 and empty.headers["Location"].endswith(f"/desk/{show.id}")
    assert "no badges to print" in text_of(desk.get(empty.headers["Location"]))
    assert start(desk, show, "nonsense").status_code == 404
    assert desk.post(f"/visitors/shows/{show.id}/badge-builds").status_code == 400
    assert fresh_builds() == [] and audits() == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "The badge PDF could not be made (OSError)"), ("zh", "无法生成胸卡 PDF（OSError）")],
)
def test_a_failed_build_says_why_in_the_readers_language(
    client, show, monkeypatch, language, expected
):
    staff = create_staff(Role.gate, locale=language)
    login(client, staff.email)
    create_registration(show, name="张伟")
    response = start(client, show)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(bulk, "build_pdf", broken)
    run_the_job()
    [build] = fresh_builds()
    assert build.state is BadgeBuildState.failed
    assert (build.failure, build.failure_params) == ("visitors.badges_failed", {"error": "OSError"})
    page = text_of(client.get(response.headers["Location"]))
    assert expected in page
    assert (
        client.get(f"/visitors/badge-builds/{build.id}.json").json["failure"].startswith(expected)
    )


def test_a_build_whose_process_died_is_made_again_and_given_up_after_three_tries(app, show):
    create_registration(show, name="张伟")
    build, _ = badges.start_build(show, "", "en", None, clock.now())
    gone = subprocess.Popen(["true"])
    gone.wait()  # a process id that no longer runs
    build.state, build.host, build.pid, build.attempts = (
        BadgeBuildState.running,
        HOST,
        gone.pid,
        1,
    )
    db.session.commit()
    badges._take_back_abandoned(clock.now())
    assert fresh_builds()[0].state is BadgeBuildState.queued

    build = fresh_builds()[0]
    build.state, build.pid, build.attempts = BadgeBuildState.running, gone.pid, 3
    db.session.commit()
    badges._take_back_abandoned(clock.now())
    [build] = fresh_builds()
    assert build.state is BadgeBuildState.failed
    with force_locale("en"):
        assert build.failure_text == "Making the badge PDF was interrupted 3 times. Start it again."
    # One running in this very process (another thread of the scheduler) is left alone.
    build.state, build.failure, build.pid = BadgeBuildState.running, None, os.getpid()
    db.session.commit()
    badges._take_back_abandoned(clock.now())
    assert fresh_builds()[0].state is BadgeBuildState.running


def test_a_finished_pdf_is_removed_after_a_day(desk, show):
    create_registration(show, name="张伟")
    url = start(desk, show).headers["Location"]
    run_the_job()
    [build] = fresh_builds()
    assert badges.build_file(build).is_file()
    clock.freeze(clock.now() + timedelta(days=1, minutes=1))
    run_the_job()
    [build] = fresh_builds()
    assert build.state is BadgeBuildState.expired and not badges.build_file(build).exists()
    assert desk.get(f"{url}/badges.pdf").status_code == 404
    assert "Removed (older than a day)" in text_of(desk.get(url))
