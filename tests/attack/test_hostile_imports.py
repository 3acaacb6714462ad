"""Issue 13, findings 2-4: hostile spreadsheets neither stall the gate nor exhaust memory, and
a confirmed import is imported once however often (and however concurrently) it is confirmed."""

from __future__ import annotations

import io
import re
import threading
import time
import tracemalloc
import uuid
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from expo_crm.audit.models import AuditEvent
from expo_crm.db import db
from expo_crm.exhibitors import importer
from expo_crm.exhibitors.models import Company
from tests.factories import (
    PASSWORD,
    create_gate_token,
    create_open_show,
    create_registration,
    create_staff,
)
from tests.helpers import csrf_from, login, text_of

HEADER = ["name_zh", "name_en", "tax_id", "contact_email"]
FORGED = b'<dimension ref="A1:XFD1048576"/>'


@pytest.fixture(autouse=True)
def _english(app):
    """Services called outside a request speak the operator's default language; these read English."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite_sheet(content: bytes, change) -> bytes:
    """The same workbook with its first sheet's XML passed through change(xml, writer)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                with target.open(info.filename, "w") as member:
                    change(data, member)
            else:
                target.writestr(info.filename, data)
    return out.getvalue()


def forged_dimension(rows, stray_row: int = 15_000) -> bytes:
    """A small workbook whose sheet claims the whole A1:XFD1048576 range and holds one stray
    empty cell far down: openpyxl trusting the claim pads every row up to it to 16,384 cells."""

    def forge(xml: bytes, member) -> None:
        xml = re.sub(rb"<dimension [^>]*/>", FORGED, xml)
        stray = f'<row r="{stray_row}"><c r="A{stray_row}"/></row></sheetData>'.encode()
        member.write(xml.replace(b"</sheetData>", stray))

    return _rewrite_sheet(_xlsx(rows), forge)


def zip_bomb(rows, unpacked_mb: int = 80) -> bytes:
    """A workbook whose sheet unpacks to tens of megabytes of padding: a few hundred KB sent."""

    def pad(xml: bytes, member) -> None:
        body, end = xml.rsplit(b"</worksheet>", 1)
        member.write(body)
        chunk = b" " * (1024 * 1024)
        for _ in range(unpacked_mb):
            member.write(chunk)
        member.write(b"</worksheet>" + end)

    return _rewrite_sheet(_xlsx(rows), pad)


def companies(n: int, prefix: str = "Hostile") -> list[list]:
    return [HEADER] + [[f"{prefix}公司{i}", f"{prefix} Co {i}", "", ""] for i in range(n)]


def _count_companies() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count(Company.id)))


