"""Integers no id column can hold, in paths and query strings, are a 404 or ignored, never a 500
(issue 13, finding 7): PostgreSQL's integer stops at 2**31 - 1, SQLite's at 2**63 - 1."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from expo_crm.auth.permissions import Role
from expo_crm.converters import INT_MAX
from tests.factories import create_show, create_staff
from tests.helpers import login

TOO_BIG = [str(2**31), str(2**63), "9" * 30]
# Every integer query parameter a view reads (grep "type=int").
INT_PARAMETERS = ("page", "show", "show_id", "owner", "supplier_id", "days", "booth_id")


def _routes_with_ints(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values())
    ]


def _url(rule, number: str) -> str:
    url = rule.rule
    for argument, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            value = number
        elif isinstance(converter, AnyConverter):
            value = sorted(converter.items)[0]
        else:
            value = "zz-missing"
        url = re.sub(r"<(?:[^:<>]+:)?" + re.escape(argument) + r">", value, url)
    return url


def _method(rule) -> str:
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]


def test_every_int_route_answers_404_for_ids_no_column_holds(app):
    client = app.test_client()
    login(client, create_staff(Role.admin).email)
    rules = _routes_with_ints(app)
    assert len(rules) > 50
    answers = {}
    for rule in rules:
        for number in [*TOO_BIG, str(INT_MAX)]:
            url = _url(rule, number)
            response = client.open(url, method=_method(rule))
            answers[(_method(rule), url)] = response.status_code
    wrong = {
        request: status
        for request, status in answers.items()
        # The largest id a column holds names no record: 404, or a redirect for some POSTs.
        if status >= 500 or (str(INT_MAX) not in request[1] and status != 404)
    }
    assert wrong == {}


def test_anonymous_pages_answer_404_for_ids_no_column_holds(client):
    for number in TOO_BIG:
        assert client.get(f"/visit/{number}/register").status_code == 404
        assert client.get(f"/visit/{number}/register?ref=x").status_code == 404


@pytest.mark.parametrize("number", [str(2**31), str(2**63), str(INT_MAX)])
def test_integer_query_parameters_out_of_range_are_ignored_on_every_page(app, number):
    create_show()
    client = app.test_client()
    login(client, create_staff(Role.admin).email)
    query = "&".join(f"{name}={number}" for name in INT_PARAMETERS)
    failures = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static":
            continue
        for export in ("", "&export=xlsx"):
            response = client.get(f"{rule.rule}?{query}{export}")
            if response.status_code >= 500:
                failures[rule.rule + export] = response.status_code
    assert failures == {}
