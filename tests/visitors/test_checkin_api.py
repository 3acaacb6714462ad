"""The gate check-in API (docs/contracts.md): every result and HTTP code, nonce idempotency, 401."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from expo_crm import clock
from expo_crm.auth.models import DeviceToken
from expo_crm.auth.services import revoke_device_token
from expo_crm.db import db
from expo_crm.relationships.models import Interaction
from expo_crm.visitors import services
from expo_crm.visitors.models import Registration, Scan, ScanResult
from tests.factories import create_gate_token, create_open_show, create_registration, create_show


def scan(client, token, code, gate="W1", direction="in", nonce=None, **extra):
    return client.post(
        "/api/v1/checkins",
        json={
            "code": code,
            "gate": gate,
            "direction": direction,
            "nonce": nonce or str(uuid.uuid4()),
        }
        | extra,
        headers={"Authorization": f"Bearer {token}"},
    )


def scans() -> list[Scan]:
    db.session.rollback()  # end the test's read snapshot: see what the requests committed
    return list(db.session.scalars(sa.select(Scan).order_by(Scan.id)))


@pytest.fixture
def gate(app):
    show = create_open_show()
    return show, create_gate_token(show)


def test_first_entry_is_admitted_with_name_company_and_category(client, gate):
    show, token = gate
    registration, code = create_registration(
        show, name="张伟", company="上海五金", category="professional"
    )
    response = scan(client, token, code, gate="W3")
    assert response.status_code == 201
    assert response.json | {} == response.json
    assert response.json["result"] == "admitted"
    assert response.json["name"] == "张伟"
    assert response.json["company"] == "上海五金"
    assert response.json["category"] == "professional"
    db.session.refresh(registration)
    assert registration.inside and registration.first_gate == "W3"
    assert registration.first_checked_in_at is not None
    [stored] = scans()
    assert (stored.result, stored.gate, stored.registration_id) == (
        ScanResult.admitted,
        "W3",
        registration.id,
    )
    assert stored.device_token_id is not None


def test_a_second_entry_scan_is_already_inside_with_the_first_entry_time_and_gate(client, gate):
    show, token = gate
    _, code = create_registration(show)
    scan(client, token, code, gate="W1")
    response = scan(client, token, code, gate="E2")
    assert response.status_code == 409
    assert response.json["result"] == "already_inside"
    assert response.json["first_entry_gate"] == "W1"
    assert response.json["first_entry_at"]
    assert [s.result for s in scans()] == [ScanResult.admitted, ScanResult.already_inside]


def test_exit_then_entry_is_readmitted_where_the_show_allows_reentry(client, gate):
    show, token = gate
    _, code = create_registration(show)
    assert scan(client, token, code).json["result"] == "admitted"
    exited = scan(client, token, code, direction="out")
    assert (exited.status_code, exited.json["result"]) == (201, "exited")
    again = scan(client, token, code)
    assert (again.status_code, again.json["result"]) == (201, "readmitted")


def test_reentry_is_refused_where_the_show_forbids_it(client):
    show = create_open_show(reentry_allowed=False)
    token = create_gate_token(show)
    _, code = create_registration(show)
    scan(client, token, code)
    scan(client, token, code, direction="out")
    response = scan(client, token, code)
    assert (response.status_code, response.json["result"]) == (403, "not_valid_now")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda code: "EC1." + "A" * 43,  # forged: well formed, never issued
        lambda code: code[:-5],  # truncated
        lambda code: code[:-1] + ("A" if code[-1] != "A" else "B"),  # tampered
        lambda code: "https://example.com/?q=1",  # malformed
        lambda code: "",  # empty
        lambda code: "EC2." + code[4:],  # unknown version
    ],
)
def test_unknown_forged_truncated_or_malformed_codes_are_404_and_never_say_which(
    client, gate, mangle
):
    show, token = gate
    registration, code = create_registration(show)
    response = scan(client, token, mangle(code))
    assert response.status_code == 404
    assert response.json == {"result": "unknown"}
    [stored] = scans()
    assert stored.result is ScanResult.unknown and stored.badge_id is None
    db.session.refresh(registration)
    assert not registration.inside


def test_a_reprinted_badge_revokes_the_old_code(client, gate):
    show, token = gate
    registration, old_code = create_registration(show)
    services.reprint_badge(registration, "lost")
    db.session.commit()
    new_code = services.badge_code(registration.active_badge)
    response = scan(client, token, old_code)
    assert (response.status_code, response.json["result"]) == (410, "revoked")
    assert scan(client, token, new_code).json["result"] == "admitted"


def test_a_cancelled_registration_is_revoked(client, gate):
    show, token = gate
    registration, code = create_registration(show)
    services.cancel_registration(registration)
    db.session.commit()
    response = scan(client, token, code)
    assert (response.status_code, response.json["result"]) == (410, "revoked")


def test_another_shows_badge_is_not_valid_here(client, gate):
    _, token = gate
    other = create_open_show(name_en="Lighting Fair 2027")
    _, code = create_registration(other)
    response = scan(client, token, code)
    assert (response.status_code, response.json["result"]) == (403, "not_valid_now")
    assert response.json["badge_show"] == "Lighting Fair 2027"
    assert response.json["badge_show_id"] == other.id
    assert db.session.scalar(sa.select(Registration.inside)) is False


def test_a_badge_is_not_valid_outside_the_open_days(client):
    from expo_crm import clock

    show = create_show(open_from=clock.now().date() + timedelta(days=30))
    token = create_gate_token(show)
    _, code = create_registration(show)
    response = scan(client, token, code)
    assert (response.status_code, response.json["result"]) == (403, "not_valid_now")
    assert [s.result for s in scans()] == [ScanResult.not_valid_now]


def test_the_same_nonce_returns_the_first_answer_and_records_nothing_new(client, gate):
    show, token = gate
    _, code = create_registration(show, name="Li Na")
    nonce = str(uuid.uuid4())
    first = scan(client, token, code, nonce=nonce)
    repeat = scan(client, token, code, nonce=nonce)
    assert (first.status_code, repeat.status_code) == (201, 201)
    assert repeat.json == first.json
    assert len(scans()) == 1
    # The repeated exit does not toggle anything either.
    out_nonce = str(uuid.uuid4())
    scan(client, token, code, direction="out", nonce=out_nonce)
    scan(client, token, code, direction="out", nonce=out_nonce)
    assert len(scans()) == 2


def test_a_refused_scan_replays_too(client, gate):
    _, token = gate
    nonce = str(uuid.uuid4())
    assert scan(client, token, "garbage", nonce=nonce).status_code == 404
    again = scan(client, token, "garbage", nonce=nonce)
    assert (again.status_code, again.json) == (404, {"result": "unknown"})
    assert len(scans()) == 1


def test_the_first_admission_logs_one_gate_interaction(client, gate):
    show, token = gate
    registration, code = create_registration(show)
    scan(client, token, code)
    scan(client, token, code, direction="out")
    scan(client, token, code)
    interactions = db.session.scalars(
        sa.select(Interaction).where(Interaction.channel == "gate")
    ).all()
    assert [(i.visitor_id, i.source_key) for i in interactions] == [
        (registration.visitor_id, f"checkin:{registration.id}")
    ]


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer ecg_" + "x" * 43])
def test_a_missing_or_bad_token_is_401_and_nothing_is_stored(client, gate, header):
    show, _token = gate
    _, code = create_registration(show)
    headers = {"Authorization": header} if header else {}
    response = client.post(
        "/api/v1/checkins", json={"code": code, "gate": "W1", "nonce": "n1"}, headers=headers
    )
    assert response.status_code == 401
    assert scans() == []


def test_a_revoked_device_token_is_401(client, gate):
    show, token = gate
    _, code = create_registration(show)
    revoke_device_token(db.session.scalar(sa.select(DeviceToken)))
    db.session.commit()
    assert scan(client, token, code).status_code == 401
    assert scans() == []


@pytest.mark.parametrize(
    "body",
    [
        {"code": "x", "gate": "", "nonce": "n"},
        {"code": "x", "gate": "W1"},
        {"code": "x", "gate": "W1", "nonce": "n", "direction": "sideways"},
        ["not", "an", "object"],
    ],
)
def test_a_malformed_request_is_400_and_nothing_is_stored(client, gate, body):
    _show, token = gate
    response = client.post(
        "/api/v1/checkins", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400
    assert scans() == []


@pytest.mark.parametrize(
    "body",
    [
        "[" * 1000 + "]" * 1000,
        '{"code": "x", "gate": "W1", "nonce": "n", "extra": ' + "[" * 1000 + "]" * 1000 + "}",
        '{"":' * 800 + "1" + "}" * 800,  # 800 deep: a thousand would be over 4 KB
    ],
    ids=["array", "in-a-field", "objects"],
)
def test_json_nested_a_thousand_deep_is_400_and_nothing_is_stored(client, gate, body):
    _show, token = gate
    response = client.post(
        "/api/v1/checkins",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.json["error"] == "bad_request"
    assert scans() == []


def test_brackets_inside_strings_are_not_nesting(client, gate):
    show, token = gate
    _, code = create_registration(show)
    response = scan(client, token, code, gate="[" * 20, nonce="{" * 40)
    assert (response.status_code, response.json["result"]) == (201, "admitted")


def test_a_body_over_4_kb_is_413_and_nothing_is_stored(client, gate):
    show, token = gate
    _, code = create_registration(show)
    response = scan(client, token, code, gate="W1", nonce="n" * 4100)
    assert response.status_code == 413 and response.is_json
    assert scans() == []


# --- exits of visitors who are not inside (issue 13, finding 8) -----------------------------------


def test_an_exit_of_a_visitor_never_admitted_is_not_inside_and_changes_nothing(client, gate):
    show, token = gate
    registration, code = create_registration(show, name="Wang Fang")
    response = scan(client, token, code, direction="out")
    assert (response.status_code, response.json["result"]) == (409, "not_inside")
    assert response.json["name"] == "Wang Fang"
    db.session.refresh(registration)
    assert (registration.inside, registration.entry_count, registration.last_scan_at) == (
        False,
        0,
        None,
    )
    assert [s.result for s in scans()] == [ScanResult.not_inside]
    assert scan(client, token, code).json["result"] == "admitted"


def test_a_second_exit_is_not_inside(client, gate):
    show, token = gate
    _, code = create_registration(show)
    scan(client, token, code)
    assert scan(client, token, code, direction="out").json["result"] == "exited"
    second = scan(client, token, code, direction="out")
    assert (second.status_code, second.json["result"]) == (409, "not_inside")
    nonce = str(uuid.uuid4())
    assert scan(client, token, code, direction="out", nonce=nonce).status_code == 409
    replay = scan(client, token, code, direction="out", nonce=nonce)
    assert (replay.status_code, replay.json["result"]) == (409, "not_inside")
    assert [s.result for s in scans()][-2:] == [ScanResult.not_inside] * 2  # the replay adds none


# --- scans queued offline (scanned_at) ------------------------------------------------------------


@pytest.fixture
def frozen_now(app):
    return clock.freeze(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def open_gate(frozen_now):
    """A show open since yesterday, so scans of the last 24 hours fall within its open days."""
    today = frozen_now.astimezone(ZoneInfo("Asia/Shanghai")).date()
    show = create_show(open_from=today - timedelta(days=1))
    return show, create_gate_token(show)


def test_an_offline_scan_is_stored_at_the_time_it_was_scanned(client, open_gate, frozen_now):
    show, token = open_gate
    registration, code = create_registration(show)
    scanned = frozen_now - timedelta(minutes=40)
    response = scan(client, token, code, scanned_at=scanned.isoformat())
    assert (response.status_code, response.json["result"]) == (201, "admitted")
    [stored] = scans()
    assert (stored.at, stored.received_at) == (scanned, frozen_now)
    db.session.refresh(registration)
    assert registration.inside and registration.first_checked_in_at == scanned
    assert registration.last_scan_at == scanned
    # A time without a zone is UTC; "Z" is understood.
    later = scanned + timedelta(minutes=5)
    out = scan(
        client, token, code, direction="out", scanned_at=later.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    assert out.json["result"] == "exited" and scans()[-1].at == later


def test_a_scan_sent_at_once_is_stored_at_the_time_it_was_received(client, open_gate, frozen_now):
    show, token = open_gate
    _, code = create_registration(show)
    scan(client, token, code)
    [stored] = scans()
    assert stored.at == stored.received_at == frozen_now


def test_an_offline_scan_older_than_the_last_change_is_recorded_but_changes_nothing(
    client, open_gate, frozen_now
):
    show, token = open_gate
    registration, code = create_registration(show)
    assert scan(client, token, code).json["result"] == "admitted"  # inside since now
    # An exit scanned ten minutes ago, on a gate that was offline, arrives now.
    stale = (frozen_now - timedelta(minutes=10)).isoformat()
    late_exit = scan(client, token, code, direction="out", scanned_at=stale)
    assert (late_exit.status_code, late_exit.json["result"]) == (201, "exited")
    db.session.refresh(registration)
    assert registration.inside and registration.last_scan_at == frozen_now
    assert scans()[-1].at == frozen_now - timedelta(minutes=10)
    # And a late entry of someone inside is answered as it would be now: already inside.
    late_entry = scan(client, token, code, scanned_at=stale)
    assert (late_entry.status_code, late_entry.json["result"]) == (409, "already_inside")
    # After an exit, an older offline entry does not bring the visitor back inside.
    clock.travel(timedelta(minutes=1))
    assert scan(client, token, code, direction="out").json["result"] == "exited"
    late_entry = scan(client, token, code, scanned_at=stale)
    assert late_entry.json["result"] == "readmitted"
    db.session.refresh(registration)
    assert not registration.inside and registration.entry_count == 1


def test_an_offline_scan_newer_than_the_last_change_changes_the_state(
    client, open_gate, frozen_now
):
    show, token = open_gate
    registration, code = create_registration(show)
    scan(client, token, code, scanned_at=(frozen_now - timedelta(hours=2)).isoformat())
    exit_at = frozen_now - timedelta(hours=1)
    assert (
        scan(client, token, code, direction="out", scanned_at=exit_at.isoformat()).json["result"]
        == "exited"
    )
    db.session.refresh(registration)
    assert not registration.inside and registration.last_scan_at == exit_at


@pytest.mark.parametrize(
    "scanned_at",
    [
        lambda now: (now - timedelta(hours=24, seconds=1)).isoformat(),
        lambda now: (now + timedelta(minutes=2, seconds=1)).isoformat(),
        lambda now: "yesterday",
        lambda now: 1700000000,
        lambda now: "2026-13-01T00:00:00Z",
    ],
    ids=["too-old", "too-far-ahead", "words", "number", "no-such-month"],
)
def test_a_scanned_at_outside_the_window_or_unreadable_is_400_and_nothing_is_stored(
    client, open_gate, frozen_now, scanned_at
):
    show, token = open_gate
    registration, code = create_registration(show)
    response = scan(client, token, code, scanned_at=scanned_at(frozen_now))
    assert response.status_code == 400 and response.json["error"] == "bad_request"
    assert scans() == []
    db.session.refresh(registration)
    assert not registration.inside


def test_the_window_edges_are_accepted(client, open_gate, frozen_now):
    show, token = open_gate
    _, code = create_registration(show)
    oldest = (frozen_now - timedelta(hours=24)).isoformat()
    assert scan(client, token, code, scanned_at=oldest).status_code == 201
    newest = (frozen_now + timedelta(minutes=2)).isoformat()
    assert scan(client, token, code, direction="out", scanned_at=newest).status_code == 201
