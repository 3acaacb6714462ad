"""Spreadsheet import: plain-word errors, preview without writing, confirm, re-import updates, 10,000 rows, CLI."""

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from expo_crm.db import db
from expo_crm.exhibitors import importer
from expo_crm.exhibitors.models import Company, Contact
from tests.factories import PASSWORD, create_company, create_staff
from tests.helpers import csrf_from, login, text_of

HEADER = ["name_zh", "name_en", "tax_id", "city", "established_on", "contact_name", "contact_email"]


@pytest.fixture(autouse=True)
def _english(app):
    """Services called outside a request speak the operator's default language; these read English."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def _upload(client, content: bytes, filename: str):
    token = csrf_from(text_of(client.get("/exhibitors/import")))
    return client.post(
        "/exhibitors/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_preview_writes_nothing_and_confirmation_imports(client):
    user = create_staff("sales")
    login(client, user.email, PASSWORD)
    content = _xlsx(
        [
            HEADER,
            [
                "温州正泰五金有限公司",
                "Wenzhou Zhengtai Hardware",
                "91330300MA2C000001",
                "温州",
                "2005-06-01",
                "陈静",
                "chen.jing@zhengtai.example",
            ],
            ["", "Bosch Tools Trading", "", "Stuttgart", "", "", ""],
        ]
    )
    preview = _upload(client, content, "exhibitors.xlsx")
    page = text_of(preview)
    assert "Ready to import: 2 new companies, 0 updates." in page
    assert _count(Company) == 0
    token = csrf_from(page)
    stash = (
        page.split('name="token" type="hidden" value="')[1].split('"')[0]
        if 'name="token" type="hidden"' in page
        else page.split('id="token" name="token" type="hidden" value="')[1].split('"')[0]
    )
    done = client.post("/exhibitors/import/confirm", data={"csrf_token": token, "token": stash})
    assert done.status_code == 302
    assert _count(Company) == 2
    contact = db.session.scalar(sa.select(Contact))
    assert contact.email == "chen.jing@zhengtai.example" and contact.is_primary
    again = client.post(
        "/exhibitors/import/confirm",
        data={"csrf_token": token, "token": stash},
        follow_redirects=True,
    )
    assert "already done; nothing was imported again" in text_of(again)
    assert _count(Company) == 2


def test_reimport_updates_by_tax_id_then_by_normalised_name(app):
    by_tax = create_company("旧名称", "Old Name", tax_id="91330300MA2C000001")
    by_name = create_company("宁波恒达工具有限公司", "")
    result = importer.check(
        "x.csv",
        _csv(
            [
                HEADER,
                ["温州正泰五金有限公司", "", "91330300ma2c000001", "温州", "", "", ""],
                ["宁波恒达工具", "Ningbo Hengda Tools", "", "宁波", "", "", ""],
                ["全新公司", "", "", "", "", "", ""],
            ]
        ),
    )
    assert result.ok, [r.errors for r in result.rows] + result.file_errors
    assert [r.action for r in result.rows] == ["update", "update", "create"]
    created, updated = importer.apply(result)
    db.session.commit()
    assert (created, updated) == (1, 2)
    assert db.session.get(Company, by_tax.id).name_zh == "温州正泰五金有限公司"
    assert db.session.get(Company, by_name.id).name_en == "Ningbo Hengda Tools"
    assert _count(Company) == 3


def test_a_company_is_matched_by_its_own_name_before_another_companys_english_name(app):
    """One company's English name is another's Chinese name (as normalised): each row of a
    re-import updates the company whose own name it carries, whatever order the database
    returns them in (once a random failure on PostgreSQL)."""
    english_name_first = create_company("北方", "Alpha")
    own_name = create_company("Alpha", "")
    result = importer.check(
        "x.csv",
        _csv([HEADER, ["北方", "Alpha", "", "", "", "", ""], ["Alpha", "", "", "", "", "", ""]]),
    )
    assert result.ok, [r.errors for r in result.rows] + result.file_errors
    assert [r.existing_id for r in result.rows] == [english_name_first.id, own_name.id]


def test_row_errors_are_reported_in_plain_words(app):
    result = importer.check(
        "x.xlsx",
        _xlsx(
            [
                HEADER,
                ["甲公司", "", "", "", "31/02/2020", "", ""],
                ["", "", "", "", "", "", ""],  # blank rows are skipped
                ["", "", "", "Hangzhou", "", "", ""],
                ["乙公司", "", "", "", "", "x", "not-an-email"],
                ["甲 公司", "", "", "", "", "", ""],
            ]
        ),
    )
    assert not result.ok
    errors = {r.line: " ".join(r.errors) for r in result.row_errors}
    assert "is not a date" in errors[2]
    assert "company name is missing" in errors[4]
    assert "email address" in errors[5]
    assert "repeats row 2" in errors[6]


def test_a_workbook_whose_directory_claims_an_unknown_zip_version_is_refused(app):
    # Found by the damaged-workbook property test: zipfile raises NotImplementedError for it.
    content = bytearray(_xlsx([HEADER, ["甲公司", "", "", "", "", "", ""]]))
    directory = content.index(b"PK\x01\x02")
    content[directory + 6 : directory + 8] = (235).to_bytes(2, "little")
    result = importer.check("x.xlsx", bytes(content))
    assert not result.ok and result.file_errors


def test_two_rows_that_would_update_one_company_are_refused(app):
    create_company(name_zh="恒达五金", tax_id="91330100MA27XYZ123")
    result = importer.check(
        "x.csv",
        _csv(
            [
                HEADER,
                ["另一个名字", "", "91330100MA27XYZ123", "", "", "", ""],
                ["恒达五金", "", "", "", "", "", ""],
            ]
        ),
    )
    assert not result.ok
    assert "row 2 would both update the same company" in " ".join(result.row_errors[0].errors)


def test_a_company_name_of_punctuation_alone_is_refused(app):
    # It could never be matched again on re-import, so a second import would create it twice.
    result = importer.check("x.csv", _csv([HEADER, [":", "", "", "", "", "", ""]]))
    assert not result.ok
    assert "has no letters or digits" in " ".join(result.row_errors[0].errors)


def test_wrong_columns_and_unreadable_files(app):
    wrong = importer.check("x.csv", _csv([["Firma", "Stadt"], ["A", "B"]]))
    assert any("“Firma” is not known" in e for e in wrong.file_errors)
    assert any("needs a name_zh or a name_en column" in e for e in wrong.file_errors)
    broken = importer.check("x.xlsx", b"this is not a spreadsheet")
    assert "could not be read" in broken.file_errors[0]
    other = importer.check("x.pdf", b"%PDF-1.4")
    assert "could not be read" in other.file_errors[0]
    empty = importer.check("x.csv", b"")
    assert empty.file_errors
    header_only = importer.check("x.csv", _csv([HEADER]))
    assert "no data rows" in header_only.file_errors[0]


def test_too_many_rows_are_refused(app, monkeypatch):
    monkeypatch.setattr(importer, "MAX_ROWS", 5)
    result = importer.check(
        "x.csv", _csv([HEADER] + [[f"公司{n}", "", "", "", "", "", ""] for n in range(6)])
    )
    assert "more than 5 rows" in result.file_errors[0]


def test_malformed_upload_through_the_page_is_a_message(client):
    user = create_staff("sales")
    login(client, user.email, PASSWORD)
    response = _upload(client, b"\x00\x01garbage", "list.xlsx")
    assert response.status_code == 200 and "could not be read" in text_of(response)
    assert _count(Company) == 0


def test_ten_thousand_rows_import_and_reimport_without_duplicates(app):
    rows = [HEADER] + [
        [
            f"测试企业{n:05d}有限公司",
            f"Test Enterprise {n:05d}",
            f"9131000000{n:08d}",
            "上海",
            "2010-01-01",
            f"联系人{n}",
            f"c{n}@ten-thousand.example",
        ]
        for n in range(10_000)
    ]
    content = _xlsx(rows)
    result = importer.check("big.xlsx", content)
    assert result.ok and result.count("create") == 10_000
    importer.apply(result)
    db.session.commit()
    again = importer.check("big.xlsx", content)
    assert again.count("update") == 10_000
    importer.apply(again)
    db.session.commit()
    assert _count(Company) == 10_000 and _count(Contact) == 10_000


def test_cli_import(app, tmp_path):
    from expo_crm.cli import cli

    path = tmp_path / "exhibitors.csv"
    path.write_bytes(
        _csv([HEADER, ["佛山顺德五金有限公司", "Foshan Shunde Hardware", "", "佛山", "", "", ""]])
    )
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["import", "exhibitors", str(path)])
    assert result.exit_code == 0, result.output
    assert "created 1 and updated 0" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv([["Firma"], ["x"]]))
    failed = runner.invoke(cli, ["import", "exhibitors", str(bad)])
    assert failed.exit_code != 0 and "not known" in failed.output
