"""Queueing many emails from one render: what each recipient's email holds, including when the
template does something with a personal value that a shared render cannot reproduce."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from jinja2 import ChoiceLoader, DictLoader

from expo_crm.db import db
from expo_crm.mail.models import MailCategory, MailState, OutboxMessage
from expo_crm.mail.services import Addressee, enqueue_many, unsubscribe, unsubscribe_url

TEMPLATES = {
    "emails/test/shout.subject.txt": "{{ _('Hello') }} {{ name }}",
    "emails/test/shout.txt": "{{ name|upper }} / {{ name }} / {{ code }}\n",
    "emails/test/shout.html": '<p>{{ name }}</p><a href="{{ unsubscribe_url }}">x</a>',
}


@pytest.fixture
def test_templates(app):
    loader = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader([DictLoader(TEMPLATES), loader])
    app.jinja_env.cache.clear()
    yield
    app.jinja_env.loader = loader
    app.jinja_env.cache.clear()


def _addressee(n: int, name: str) -> Addressee:
    return Addressee(
        address=f"p{n}@example.com",
        name=name,
        dedupe_key=f"test:{n}",
        personal={"name": name},
    )


def test_each_email_is_what_a_render_of_its_own_would_be(app, test_templates):
    unsubscribe("p1@example.com")
    names = ["Zoë <b>", "Ann  Lee", "", "李娜"]
    queued = enqueue_many(
        "test/shout",
        [_addressee(n, name) for n, name in enumerate(names)],
        language="en",
        context={"code": "A&B"},
        category=MailCategory.marketing,
    )
    assert queued == ["test:0", "test:1", "test:2", "test:3"]
    assert (
        enqueue_many(
            "test/shout",
            [_addressee(0, "again")],
            language="en",
            context={"code": "A&B"},
            category=MailCategory.marketing,
        )
        == []
    ), "a dedupe key queued before is skipped"
    db.session.commit()
    rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [r.body_text for r in rows] == [
        "ZOË <B> / Zoë <b> / A&B",
        "ANN  LEE / Ann  Lee / A&B",
        " /  / A&B",
        "李娜 / 李娜 / A&B",
    ]
    assert [r.subject for r in rows] == ["Hello Zoë <b>", "Hello Ann Lee", "Hello", "Hello 李娜"]
    assert rows[0].body_html.startswith("<p>Zoë &lt;b&gt;</p>")
    for row in rows:
        assert f'href="{unsubscribe_url(row.to_address)}"' in row.body_html
    assert [r.state for r in rows] == [
        MailState.pending,
        MailState.suppressed,
        MailState.pending,
        MailState.pending,
    ]
