"""Staff pages: the on-site desk (walk-ins, reprints, bulk badges), the Excel export for print
vendors, gate devices, classification rules, live attendance data, and who may open what."""

from __future__ import annotations

import io
import re
import subprocess
import uuid

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from expo_crm import clock
from expo_crm.audit.models import AuditEvent
from expo_crm.auth.models import DeviceToken
from expo_crm.auth.permissions import Role, role_has
from expo_crm.db import db
from expo_crm.visitors import attendance, badges, services
from expo_crm.visitors.checkin import check_in
from expo_crm.visitors.models import (
    Badge,
    BadgeBuild,
    BadgeBuildState,
    ClassificationRule,
    Registration,
    RegistrationSource,
    RegistrationState,
    Scan,
    ScanDirection,
    ScanResult,
    Visitor,
)
from tests.factories import create_open_show, create_registration, create_staff
from tests.helpers import csrf_from, login, post_form, row_counts, text_of
from tests.staff.access_matrix import ROLES, Route, client_as

WALK_IN = {
    "name": "赵强",
    "email": "zhao.qiang@example.cn",
    "company": "义乌五金城",
    "country": "CN",
    "locale": "zh",
    "job_function": "purchasing",
    "category": "",
}


def fresh(model, *where):
    db.session.rollback()  # end the test's read snapshot: see what the requests committed
    return list(db.session.scalars(sa.select(model).where(*where)))


def audits(action: str) -> list[AuditEvent]:
    return fresh(AuditEvent, AuditEvent.action == action)


def pdf_pages(tmp_path, content: bytes) -> tuple[int, str]:
    path = tmp_path / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return pages, text


@pytest.fixture
def show(app):
    services.ensure_default_rules()
    db.session.commit()
    return create_open_show(name_en="Hardware Fair 2027")


@pytest.fixture
def desk(client, show):
    login(client, create_staff(Role.gate).email)
    return client


def test_a_walk_in_is_registered_at_the_desk_and_its_badge_prints_at_once(desk, show, tmp_path):
    response = post_form(desk, f"/visitors/desk/{show.id}", WALK_IN)
    assert response.status_code == 302 and "walk_in=1" in response.headers["Location"]
    [visitor] = fresh(Visitor)
    [registration] = fresh(Registration)
    assert (visitor.name, visitor.email, registration.source) == (
        "赵强",
        "zhao.qiang@example.cn",
        RegistrationSource.desk,
    )
    assert registration.category.value == "professional"  # by the rules: a purchaser

    page = text_of(desk.get(response.headers["Location"]))
    assert "Registered. Print the badge now." in page
    assert 'id="print-badge"' in page and "autofocus" in page and 'id="badge-qr"' in page
    badge = desk.get(f"/visitors/registrations/{registration.id}/badge.pdf")
    assert badge.status_code == 200 and badge.headers["Content-Type"] == "application/pdf"
    pages, text = pdf_pages(tmp_path, badge.data)
    assert pages == 1 and "赵强" in text and "义乌五金城" in text


def test_a_walk_in_already_registered_is_not_registered_twice(desk, show):
    post_form(desk, f"/visitors/desk/{show.id}", WALK_IN)
    response = post_form(desk, f"/visitors/desk/{show.id}", WALK_IN | {"name": "Someone Else"})
    assert "already registered" in text_of(desk.get(response.headers["Location"]))
    assert len(fresh(Registration)) == 1 and fresh(Visitor)[0].name == "赵强"


def test_a_walk_in_with_bad_input_gets_a_message_and_nothing_is_written(desk, show):
    response = post_form(
        desk, f"/visitors/desk/{show.id}", WALK_IN | {"email": "not-an-email", "mobile": "12"}
    )
    assert response.status_code == 200
    page = text_of(response)
    assert (
        "Please enter a valid email address." in page
        and "Please enter a valid mobile number." in page
    )
    assert fresh(Registration) == [] and fresh(Visitor) == []


