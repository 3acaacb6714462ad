"""The exhibitor service plan, run through time: deadline and payment reminders, move-in
information and the evening lead digest reach each exhibitor once, in its contact's language,
and never one that has met the deadline."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from babel.dates import format_date

from expo_crm import clock
from expo_crm.db import db
from expo_crm.exhibitors import leads, participation, payments
from expo_crm.exhibitors.contracts import badge_quota
from expo_crm.mail.models import MailState, OutboxMessage
from expo_crm.relationships.models import CustomerValueState, ValueClass, ValueTier
from expo_crm.scheduler import registry, services
from expo_crm.subjects import SubjectKind
from tests.factories import (
    create_catalogue_item,
    create_company,
    create_contact,
    create_contract,
    create_registration,
    create_service_order,
    create_show,
    create_staff,
    run_due_at,
)
from tests.helpers import login, post_form, text_of

STEPS = (
    "exhibitors.remind_catalogue_entry",
    "exhibitors.remind_fascia_name",
    "exhibitors.remind_service_orders",
    "exhibitors.remind_staff_badges",
    "exhibitors.remind_payments",
    "exhibitors.move_in_info",
    "exhibitors.lead_digest",
)


def _local(show, day, hour: int, minute: int = 1) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=show.tz).astimezone(UTC)


def _step_time(show, action: str) -> datetime:
    step = next(s for s in services.plan_of(show) if s.action == action)
    return services.due_at(step, show) + timedelta(minutes=1)


def _exhibitor(show, name_zh: str, name_en: str, email: str, locale: str):
    company = create_company(name_zh=name_zh, name_en=name_en)
    create_contact(company, email=email, locale=locale, is_primary=True)
    return company, create_contract(company, show, signed=True)


def _the_show():
    """A show 70 days ahead with move-in hours, a supplier whose order deadline is later than
    the manual's, two exhibitors who have done nothing (one writes Chinese, one English) and one
    that has met every deadline."""
    today = clock.now()
    show = create_show(
        open_from=(today + timedelta(days=70)).date(),
        days=2,
        move_in_opens=time(8, 30),
        move_in_closes=time(17, 30),
    )
    item = create_catalogue_item(show, deadline=show.open_from - timedelta(days=12))
    late_zh = _exhibitor(show, "迟到五金有限公司", "Tardy Hardware", "boss@tardy.example", "zh")
    late_en = _exhibitor(show, "慢工具", "Slow Tools Ltd", "ceo@slow.example", "en")
    company, contract = _exhibitor(show, "准时工具", "Punctual Tools", "ops@punctual.example", "en")
    participation.submit_deliverable(contract, "catalogue_entry", "Punctual Tools: hinges.")
    participation.submit_deliverable(contract, "fascia_name", "PUNCTUAL")
    create_service_order(company, item, commit=False)
    participation.name_staff(contract, "Li Lei", "lilei@punctual.example")
    payments.record_payment(contract.id, payments.outstanding(contract))
    db.session.commit()
    return show, item, late_zh, late_en, (company, contract)


def _outbox(show) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.show_id == show.id, OutboxMessage.template.like("exhibitors/%"))
            .order_by(OutboxMessage.id)
        )
    )


def _body(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_every_exhibitor_step_reaches_each_exhibitor_that_needs_it_once(app, smtp_server):
    show, item, (_, zh_contract), (_, en_contract), (done, _) = _the_show()
    _, code = create_registration(show, name="Zhang San", company="Buyer Co")
    _, other_code = create_registration(show, name="Mary Major", company="Retail Ltd")

    moments = [
        _step_time(show, "exhibitors.remind_catalogue_entry"),
        _step_time(show, "exhibitors.remind_fascia_name"),
        _step_time(show, "exhibitors.remind_service_orders"),
        _step_time(show, "exhibitors.remind_staff_badges"),
        _step_time(show, "exhibitors.move_in_info"),
        # Payment reminders: a week before each contract's deposit and balance due dates.
        _local(show, zh_contract.deposit_due - timedelta(days=7), 9),
        _local(show, zh_contract.balance_due - timedelta(days=7), 9),
    ]
    expected_first = {
        "exhibitors/deadline_reminder": 8,  # four items × the two exhibitors that did nothing
        "exhibitors/payment_reminder": 4,  # deposit and balance × those two
        "exhibitors/move_in": 3,  # every signed exhibitor with a booth
    }
    lines = []
    for at in sorted(moments):
        lines += run_due_at(at)
        lines += run_due_at(at + timedelta(minutes=5))  # the same steps again: nothing new
    assert not [line for line in lines if "\tfailed" in line and "exhibitors." in line], lines

    # The evening lead digest: day one both laggards scanned visitors, day two only one did.
    clock.freeze(_local(show, show.open_from, 11))
    leads.record_lead(zh_contract, code, rating=5, note="wants 2,000 hinges")
    leads.record_lead(zh_contract, other_code, rating=2)
    leads.record_lead(en_contract, code, rating=4)
    db.session.commit()
    day_one = _local(show, show.open_from, 19)
    run_due_at(day_one)
    run_due_at(day_one + timedelta(minutes=5))
    clock.freeze(_local(show, show.open_to, 10))
    _, third_code = create_registration(show, name="Late Comer", company="Pharma AG")
    leads.record_lead(en_contract, third_code, rating=3)
    db.session.commit()
    day_two = _local(show, show.open_to, 19)
    run_due_at(day_two)
    run_due_at(day_two + timedelta(minutes=5))

    mails = _outbox(show)
    counts = Counter(m.template for m in mails)
    assert counts == Counter(expected_first | {"exhibitors/lead_digest": 3})
    assert len({m.dedupe_key for m in mails}) == len(mails)
    # Nothing ever went to the exhibitor that met every deadline, except what it needs.
    to_done = Counter(m.template for m in mails if m.to_address == "ops@punctual.example")
    assert to_done == Counter({"exhibitors/move_in": 1})
    kinds = Counter(
        (m.to_address, m.dedupe_key.split(":")[1])
        for m in mails
        if m.template == "exhibitors/deadline_reminder"
    )
    assert set(kinds) == {
        (address, kind)
        for address in ("boss@tardy.example", "ceo@slow.example")
        for kind in ("catalogue_entry", "fascia_name", "service_orders", "staff_badges")
    }
    assert {m.state for m in mails} == {MailState.sent}

    # Received over SMTP, once each, in the contact's language.
    received = Counter(str(m["Message-ID"]) for m in smtp_server.messages)
    assert {m.message_id for m in mails} <= set(received) and max(received.values()) == 1
    zh = {str(m["Subject"]): _body(m) for m in smtp_server.to("boss@tardy.example")}
    en = {str(m["Subject"]): _body(m) for m in smtp_server.to("ceo@slow.example")}
    # 4 deadlines, 2 payments, move-in and the digests (the English one scanned on both days)
    assert len(zh) == 8 and len(en) == 9
    name = show.name_en
    order_by = format_date(item.order_deadline, "medium", locale="en")
    orders = en[f"{name}: order your booth services by {order_by}"]
    assert "Slow Tools Ltd has not ordered any booth services" in orders
    assert f"{name}: name your staff for their badges by" in " ".join(en)
    assert any(s.startswith(f"{name}: your deposit is due on") for s in en)
    balance = next(body for s, body in en.items() if "your balance is due" in s)
    assert en_contract.number in balance and "Still to pay" in balance
    move_in = en[f"{name}: move-in information for your booth"]
    assert "Hall W1, booth W1-" in move_in and "08:30 – 17:30" in move_in
    assert f"Staff badges named: 0 / {badge_quota(en_contract)}" in move_in
    digest = next(body for s, body in en.items() if "leads at your booth" in s)
    assert "Zhang San (Buyer Co)" in digest and "Leads today: 1" in digest

    zh_name = show.name_zh
    assert any(s.startswith(f"{zh_name}：请在") and "提交会刊信息" in s for s in zh)
    assert any("定金" in s for s in zh) and any("尾款" in s for s in zh)
    zh_move_in = zh[f"{zh_name}：展位进馆布展须知"]
    assert "迟到五金有限公司" in zh_move_in and "W1 馆" in zh_move_in
    zh_digests = [body for s, body in zh.items() if "条线索" in s]
    assert len(zh_digests) == 1
    assert "Zhang San（Buyer Co）" in zh_digests[0] and "wants" not in zh_digests[0]
    assert zh_digests[0].index("Zhang San") < zh_digests[0].index("Mary Major")  # best first
    assert "★★★★★" in zh_digests[0]
    assert done.id not in {m.company_id for m in mails if m.template == "exhibitors/lead_digest"}


def test_a_reminder_is_skipped_for_an_exhibitor_that_met_the_deadline_before_send_time(app):
    show = create_show(open_from=(clock.now() + timedelta(days=70)).date())
    _, contract = _exhibitor(show, "张三公司", "Zhang Co", "z@zhang.example", "zh")
    at = _step_time(show, "exhibitors.remind_fascia_name")
    clock.freeze(at - timedelta(hours=2))
    participation.submit_deliverable(contract, "fascia_name", "ZHANG")
    db.session.commit()
    lines = run_due_at(at)
    assert _outbox(show) == []
    # The catalogue reminder, past its deadline by now, would say something untrue: skipped.
    assert any("exhibitors.remind_catalogue_entry" in line and "skipped" in line for line in lines)
    # A deposit paid in full before its reminder: no reminder; the balance still owed: one.
    payments.record_payment(contract.id, contract.deposit_amount)
    db.session.commit()
    run_due_at(_local(show, contract.deposit_due - timedelta(days=3), 9))
    run_due_at(_local(show, contract.balance_due - timedelta(days=3), 9))
    assert [m.dedupe_key.split(":")[1] for m in _outbox(show)] == ["balance"]


def test_a_step_aimed_at_a_tier_reaches_only_the_exhibitors_of_that_tier(app, monkeypatch):
    show = create_show(open_from=(clock.now() + timedelta(days=70)).date())
    key, _ = _exhibitor(show, "大客户", "Key Account", "key@a.example", "en")
    _exhibitor(show, "小客户", "Small Account", "small@b.example", "en")
    db.session.add(
        CustomerValueState(
            kind=SubjectKind.exhibitor,
            company_id=key.id,
            computed_at=clock.now(),
            value_class=ValueClass.value,
            tier=ValueTier.key,
            class_since=clock.now(),
        )
    )
    db.session.commit()
    action = registry.actions()["exhibitors.move_in_info"]
    monkeypatch.setitem(
        registry._actions, action.name, dataclasses.replace(action, target="tier:key")
    )
    run_due_at(_step_time(show, "exhibitors.move_in_info"))
    assert [m.to_address for m in _outbox(show)] == ["key@a.example"]


def test_staff_see_the_exhibitor_steps_on_the_plan_page_in_their_language(app, client):
    show = create_show()
    services.plan_of(show)
    db.session.commit()
    login(client, create_staff("admin", locale="zh").email)
    page = text_of(client.get(f"/jobs/plans/{show.id}"))
    assert set(STEPS) <= {s.action for s in services.plan_steps(show)}
    assert "会刊信息提醒" in page and "每晚线索摘要" in page and "进馆布展须知" in page
    assert "Catalogue entry reminder" not in page


def test_the_move_in_hours_are_part_of_the_show_settings(app, client):
    show = create_show()
    login(client, create_staff("admin").email)
    url = f"/shows/{show.id}/edit"
    form = {
        "code": show.code,
        "series": show.series,
        "name_zh": show.name_zh,
        "name_en": show.name_en,
        "venue": show.venue,
        "timezone": show.timezone,
        "move_in_date": show.move_in_date.isoformat(),
        "open_from": show.open_from.isoformat(),
        "open_to": show.open_to.isoformat(),
        "move_out_date": show.move_out_date.isoformat(),
        "reentry_allowed": "y",
    }
    refused = post_form(client, url, form | {"move_in_opens": "18:00", "move_in_closes": "08:00"})
    assert "Move-in must open before it closes." in text_of(refused)
    assert (
        post_form(
            client, url, form | {"move_in_opens": "07:30", "move_in_closes": "19:00"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    saved = db.session.get(type(show), show.id)
    assert (saved.move_in_opens, saved.move_in_closes) == (time(7, 30), time(19, 0))
    assert "07:30 – 19:00" in text_of(client.get(f"/shows/{show.id}"))
    saved.move_in_opens, saved.move_in_closes = time(19), time(7, 30)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
