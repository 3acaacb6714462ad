"""Bulk badge PDFs, made in the background.

Staff ask for the badges of a show (or of one of its categories). The request records a build
and asks the scheduler to run `visitors.badge_builds` at its next poll (the job also runs every
minute). The job renders the badges in chunks on every core (`documents.bulk`: each chunk one
WeasyPrint document, the chunks streamed into one file) and records after each chunk how many
pages are done, which the progress page shows. A second request while a build of the same show,
selection and language is under way joins it: a partial unique index allows only one.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, selectinload

from expo_crm import audit, clock
from expo_crm.db import db, is_unique_violation
from expo_crm.documents import bulk
from expo_crm.documents.pdf import STATIC_PREFIX
from expo_crm.documents.qr import png_data_uri
from expo_crm.errors import UserError
from expo_crm.scheduler.services import HOST, ask_to_run
from expo_crm.shows.models import Show
from expo_crm.visitors import services
from expo_crm.visitors.models import (
    BADGE_BUILD_UNDER_WAY,
    BADGES_FAILED,
    BADGES_INTERRUPTED,
    BADGES_NONE,
    Badge,
    BadgeBuild,
    BadgeBuildState,
    Registration,
)

JOB_NAME = "visitors.badge_builds"
CHUNK_SIZE = 200  # badges per WeasyPrint document: fonts are subset once per chunk
KEEP_FOR = timedelta(days=1)  # a finished PDF's file is removed after this
MAX_ATTEMPTS = 3  # a build whose process died is started again this many times in all
# A build run on another machine that has said nothing for this long is taken as abandoned.
SILENT_ELSEWHERE = timedelta(hours=2)
LANGUAGES = ("zh", "en")
log = logging.getLogger(__name__)


class BadgeBuildError(UserError):
    """A refused bulk badge request; str(error) is a message for the user."""


def _with_valid_badge(show_id: int, category: str):
    return services.registrations_for(show_id, category=category or None).where(
        sa.exists().where(Badge.registration_id == Registration.id, Badge.revoked_at.is_(None))
    )


def _under_way(show_id: int, category: str, language: str) -> BadgeBuild | None:
    return db.session.scalar(
        sa.select(BadgeBuild).where(
            BadgeBuild.show_id == show_id,
            BadgeBuild.category == category,
            BadgeBuild.language == language,
            BadgeBuild.state.in_([BadgeBuildState(s) for s in BADGE_BUILD_UNDER_WAY]),
        )
    )


def start_build(
    show: Show, category: str, language: str, requested_by_id: int | None, at: datetime
) -> tuple[BadgeBuild, bool]:
    """(build, joined): a new build of the show's badges (of one category, or all for ""), or the
    one already under way for the same choice and language. Audited either way."""
    category = category or ""
    language = language if language in LANGUAGES else "zh"
    build, joined = _under_way(show.id, category, language), True
    if build is None:
        total = db.session.scalar(
            sa.select(sa.func.count()).select_from(_with_valid_badge(show.id, category).subquery())
        )
        if not total:
            raise BadgeBuildError(_("There are no badges to print for this choice."))
        build, joined = _queue(show, category, language, total, requested_by_id, at)
    audit.record(
        "visitors.print_badges",
        show,
        after={"category": category or None, "count": build.total, "build": build.id},
    )
    return build, joined


def _queue(
    show: Show, category: str, language: str, total: int, requested_by_id: int | None, at
) -> tuple[BadgeBuild, bool]:
    build = BadgeBuild(
        show_id=show.id,
        category=category,
        language=language,
        state=BadgeBuildState.queued,
        total=total,
        done=0,
        requested_by_id=requested_by_id,
        requested_at=at,
    )
    try:
        with db.session.begin_nested():
            db.session.add(build)
    except sa.exc.IntegrityError as clash:
        # Another request queued the same build between our look and our insert: join it.
        if not is_unique_violation(clash):
            raise
        joined = _under_way(show.id, category, language)
        if joined is None:
            raise
        return joined, True
    ask_to_run(JOB_NAME, at)
    return build, False


def recent_builds(show_id: int, limit: int = 5) -> list[BadgeBuild]:
    """The show's latest bulk badge PDFs, newest first (the desk lists them)."""
    return list(
        db.session.scalars(
            sa.select(BadgeBuild)
            .where(BadgeBuild.show_id == show_id)
            .order_by(BadgeBuild.id.desc())
            .limit(limit)
        )
    )


def build_file(build: BadgeBuild) -> Path:
    return Path(current_app.instance_path) / "badge_builds" / f"{build.id}.pdf"


def download_name(build: BadgeBuild) -> str:
    return f"badges-{build.show.code}{'-' + build.category if build.category else ''}.pdf"


# --- the job -------------------------------------------------------------------------------------


def run_builds(at: datetime) -> int:
    """Make every queued build, one after the other; returns how many were finished. Also takes
    back builds whose process died and removes files past their time."""
    _remove_expired(at)
    _take_back_abandoned(at)
    made = 0
    while (build_id := _claim_next(at)) is not None:
        made += _make(build_id)
    return made


