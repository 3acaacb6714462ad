"""Invoices issued at the same moment, by threads of one server and by separate processes,
get unique numbers without gaps, on both databases; an issue rolled back leaves no gap."""

from __future__ import annotations

import multiprocessing
import threading

import sqlalchemy as sa

from expo_crm.db import db, writing
from expo_crm.invoicing.models import DocumentKind, Invoice
from tests.factories import PASSWORD, create_contract, create_issuer, create_show, create_staff
from tests.helpers import csrf_from, login

WORKERS = 6


def _sequences() -> list[int]:
    db.session.rollback()
    return sorted(
        db.session.scalars(
            sa.select(Invoice.sequence).where(Invoice.kind == DocumentKind.invoice)
        ).all()
    )


def test_concurrent_requests_number_invoices_without_gaps(app):
    create_issuer()
    show = create_show()
    contract_ids = [create_contract(show=show, signed=True).id for _ in range(WORKERS)]
    staff = create_staff("sales")
    clients, tokens = [], []
    for contract_id in contract_ids:
        client = app.test_client()
        login(client, staff.email, PASSWORD)
        page = client.get(f"/invoicing/contracts/{contract_id}")
        clients.append(client)
        tokens.append(csrf_from(page.get_data(as_text=True)))
    barrier = threading.Barrier(WORKERS)
    statuses = []

    def issue(client, token, contract_id):
        barrier.wait()
        response = client.post(
            f"/invoicing/contracts/{contract_id}/invoices", data={"csrf_token": token}
        )
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=issue, args=args)
        for args in zip(clients, tokens, contract_ids, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert statuses == [303] * WORKERS
    assert _sequences() == list(range(1, WORKERS + 1))
    numbers = db.session.scalars(sa.select(Invoice.number)).all()
    assert len(set(numbers)) == WORKERS


def _issue_in_a_process(database_url, instance, contract_id, roll_back, start, queue) -> None:
    from expo_crm.invoicing import services
    from tests.conftest import _make_app

    app = _make_app(database_url, instance)
    with app.app_context():
        start.wait(30)
        with writing():
            invoice = services.issue_invoice(contract_id)
            number = invoice.number
            if roll_back:
                db.session.rollback()
            else:
                db.session.commit()
        queue.put((contract_id, number, roll_back))
        db.session.remove()
        db.engine.dispose()


def test_concurrent_processes_number_invoices_without_gaps(app, database_url, tmp_path):
    create_issuer()
    show = create_show()
    contract_ids = [create_contract(show=show, signed=True).id for _ in range(WORKERS)]
    db.session.remove()
    context = multiprocessing.get_context("fork")
    start, queue = context.Event(), context.Queue()
    # The first worker issues and then rolls back: its number goes to whoever comes next.
    processes = [
        context.Process(
            target=_issue_in_a_process,
            args=(database_url, str(tmp_path / f"p{i}"), cid, i == 0, start, queue),
        )
        for i, cid in enumerate(contract_ids)
    ]
    for process in processes:
        process.start()
    start.set()
    answers = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    assert len(answers) == WORKERS
    assert _sequences() == list(range(1, WORKERS))
    kept = {n for _, n, rolled_back in answers if not rolled_back}
    assert kept == set(db.session.scalars(sa.select(Invoice.number)).all())
