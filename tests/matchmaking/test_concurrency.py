"""Acceptances of one booth slot sent at the same moment make one meeting, and every other
answer is a clear refusal: threads and processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing
import threading

import sqlalchemy as sa

from expo_crm.db import db
from expo_crm.matchmaking import services
from expo_crm.matchmaking.models import Meeting, MeetingState, Party, SlotBooking
from tests.factories import create_buyer, create_exhibitor_offering, create_show
from tests.helpers import csrf_from

RACERS = 4
TAKEN = "This time slot was just taken"


def _requests_for_one_slot(n: int) -> list[str]:
    """n visitors ask one exhibitor for the same slot: the exhibitor's answer links."""
    show = create_show()
    company = create_exhibitor_offering(show)
    slot = services.slots(show)[0]
    tokens = []
    for _ in range(n):
        registration, _ = create_buyer(show)
        meeting = services.request_meeting(show, company.id, registration, slot, by=Party.visitor)
        db.session.flush()
        tokens.append(services.link_token(meeting, Party.exhibitor))
    db.session.commit()
    return tokens


def _accept(client, token: str, csrf: str) -> tuple[bool, str]:
    """(won, what the page said afterwards)."""
    response = client.post(f"/meetings/link/{token}/accept", data={"csrf_token": csrf})
    assert response.status_code == 302
    page = client.get(response.location)
    return response.location.endswith("/meetings/link/done"), page.get_data(as_text=True)


def _assert_one_meeting(results: list[tuple[bool, str]]) -> None:
    assert sum(won for won, _ in results) == 1
    assert all(TAKEN in text for won, text in results if not won)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(SlotBooking.id))) == 1
    states = db.session.scalars(sa.select(Meeting.state)).all()
    assert states.count(MeetingState.accepted) == 1
    assert states.count(MeetingState.requested) == RACERS - 1


def test_concurrent_threads_accepting_one_slot_make_one_meeting(app):
    tokens = _requests_for_one_slot(RACERS)
    clients = [app.test_client() for _ in tokens]
    csrfs = [
        csrf_from(c.get(f"/meetings/link/{t}").get_data(as_text=True))
        for c, t in zip(clients, tokens, strict=True)
    ]
    barrier = threading.Barrier(RACERS)
    results: list[tuple[bool, str]] = []

    def race(client, token, csrf):
        barrier.wait()
        results.append(_accept(client, token, csrf))

    threads = [
        threading.Thread(target=race, args=args)
        for args in zip(clients, tokens, csrfs, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    _assert_one_meeting(results)


def _accept_in_a_process(database_url: str, instance: str, token: str, start, queue) -> None:
    from tests.conftest import _make_app

    app = _make_app(database_url, instance)
    # No app context around the requests: each gets its own, and its own transaction.
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    csrf = csrf_from(client.get(f"/meetings/link/{token}").get_data(as_text=True))
    start.wait(60)
    queue.put(_accept(client, token, csrf))
    with app.app_context():
        db.engine.dispose()


def test_concurrent_processes_accepting_one_slot_make_one_meeting(app, database_url, tmp_path):
    tokens = _requests_for_one_slot(RACERS)
    db.session.remove()
    context = multiprocessing.get_context("fork")
    start, queue = context.Event(), context.Queue()
    processes = [
        context.Process(
            target=_accept_in_a_process,
            args=(database_url, str(tmp_path / f"p{i}"), token, start, queue),
        )
        for i, token in enumerate(tokens)
    ]
    for process in processes:
        process.start()
    start.set()
    results = [queue.get(timeout=90) for _ in processes]
    for process in processes:
        process.join(30)
        assert process.exitcode == 0
    _assert_one_meeting(results)