def _claim_next(at: datetime) -> int | None:
    """The oldest queued build, marked running by this process (atomically: two schedulers'
    threads never take the same one)."""
    for build_id in db.session.scalars(
        sa.select(BadgeBuild.id)
        .where(BadgeBuild.state == BadgeBuildState.queued)
        .order_by(BadgeBuild.id)
        .limit(5)
    ).all():
        taken = db.session.execute(
            sa.update(BadgeBuild)
            .where(BadgeBuild.id == build_id, BadgeBuild.state == BadgeBuildState.queued)
            .values(
                state=BadgeBuildState.running,
                started_at=at,
                host=HOST,
                pid=os.getpid(),
                attempts=BadgeBuild.attempts + 1,
                done=0,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if taken == 1:
            return build_id
    db.session.rollback()
    return None


def _make(build_id: int) -> int:
    build = db.session.get(BadgeBuild, build_id)
    show_id, category, language = build.show_id, build.category, build.language
    path = build_file(build)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    # Registrations made after the build began are not in it: done never passes total.
    last_id = db.session.scalar(
        sa.select(sa.func.max(Registration.id)).where(Registration.show_id == show_id)
    )
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            _with_valid_badge(show_id, category).where(Registration.id <= last_id).subquery()
        )
    )
    build.total = total or 0
    db.session.commit()
    progress = {"done": 0}

    def chunks():
        after = 0
        while True:
            html, after = _chunk_html(show_id, category, language, after, last_id)
            if html is None:
                return
            yield html

    def written(pages: int) -> None:
        progress["done"] = min(progress["done"] + pages, total)
        db.session.execute(
            sa.update(BadgeBuild)
            .where(BadgeBuild.id == build_id)
            .values(done=progress["done"])
            .execution_options(synchronize_session=False)
        )
        db.session.commit()

    if not total:
        _finish(build_id, BadgeBuildState.failed, BADGES_NONE, {})
        return 0
    try:
        stats = bulk.build_pdf(
            chunks(),
            partial,
            static_folder=current_app.static_folder,
            # No more workers than chunks: a small build is drawn without starting a pool.
            workers=min(os.cpu_count() or 1, -(-total // CHUNK_SIZE)),
            on_chunk=written,
        )
    except Exception as error:  # recorded on the build for the user; the log has the traceback
        db.session.rollback()
        log.exception("badge build %s failed", build_id)
        partial.unlink(missing_ok=True)
        _finish(build_id, BadgeBuildState.failed, BADGES_FAILED, {"error": type(error).__name__})
        return 0
    os.replace(partial, path)
    log.info(
        "badge build %s: %s pages in %s chunks; peak memory %s KiB here, %s KiB in a worker",
        build_id,
        stats.pages,
        stats.chunks,
        stats.peak_rss_kib,
        stats.worker_peak_rss_kib,
    )
    build = db.session.get(BadgeBuild, build_id)
    build.state, build.finished_at = BadgeBuildState.done, clock.now()
    build.total = build.done = stats.pages
    build.file_bytes = path.stat().st_size
    db.session.commit()
    return 1


def _chunk_html(
    show_id: int, category: str, language: str, after: int, last_id: int
) -> tuple[str | None, int]:
    """The badge HTML of the next CHUNK_SIZE registrations after id `after`, and the last id.
    The read ends before the chunk is rendered, so no lock is held while workers draw."""
    registrations = db.session.scalars(
        _with_valid_badge(show_id, category)
        .where(Registration.id > after, Registration.id <= last_id)
        .options(selectinload(Registration.badges), contains_eager(Registration.visitor))
        .limit(CHUNK_SIZE)
    ).all()
    if not registrations:
        db.session.rollback()
        return None, after
    items = []
    for registration in registrations:
        badge = registration.active_badge
        if badge is None:
            continue
        items.append(
            {
                "registration": registration,
                "visitor": registration.visitor,
                "show": registration.show,
                "qr": png_data_uri(badge.qr_png),
            }
        )
    with force_locale(language):
        html = render_template(
            "pdf/visitors/badges.html",
            badges=items,
            static_url=lambda path: STATIC_PREFIX + path,
        )
    last = registrations[-1].id
    db.session.rollback()
    return html, last


def _finish(build_id: int, state: BadgeBuildState, failure: str, params: dict) -> None:
    build = db.session.get(BadgeBuild, build_id)
    build.state, build.finished_at = state, clock.now()
    build.failure, build.failure_params = failure, params
    db.session.commit()


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _take_back_abandoned(at: datetime) -> None:
    """Running builds whose process is gone: queued again, or failed after MAX_ATTEMPTS."""
    for build in db.session.scalars(
        sa.select(BadgeBuild).where(BadgeBuild.state == BadgeBuildState.running)
    ).all():
        gone = (
            not _alive(build.pid)
            if build.host == HOST
            else build.started_at is None or at - build.started_at > SILENT_ELSEWHERE
        )
        if not gone:
            continue
        build_file(build).with_name(f"{build.id}.pdf.part").unlink(missing_ok=True)
        if build.attempts >= MAX_ATTEMPTS:
            build.state, build.finished_at = BadgeBuildState.failed, at
            build.failure, build.failure_params = BADGES_INTERRUPTED, {"times": build.attempts}
        else:
            build.state, build.done = BadgeBuildState.queued, 0
    db.session.commit()


def _remove_expired(at: datetime) -> None:
    for build in db.session.scalars(
        sa.select(BadgeBuild).where(
            BadgeBuild.state == BadgeBuildState.done, BadgeBuild.finished_at < at - KEEP_FOR
        )
    ).all():
        build_file(build).unlink(missing_ok=True)
        build.state = BadgeBuildState.expired
    db.session.commit()