def _preview(client, content: bytes, filename: str = "hostile.xlsx"):
    token = csrf_from(text_of(client.get("/exhibitors/import")))
    return client.post(
        "/exhibitors/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def _stash_token(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)


def _staff_client(app):
    staff = create_staff("sales")
    client = app.test_client()
    login(client, staff.email, PASSWORD)
    return client, staff


# --- finding 2: a forged dimension, and the gate meanwhile ----------------------------------


def test_a_forged_dimension_is_read_as_the_cells_that_are_there(app):
    content = forged_dimension(companies(3))
    assert len(content) < 10_000
    started = time.monotonic()
    result = importer.check("hostile.xlsx", content)
    assert time.monotonic() - started < 5  # generous: two busy shared cores
    assert result.ok and result.count("create") == 3


def test_the_gate_answers_within_a_second_while_a_hostile_file_is_previewed_and_confirmed(app):
    show = create_open_show()
    gate = create_gate_token(show)
    codes = [create_registration(show)[1] for _ in range(40)]
    staff_client, _staff = _staff_client(app)
    gate_client = app.test_client()
    content = forged_dimension(companies(200))
    done = threading.Event()
    outcome: dict = {}

    def import_hostile_file():
        try:
            page = text_of(_preview(staff_client, content))
            outcome["preview"] = page
            outcome["confirm"] = staff_client.post(
                "/exhibitors/import/confirm",
                data={"csrf_token": csrf_from(page), "token": _stash_token(page)},
            ).status_code
        finally:
            done.set()

    importing = threading.Thread(target=import_hostile_file, daemon=True)
    importing.start()
    latencies, statuses = [], []
    deadline = time.monotonic() + 60
    for code in codes:
        started = time.monotonic()
        response = gate_client.post(
            "/api/v1/checkins",
            json={"code": code, "gate": "W1", "direction": "in", "nonce": str(uuid.uuid4())},
            headers={"Authorization": f"Bearer {gate}"},
        )
        latencies.append(time.monotonic() - started)
        statuses.append(response.status_code)
        if done.is_set() or time.monotonic() > deadline:
            break
    importing.join(60)
    assert done.is_set(), "the import of the hostile file did not finish"
    assert "Ready to import: 200 new companies" in outcome["preview"]
    assert outcome["confirm"] == 302
    assert set(statuses) == {201}, statuses
    assert max(latencies) < 1.0, latencies
    assert _count_companies() == 200


# --- finding 3: confirming twice imports once ------------------------------------------------


def test_two_concurrent_confirmations_of_one_preview_import_once(app):
    first, staff = _staff_client(app)
    second = app.test_client()
    login(second, staff.email, PASSWORD)
    page = text_of(_preview(first, _xlsx(companies(300, "Double"))))
    token = _stash_token(page)
    forms = [
        {"csrf_token": csrf_from(text_of(client.get("/exhibitors/import"))), "token": token}
        for client in (first, second)
    ]
    barrier = threading.Barrier(2)
    answers: list[str] = []

    def confirm(client, form):
        barrier.wait()
        response = client.post("/exhibitors/import/confirm", data=form, follow_redirects=True)
        answers.append(text_of(response))

    threads = [
        threading.Thread(target=confirm, args=pair)
        for pair in zip((first, second), forms, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert _count_companies() == 300
    assert sum("Import done: 300 companies created" in a for a in answers) == 1, answers
    assert sum("already done; nothing was imported again" in a for a in answers) == 1
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "company.import")
        )
        == 1
    )
    again = first.post("/exhibitors/import/confirm", data=forms[0], follow_redirects=True)
    assert "already done; nothing was imported again" in text_of(again)
    assert _count_companies() == 300


# --- finding 4: memory bombs -----------------------------------------------------------------


def test_a_zip_bomb_is_refused_before_it_is_unpacked(app):
    content = zip_bomb(companies(2))
    assert len(content) < 1_000_000
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = importer.check("bomb.xlsx", content)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 5  # generous: two busy shared cores
    assert peak < 20 * 1024 * 1024
    assert result.rows == [] and "unpacks to more than" in result.file_errors[0]


def test_an_oversized_upload_is_refused_before_it_is_parsed(app):
    client, _staff = _staff_client(app)
    content = b"name_zh\n" + b"x" * (9 * 1024 * 1024)
    page = text_of(_preview(client, content, "big.csv"))
    assert "larger than 8 MB" in page
    assert _count_companies() == 0


def test_rows_and_columns_past_the_limits_stop_the_reading_with_a_message(app):
    wide = _xlsx([HEADER + [f"extra{i}" for i in range(100)], ["甲公司", "", "", ""]])
    assert "more than 60 columns" in importer.check("wide.xlsx", wide).file_errors[0]
    # A cell far away (row 1,048,576) counts as the rows before it: refused, and quickly.
    far = _rewrite_sheet(
        _xlsx(companies(2)),
        lambda xml, member: member.write(
            xml.replace(
                b"</sheetData>",
                b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
                b"</sheetData>",
            )
        ),
    )
    started = time.monotonic()
    result = importer.check("far.xlsx", far)
    assert time.monotonic() - started < 5
    assert "more than 20000 rows" in result.file_errors[0]
