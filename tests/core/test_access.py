"""Every route declares who may reach it, and the declarations hold for every role.

A crawler walks the URL map with each staff role and with nobody signed in."""

import re

import pytest
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from expo_crm.auth.permissions import CAPABILITIES, Role, access_of, role_has
from tests.factories import create_staff
from tests.helpers import login


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule


def test_every_endpoint_declares_its_access(app):
    undeclared = [
        r.endpoint for r in _routes(app) if access_of(app.view_functions[r.endpoint]) is None
    ]
    assert undeclared == []


def test_every_declared_capability_exists(app):
    for rule in _routes(app):
        access = access_of(app.view_functions[rule.endpoint])
        for capability in access.capabilities:
            assert capability in CAPABILITIES, (rule.endpoint, capability)


def _concrete_url(rule) -> str | None:
    """The rule with every argument filled by a value that names no record (id 999999)."""
    url = rule.rule
    for argument in rule.arguments:
        converter = rule._converters[argument]
        if isinstance(converter, AnyConverter):
            value = sorted(converter.items)[0]
        elif isinstance(converter, IntegerConverter):
            value = "999999"
        else:
            value = "zz-missing"
        url = re.sub(r"<(?:[^:<>]+:)?" + re.escape(argument) + r">", value, url)
    return url


@pytest.mark.parametrize("role", [None, *Role])
def test_crawl_every_get_route_as_each_role(app, role):
    client = app.test_client()
    if role is not None:
        login(client, create_staff(role).email)
    failures = []
    for rule in _routes(app):
        if "GET" not in rule.methods:
            continue
        access = access_of(app.view_functions[rule.endpoint])
        url = _concrete_url(rule)
        response = client.get(url)
        status = response.status_code
        if status >= 500:
            failures.append(f"{url}: {status}")
            continue
        if access.kind == "staff":
            allowed = role is not None and all(role_has(role, c) for c in access.capabilities)
            if role is None and status not in (302, 401):
                failures.append(f"{url}: anonymous got {status}")
            if role is not None and not allowed and status != 403:
                failures.append(f"{url}: {role.value} got {status}, expected 403")
        elif access.kind == "portal" and role is not None and status != 403:
            failures.append(f"{url}: staff {role.value} reached a portal page ({status})")
        elif access.kind == "token" and status != 401:
            failures.append(f"{url}: without a token got {status}")
    assert failures == []


@pytest.mark.parametrize("role", [None, Role.gate])
def test_posting_to_every_route_without_rights_changes_nothing(app, role):
    from expo_crm.db import db

    client = app.test_client()
    if role is not None:
        login(client, create_staff(role).email)
    tables_before = _row_counts(db)
    for rule in _routes(app):
        if "POST" not in rule.methods:
            continue
        access = access_of(app.view_functions[rule.endpoint])
        if access.kind == "public":
            continue
        if (
            access.kind == "staff"
            and role is not None
            and all(role_has(role, c) for c in access.capabilities)
        ):
            continue
        response = client.post(_concrete_url(rule), data={})
        assert response.status_code in (302, 400, 401, 403, 404), (rule.rule, response.status_code)
    assert _row_counts(db) == tables_before


def _row_counts(db):
    import sqlalchemy as sa

    counts = {}
    for table in db.metadata.sorted_tables:
        if table.name in ("audit_events",):
            continue
        counts[table.name] = db.session.scalar(sa.select(sa.func.count()).select_from(table))
    return counts