def test_the_desk_finds_registrations_by_name(desk, show):
    registration, _ = create_registration(show, name="Maria Rossi", company="Rossi Utensili")
    page = text_of(desk.get(f"/visitors/desk/{show.id}?q=rossi"))
    assert f"/visitors/registrations/{registration.id}" in page and "Rossi Utensili" in page


def test_a_reprint_issues_a_new_code_and_the_old_one_is_revoked_at_the_gate(desk, show):
    registration, old_code = create_registration(show)
    detail = f"/visitors/registrations/{registration.id}"
    response = post_form(desk, f"{detail}/reprint", {"reason": "Badge lost"}, page=detail)
    assert "the old one no longer opens the gate" in text_of(desk.get(response.headers["Location"]))
    badges = fresh(Badge, Badge.registration_id == registration.id)
    assert len(badges) == 2 and badges[0].revoked_at is not None and badges[1].revoked_at is None
    new_code = services.badge_code(badges[1])
    assert new_code != old_code
    assert services.badge_for_code(old_code).revoke_reason == "reprinted"
    assert services.badge_for_code(old_code).revoke_note == "Badge lost"
    assert [e.entity_id for e in audits("badge.reprint")] == [str(registration.id)]

    gate = f"/visitors/gate/{show.id}/checkins"
    token = csrf_from(text_of(desk.get(f"/visitors/gate/{show.id}")))
    headers = {"X-CSRFToken": token}
    old = desk.post(gate, json={"code": old_code, "gate": "D1", "nonce": "n1"}, headers=headers)
    new = desk.post(gate, json={"code": new_code, "gate": "D1", "nonce": "n2"}, headers=headers)
    assert (old.status_code, old.json["result"]) == (410, "revoked")
    assert (new.status_code, new.json["result"]) == (201, "admitted")


def test_the_badge_downloads_are_posts_and_their_pages_write_nothing(client, show):
    """Printing badges and exporting badge codes are audited, so they are POSTs: neither the
    pages offering them nor a GET of their address writes a row."""
    create_registration(show, name="张伟")
    login(client, create_staff(Role.admin).email)
    before = row_counts()
    for url in (
        f"/visitors/?show={show.id}",
        f"/visitors/desk/{show.id}",
        f"/visitors/shows/{show.id}/badge-builds",
        f"/visitors/shows/{show.id}/registrations.xlsx",
    ):
        assert client.get(url).status_code in (200, 405), url
    assert row_counts() == before
    assert audits("visitors.print_badges") == [] and audits("visitors.export_badges") == []


