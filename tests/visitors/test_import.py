"""The visitor import reads like the exhibitor import: limits, encodings, a preview with
per-row errors in plain words, and all or nothing."""

from __future__ import annotations

import io
import time

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from expo_crm.db import db
from expo_crm.visitors import imports
from expo_crm.visitors.models import Registration
from tests.attack.test_hostile_imports import forged_dimension
from tests.factories import create_registration, create_show


@pytest.fixture(autouse=True)
def _english(app):
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


def _registrations() -> int:
    return db.session.scalar(sa.select(sa.func.count(Registration.id)))


def test_wrong_columns_are_one_file_error_not_an_invalid_email_on_every_row(app):
    show = create_show()
    result = imports.check(show, "v.csv", b"Vorname,Mail\nAnna,anna@example.de\n")
    assert any("“Vorname” is not known" in e for e in result.file_errors)
    assert any("needs an email column" in e for e in result.file_errors)
    assert result.rows == []


def test_a_gbk_csv_is_previewed_row_by_row_and_nothing_is_written(app):
    show = create_show()
    create_registration(show, email="known@example.cn")
    content = (
        "姓名,邮箱,公司,类别\n"
        "王芳,wang@example.cn,宁波工具,\n"
        "旧客户,KNOWN@example.cn,,\n"
        ",nobody@example.cn,,\n"
        "李雷,not-an-email,,\n"
        "韩梅,wang@example.cn,,\n"
        "张三,zhang@example.cn,,astronaut\n"
    ).encode("gb18030")
    result = imports.check(show, "visitors.csv", content)
    assert not result.ok
    errors = {r.line: " ".join(r.errors) for r in result.row_errors}
    assert set(errors) == {4, 5, 6, 7}
    assert "enter your name" in errors[4]
    assert "“not-an-email” is not valid" in errors[5]
    assert "repeats row 2" in errors[6]
    assert "category “astronaut”" in errors[7]
    assert [r.action for r in result.rows[:2]] == ["register", "existing"]
    assert _registrations() == 1
    with pytest.raises(ValueError):
        imports.apply(show, result)  # a file with errors is never written, not even in part


def test_a_clean_file_registers_everyone(app):
    show = create_show()
    result = imports.check(
        show,
        "v.xlsx",
        _xlsx(
            [["email", "name", "company"], ["a@example.cn", "甲", "X"], ["b@example.cn", "乙", ""]]
        ),
    )
    assert result.ok and result.count("register") == 2
    assert imports.apply(show, result) == (2, 0)
    db.session.commit()
    assert _registrations() == 2


def test_a_padded_visitor_file_is_read_in_little_time_and_memory(app):
    import tracemalloc

    show = create_show()
    content = forged_dimension([["email", "name"], ["a@example.cn", "甲"]])
    assert len(content) < 10_000
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = imports.check(show, "padded.xlsx", content)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 5
    assert peak < 20 * 1024 * 1024
    assert result.ok and result.count("register") == 1
