"""Property-based: whatever a gate device sends, the check-in API never fails with a 500,
answers what docs/contracts.md promises for the badge's state, stores exactly one scan per accepted
request (none for a refused request or a repeated nonce) and never half-writes."""

from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.attack.checkin_world import (
    CHECKINS,
    STATUS,
    build_gate_world,
    checkin_operation,
    expected_result,
    registration_states,
    scan_count,
)

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
PROPERTY = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Codes: a real badge (by index into the world's codes), or anything at all.
codes = st.one_of(
    st.integers(min_value=0, max_value=4).map(lambda i: ("badge", i)),
    st.text(max_size=60).map(lambda t: ("raw", t)),
    st.from_regex(r"EC1\.[A-Za-z0-9_-]{43}", fullmatch=True).map(lambda t: ("raw", t)),
    st.sampled_from([None, 17, ["EC1."], {"code": 1}]).map(lambda v: ("raw", v)),
)
# Includes what once failed: NUL (PostgreSQL refuses it) and a lone surrogate (no encoding takes it).
gates = st.one_of(
    st.sampled_from(["W1", "E2", " N3 ", "东门", "W\x00", "\ud800", "\t"]),
    st.text(max_size=40),
    st.sampled_from([None, 7, ""]),
)
directions = st.one_of(st.sampled_from(["in", "out", None]), st.text(max_size=5))
# Nonces: a fresh one, one used earlier in the same run, or a malformed one.
nonces = st.one_of(
    st.just(("fresh", "")),
    st.text(max_size=20).map(lambda suffix: ("fresh", suffix)),
    st.integers(min_value=0, max_value=20).map(lambda i: ("again", i)),
    st.sampled_from(["", "   ", "x" * 65, None, 5, "n\x00", "\udfff"]).map(lambda v: ("raw", v)),
)
auths = st.sampled_from(["good"] * 6 + ["none", "bogus", "revoked", "basic"])
scans = st.tuples(codes, gates, directions, nonces, auths)


def _printable(text, longest: int) -> bool:
    return (
        isinstance(text, str)
        and bool(text.strip())
        and len(text) <= longest
        and not CONTROL.search(text)
    )


def _well_formed(gate, direction, nonce) -> bool:
    return _printable(gate, 32) and _printable(nonce, 64) and direction in ("in", "out")


def _header(world, auth) -> dict:
    secret = {"good": world.token, "bogus": "gt_" + "A" * 43, "revoked": world.revoked_token}.get(
        auth
    )
    if auth == "basic":
        return {"Authorization": "Basic dXNlcjpwYXNz"}
    return {"Authorization": f"Bearer {secret}"} if secret else {}


@pytest.fixture
def world(app):
    return build_gate_world()


@PROPERTY
@given(steps=st.lists(scans, min_size=1, max_size=6))
def test_any_sequence_of_scans_is_answered_as_promised_and_stored_once(client, world, steps):
    operation = checkin_operation()
    model = registration_states(world.active.values())
    answered: dict[str, tuple[int, dict]] = {}  # stripped nonce -> first answer
    used: list[str] = []
    stored = scan_count()
    for (kind, code), gate, direction, (nonce_kind, nonce), auth in steps:
        code = world.codes[code] if kind == "badge" else code
        if nonce_kind == "fresh":
            nonce = uuid.uuid4().hex[:12] + nonce
        elif nonce_kind == "again":
            nonce = used[nonce % len(used)] if used else uuid.uuid4().hex
        body = {"code": code, "gate": gate, "nonce": nonce}
        if direction is not None:
            body["direction"] = direction
        direction = "in" if direction is None else direction  # the contract's default
        response = client.post(CHECKINS, json=body, headers=_header(world, auth))
        assert response.status_code < 500, response.get_data(as_text=True)
        operation.validate_response(response)
        if auth != "good":
            assert response.status_code == 401
            assert scan_count() == stored
            continue
        if not _well_formed(gate, direction, nonce):
            assert response.status_code == 400
            assert scan_count() == stored
            continue
        key = nonce.strip()
        used.append(nonce)
        if key in answered:
            assert (response.status_code, response.json) == answered[key]
            assert scan_count() == stored
            continue
        result = expected_result(world, model, code, direction)
        assert (response.status_code, response.json["result"]) == (STATUS[result], result)
        answered[key] = (response.status_code, response.json)
        stored += 1
        assert scan_count() == stored
    assert registration_states(world.active.values()) == model


@PROPERTY
@given(
    payload=st.one_of(
        st.binary(max_size=200),
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False)
            | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=8), inner, max_size=4)
            ),
            max_leaves=8,
        ).map(lambda value: ("json", value)),
    )
)
def test_malformed_bodies_are_refused_with_400_and_store_nothing(client, world, payload):
    before = scan_count()
    headers = {"Authorization": f"Bearer {world.token}"}
    if isinstance(payload, bytes):
        response = client.post(
            CHECKINS, data=payload, headers=headers, content_type="application/json"
        )
    else:
        response = client.post(CHECKINS, json=payload[1], headers=headers)
    assert response.status_code < 500, response.get_data(as_text=True)
    checkin_operation().validate_response(response)
    if response.status_code != 400:
        # A JSON object that happens to be a well-formed scan is answered like any scan.
        assert isinstance(payload, tuple) and isinstance(payload[1], dict)
        assert scan_count() == before + 1
    else:
        assert scan_count() == before