def test_the_excel_export_holds_badge_codes_is_admin_only_and_audited(client, show):
    _, code = create_registration(show, name="张伟", company="上海五金贸易")
    url = f"/visitors/shows/{show.id}/registrations.xlsx"
    login(client, create_staff(Role.service).email)
    assert post_form(client, url, {}, page="/dashboard").status_code == 403
    assert audits("visitors.export_badges") == []

    client.post("/logout", data={"csrf_token": csrf_from(text_of(client.get("/dashboard")))})
    admin = create_staff(Role.admin)
    login(client, admin.email)
    response = post_form(client, url, {}, page=f"/visitors/?show={show.id}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("code", "name", "company", "category")
    assert rows[1][:4] == (code, "张伟", "上海五金贸易", "professional")
    [event] = audits("visitors.export_badges")
    assert (event.actor_id, event.after["rows"], event.after["format"]) == (admin.id, 1, "xlsx")


def test_gate_devices_are_created_and_revoked_in_the_staff_ui(client, show):
    login(client, create_staff(Role.admin).email)
    page = f"/visitors/shows/{show.id}/devices"
    response = post_form(client, page, {"name": "Hall W gate 1"})
    secret = re.search(r"<pre><code>([^<]+)</code></pre>", text_of(response)).group(1)
    [token] = fresh(DeviceToken, DeviceToken.show_id == show.id)
    assert token.name == "Hall W gate 1"
    _, code = create_registration(show)
    body = {"code": code, "gate": "W1", "nonce": "d1"}
    assert (
        client.post(
            "/api/v1/checkins", json=body, headers={"Authorization": f"Bearer {secret}"}
        ).status_code
        == 201
    )

    post_form(client, f"{page}/{token.id}/revoke", {}, page=page)
    assert fresh(DeviceToken)[0].revoked_at is not None
    again = client.post(
        "/api/v1/checkins",
        json=body | {"nonce": "d2"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert again.status_code == 401


def test_classification_rules_are_edited_by_staff(client, show):
    login(client, create_staff(Role.service).email)
    response = post_form(
        client,
        "/visitors/rules",
        {"condition": "job_function:engineering", "category": "professional", "position": "5"},
    )
    assert response.status_code == 302
    [rule] = fresh(ClassificationRule, ClassificationRule.value == "engineering")
    registration, _ = create_registration(show, category=None, job_function="engineering")
    assert registration.category.value == "professional"

    duplicate = post_form(
        client,
        "/visitors/rules",
        {"condition": "job_function:engineering", "category": "general", "position": "6"},
    )
    assert "A rule for this value already exists." in text_of(duplicate)
    post_form(client, f"/visitors/rules/{rule.id}/delete", {}, page="/visitors/rules")
    assert fresh(ClassificationRule, ClassificationRule.value == "engineering") == []


def test_attendance_data_counts_registered_and_checked_in_by_dimension_gate_and_hour(
    app, client, show
):
    _, code = create_registration(show, category="professional", country="DE", industry="hardware")
    create_registration(show, category="general", country="CN")
    login(client, create_staff(Role.sales).email)
    taken = clock.freeze(clock.now())
    data = client.get(f"/visitors/attendance/{show.id}.json").json
    assert (data["registered"], data["checked_in"], data["by_gate"], data["arrivals"]) == (
        2,
        0,
        [],
        [],
    )
    assert (data["as_of"], data["max_age_seconds"]) == (taken.isoformat(), 5)

    check_in(
        show_id=show.id,
        code=code,
        gate="E2",
        direction=ScanDirection.entry,
        nonce="a1",
        device_key="t",
    )
    # The answer is shared for up to five seconds per show and language, then the scan shows.
    shared = client.get(f"/visitors/attendance/{show.id}.json").json
    assert (shared["checked_in"], shared["as_of"]) == (0, taken.isoformat())
    reader = app.test_client()
    login(reader, create_staff(Role.gate, locale="zh").email)
    chinese = reader.get(f"/visitors/attendance/{show.id}.json").json
    assert (chinese["checked_in"], chinese["charts"]["by_category"]["title"]) == (1, "按类别")
    clock.travel(attendance.LIVE_MAX_AGE)
    data = client.get(f"/visitors/attendance/{show.id}.json").json
    assert (data["registered"], data["checked_in"], data["inside"]) == (2, 1, 1)
    assert data["as_of"] == clock.now().isoformat()
    by_category = {
        row["key"]: (row["registered"], row["checked_in"]) for row in data["by_category"]
    }
    assert by_category == {"professional": (1, 1), "general": (1, 0)}
    assert {row["key"]: row["checked_in"] for row in data["by_country"]} == {"DE": 1, "CN": 0}
    assert data["by_gate"] == [{"key": "E2", "label": "E2", "checked_in": 1}]
    assert sum(row["count"] for row in data["arrivals"]) == 1
    assert f"/visitors/attendance/{show.id}" in text_of(client.get("/dashboard"))


def test_the_staff_gate_endpoint_records_the_scan_with_the_staff_member(desk, show):
    _, code = create_registration(show)
    token = csrf_from(text_of(desk.get(f"/visitors/gate/{show.id}")))
    response = desk.post(
        f"/visitors/gate/{show.id}/checkins",
        json={"code": code, "gate": "S1", "nonce": "x"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201
    [scan] = fresh(Scan)
    assert (
        scan.result,
        scan.gate,
        scan.staff_id is not None,
        scan.device_key.startswith("staff:"),
    ) == (ScanResult.admitted, "S1", True, True)
    bad = desk.post(
        f"/visitors/gate/{show.id}/checkins", json={"code": code}, headers={"X-CSRFToken": token}
    )
    assert bad.status_code == 400 and len(fresh(Scan)) == 1
    no_csrf = desk.post(
        f"/visitors/gate/{show.id}/checkins", json={"code": code, "gate": "S1", "nonce": "y"}
    )
    assert no_csrf.status_code == 400 and len(fresh(Scan)) == 1
    assert fresh(Registration)[0].state is RegistrationState.active


ROUTES = [
    Route("GET", "/visitors/", "visitors.view"),
    Route("GET", "/visitors/registrations/{registration}", "visitors.desk"),
    Route("POST", "/visitors/registrations/{registration}/reprint", "visitors.desk"),
    Route("POST", "/visitors/registrations/{registration}/resend", "visitors.desk"),
    Route("GET", "/visitors/registrations/{registration}/badge.pdf", "visitors.desk"),
    Route("GET", "/visitors/desk/{show}", "visitors.desk"),
    Route("POST", "/visitors/shows/{show}/badge-builds", "visitors.desk"),
    Route("GET", "/visitors/badge-builds/{build}", "visitors.desk"),
    Route("GET", "/visitors/badge-builds/{build}.json", "visitors.desk"),
    Route("GET", "/visitors/badge-builds/{build}/badges.pdf", "visitors.desk"),
    Route("GET", "/visitors/rules", "visitors.manage"),
    Route("GET", "/visitors/shows/{show}/devices", "gate.devices"),
    Route("POST", "/visitors/shows/{show}/registrations.xlsx", "visitors.export"),
    Route("GET", "/visitors/gate/{show}", "gate.scan"),
    Route("GET", "/visitors/attendance/{show}", "attendance.view"),
    Route("GET", "/visitors/attendance/{show}.json", "attendance.view"),
    Route(
        "POST", "/visitors/registrations/{registration}/cancel", "visitors.manage"
    ),  # last: it ends the badge
]


def finished_build(show) -> BadgeBuild:
    """A bulk badge PDF ready to download (its file written here: who may fetch it is the point)."""
    build, _ = badges.start_build(show, "", "en", None, clock.now())
    build.state, build.done, build.finished_at = BadgeBuildState.done, build.total, clock.now()
    db.session.commit()
    badges.build_file(build).parent.mkdir(parents=True, exist_ok=True)
    badges.build_file(build).write_bytes(b"%PDF-1.7\n%%EOF\n")
    return build


@pytest.mark.parametrize("role", ROLES, ids=lambda r: str(r or "anonymous"))
def test_every_visitors_staff_route_admits_only_the_roles_holding_its_capability(app, show, role):
    registration, _ = create_registration(show)
    build = finished_build(show)
    client = client_as(app, role)  # one sign-in per role: sign-ins are rate limited
    token = csrf_from(text_of(client.get("/portal/" if role == "exhibitor" else "/login")))
    for route in ROUTES:
        url = route.url.format(show=show.id, registration=registration.id, build=build.id)
        if route.method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        status = response.status_code
        if role is None:
            assert status == 302 and "/login" in response.headers["Location"], (url, status)
        elif role == "exhibitor" or not role_has(role, route.capability):
            assert status == 403, (url, role, status)
        else:
            downloads = route.url.endswith((".pdf", ".xlsx"))  # a POST that answers a file
            expected = 200 if route.method == "GET" or downloads else 302
            assert status == expected, (url, role, status)
