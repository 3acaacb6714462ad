"""Many simultaneous entry scans of one badge admit it exactly once, and entries racing exits
of valid badges are answered as some order of them would be (threads and processes)."""

from __future__ import annotations

import multiprocessing
import random
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from expo_crm.db import db
from expo_crm.visitors.models import Registration, Scan, ScanResult
from tests.factories import create_gate_token, create_open_show, create_registration

SCANS = 8


def _post(client, token: str, code: str, gate: str, direction: str = "in") -> tuple[int, str]:
    response = client.post(
        "/api/v1/checkins",
        json={"code": code, "gate": gate, "direction": direction, "nonce": str(uuid.uuid4())},
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status_code, response.json["result"]


def _stored_results() -> list[ScanResult]:
    db.session.rollback()
    return [s.result for s in db.session.scalars(sa.select(Scan))]


def test_concurrent_threads_admit_a_badge_exactly_once(app, client):
    show = create_open_show()
    token = create_gate_token(show)
    registrations = [create_registration(show) for _ in range(2)]
    jobs = [(code, f"G{i % 4}") for _, code in registrations for i in range(SCANS)]
    with ThreadPoolExecutor(len(jobs)) as pool:
        answers = list(pool.map(lambda job: _post(client, token, *job), jobs))
    assert sorted(answers).count((201, "admitted")) == 2
    assert sorted(answers).count((409, "already_inside")) == 2 * SCANS - 2
    results = _stored_results()
    assert results.count(ScanResult.admitted) == 2 and len(results) == 2 * SCANS
    entries = db.session.scalars(sa.select(Registration.entry_count)).all()
    assert entries == [1, 1]


def _scan_in_a_process(
    database_url: str, instance: str, token: str, code: str, gate: str, start, queue
) -> None:
    from tests.conftest import _make_app

    app = _make_app(database_url, instance)
    with app.app_context():
        client = app.test_client()
        start.wait(30)
        queue.put(_post(client, token, code, gate))
        db.engine.dispose()


def test_concurrent_processes_admit_a_badge_exactly_once(app, database_url, tmp_path):
    show = create_open_show()
    token = create_gate_token(show)
    _, code = create_registration(show)
    db.session.remove()
    context = multiprocessing.get_context("fork")
    start, queue = context.Event(), context.Queue()
    processes = [
        context.Process(
            target=_scan_in_a_process,
            args=(database_url, str(tmp_path / f"p{i}"), token, code, f"G{i}", start, queue),
        )
        for i in range(4)
    ]
    for process in processes:
        process.start()
    start.set()
    answers = [queue.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(30)
        assert process.exitcode == 0
    assert answers.count((201, "admitted")) == 1
    assert answers.count((409, "already_inside")) == len(processes) - 1
    assert _stored_results().count(ScanResult.admitted) == 1


# --- entries racing exits (issue 13, finding 8) ---------------------------------------------------


def _mixed_scans(codes: list[str], count: int, seed: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    return [(rng.choice(codes), f"G{i % 4}", rng.choice(["in", "out"])) for i in range(count)]


def _assert_serialisable(registration_ids: list[int]) -> None:
    """Per badge, the stored answers are those of some order of its scans: never
    not_valid_now for a valid badge, entries and exits alternate, and the registration's
    state is what the accepted scans left."""
    db.session.rollback()
    stored = db.session.execute(sa.select(Scan.registration_id, Scan.result)).all()
    assert ScanResult.not_valid_now not in {result for _, result in stored}
    for registration in db.session.scalars(
        sa.select(Registration).where(Registration.id.in_(registration_ids))
    ):
        counts = Counter(result for rid, result in stored if rid == registration.id)
        entries = counts[ScanResult.admitted] + counts[ScanResult.readmitted]
        assert counts[ScanResult.admitted] == (1 if entries else 0)
        assert entries - counts[ScanResult.exited] == (1 if registration.inside else 0)
        assert registration.entry_count == entries


def test_concurrent_entries_and_exits_of_valid_badges_never_answer_not_valid_now(app, client):
    show = create_open_show(reentry_allowed=True)
    token = create_gate_token(show)
    registrations = [create_registration(show) for _ in range(3)]
    jobs = _mixed_scans([code for _, code in registrations], 240, seed=13)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda job: _post(client, token, *job), jobs))
    assert {result for _, result in answers} <= {
        "admitted",
        "readmitted",
        "exited",
        "already_inside",
        "not_inside",
    }
    assert len(_stored_results()) == len(jobs)
    _assert_serialisable([registration.id for registration, _ in registrations])


def _mixed_scans_in_a_process(
    database_url: str, instance: str, token: str, jobs, start, queue
) -> None:
    from tests.conftest import _make_app

    app = _make_app(database_url, instance)
    with app.app_context():
        client = app.test_client()
        start.wait(30)
        queue.put([_post(client, token, *job) for job in jobs])
        db.engine.dispose()


def test_concurrent_processes_scanning_in_and_out_never_answer_not_valid_now(
    app, database_url, tmp_path
):
    show = create_open_show(reentry_allowed=True)
    token = create_gate_token(show)
    registrations = [create_registration(show) for _ in range(2)]
    codes = [code for _, code in registrations]
    ids = [registration.id for registration, _ in registrations]
    db.session.remove()
    context = multiprocessing.get_context("fork")
    start, queue = context.Event(), context.Queue()
    processes = [
        context.Process(
            target=_mixed_scans_in_a_process,
            args=(
                database_url,
                str(tmp_path / f"p{i}"),
                token,
                _mixed_scans(codes, 40, seed=i),
                start,
                queue,
            ),
        )
        for i in range(4)
    ]
    for process in processes:
        process.start()
    start.set()
    answers = [answer for _ in processes for answer in queue.get(timeout=120)]
    for process in processes:
        process.join(30)
        assert process.exitcode == 0
    assert (403, "not_valid_now") not in answers
    _assert_serialisable(ids)
