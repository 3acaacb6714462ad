"""Many simultaneous entry scans of one badge admit it exactly once (threads and processes)."""

from __future__ import annotations

import multiprocessing
import uuid
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from expo_crm.db import db
from expo_crm.visitors.models import Registration, Scan, ScanResult
from tests.factories import create_gate_token, create_open_show, create_registration

SCANS = 8


def _post(client, token: str, code: str, gate: str) -> tuple[int, str]:
    response = client.post(
        "/api/v1/checkins",
        json={"code": code, "gate": gate, "direction": "in", "nonce": str(uuid.uuid4())},
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
