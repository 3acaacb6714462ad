"""Rebooking: past exhibitors ordered by value and loyalty (else history), a window each, a
pick that holds a booth in the window and not before, booking and lapsing; concurrent picks of
one booth (threads and processes) leave exactly one holder."""

import multiprocessing
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from expo_crm import clock
from expo_crm.db import db
from expo_crm.exhibitors import rebooking
from expo_crm.exhibitors.booking_models import BoothHold, HoldState
from expo_crm.exhibitors.jobs import release_lapsed_holds, send_rebooking_offers
from expo_crm.exhibitors.models import (
    ApplicationChannel,
    ApplicationState,
    BoothAssignment,
    BoothStatus,
)
from expo_crm.mail.models import OutboxMessage
from expo_crm.relationships.models import CustomerValueState
from tests.factories import (
    PASSWORD,
    create_company,
    create_contact,
    create_hall,
    create_participation,
    create_placed_booth,
    create_portal_user,
    create_rebooking_plan,
    create_show,
)
from tests.helpers import csrf_from, post_form, text_of


@pytest.fixture(autouse=True)
def _english(app):
    """Refusals raised outside a request speak the default language (Chinese): read English."""
    with force_locale("en"):
        yield


def _editions():
    last = create_show(open_from=date(2025, 5, 10), series="HW")
    earlier = create_show(open_from=date(2024, 5, 10), series="HW")
    upcoming = create_show(open_from=clock.now().date() + timedelta(days=200), series="HW")
    return earlier, last, upcoming


def _value(company, amount: str) -> None:
    db.session.add(
        CustomerValueState(
            kind="exhibitor",
            company_id=company.id,
            computed_at=clock.now(),
            historical=Decimal(amount),
            current=Decimal(0),
            value_class="value",
            tier="key",
            class_since=clock.now(),
        )
    )


def test_windows_follow_history_without_values_and_value_when_computed(app):
    earlier, last, upcoming = _editions()
    small, loyal, big = create_company(), create_company(), create_company()
    create_participation(small, last, area="9")
    create_participation(loyal, earlier, area="18")
    create_participation(loyal, last, area="18")
    create_participation(big, last, area="72")
    create_rebooking_plan(upcoming, window_hours=24, companies_per_window=2)
    windows = rebooking.windows_of(upcoming.id)
    assert [w.company_id for w in windows] == [loyal.id, big.id, small.id]
    assert windows[0].opens_at == windows[1].opens_at
    assert windows[2].opens_at == windows[0].opens_at + timedelta(hours=24)
    assert windows[0].reason == "No customer value yet; editions attended: 2; last area 18.00 m²"
    # Once the nightly value is there, it decides first.
    _value(small, "900000")
    _value(big, "100000")
    rebooking.compute_windows(upcoming)
    windows = rebooking.windows_of(upcoming.id)
    assert [w.company_id for w in windows] == [small.id, big.id, loyal.id]
    assert windows[0].reason.startswith("Customer value 900,000.00 CNY; ")
    assert windows[0].reason.endswith("; editions attended: 1")
    db.session.commit()


def _setup_pick(companies: int = 1, hold_minutes: int = 30):
    earlier, last, upcoming = _editions()
    create_hall(upcoming)
    booth = create_placed_booth(upcoming, 0, 0, 3, 3, number="W1-001")
    other = create_placed_booth(upcoming, 3, 0, 3, 3, number="W1-002")
    users = []
    for n in range(companies):
        company = create_company()
        create_participation(company, last, area=str(9 + n))
        users.append(create_portal_user(company))
    clock.freeze(clock.now())
    create_rebooking_plan(
        upcoming,
        starts_at=clock.now() + timedelta(hours=2),
        companies_per_window=companies,
        hold_minutes=hold_minutes,
    )
    return upcoming, booth, other, users


def test_a_past_exhibitor_picks_in_its_window_and_not_before_then_books(app):
    show, booth, _other, (user,) = _setup_pick()
    try:
        rebooking.pick_booth(user.company_id, show, booth.id, user.id)
    except rebooking.RebookingError as refused:
        assert "Your window opens on" in str(refused)
    else:
        raise AssertionError("picked before the window")
    db.session.rollback()
    clock.travel(timedelta(hours=2))
    hold = rebooking.pick_booth(user.company_id, show, booth.id, user.id)
    assert booth.status is BoothStatus.held
    application = rebooking.book_hold(hold, ("exhibitor", user.id, user.email))
    db.session.commit()
    assert application.channel is ApplicationChannel.rebooking
    assert application.state is ApplicationState.approved
    assert booth.status is BoothStatus.reserved and hold.state is HoldState.booked
    assert db.session.scalar(sa.select(BoothAssignment.application_id)) == application.id


def test_a_lapsed_hold_is_released_by_the_periodic_job(app):
    show, booth, other, (user,) = _setup_pick(hold_minutes=10)
    clock.travel(timedelta(hours=3))
    hold = rebooking.pick_booth(user.company_id, show, booth.id, user.id)
    db.session.commit()
    assert release_lapsed_holds(clock.now()) == 0
    clock.travel(timedelta(minutes=11))
    assert release_lapsed_holds(clock.now()) == 1
    db.session.commit()
    assert hold.state is HoldState.lapsed and booth.status is BoothStatus.available
    try:
        rebooking.book_hold(hold, ("exhibitor", user.id, user.email))
    except rebooking.RebookingError as refused:
        assert "lapsed" in str(refused)


def test_the_rebooking_offer_step_tells_each_past_exhibitor_its_window_once(app):
    show, _booth, _other, users = _setup_pick(companies=2)
    for user in users:
        create_contact(
            user.company, email=f"boss{user.id}@example.com", locale="zh", is_primary=True
        )
    assert send_rebooking_offers(show, clock.now()) == 2
    assert send_rebooking_offers(show, clock.now()) == 0
    db.session.commit()
    offers = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.template == "exhibitors/rebooking_offer")
    ).all()
    assert len(offers) == 2 and all(o.language == "zh" for o in offers)
    assert "/portal/rebooking" in offers[0].body_text


def _portal_client(app, user):
    client = app.test_client()
    post_form(client, "/portal/login", {"email": user.email, "password": PASSWORD})
    return client


def test_concurrent_picks_of_one_booth_in_threads_hold_it_once(app):
    show, booth, _other, users = _setup_pick(companies=4)
    clock.travel(timedelta(hours=2))
    clients = [_portal_client(app, user) for user in users]
    tokens = [csrf_from(text_of(c.get("/portal/rebooking"))) for c in clients]
    barrier = threading.Barrier(len(clients))
    answers = []
    url, booth_id = f"/portal/rebooking/{show.id}/pick", booth.id

    def pick(client, token):
        barrier.wait()
        response = client.post(
            url,
            data={"csrf_token": token, "booth_id": booth_id},
            follow_redirects=True,
        )
        answers.append(text_of(response))

    threads = [
        threading.Thread(target=pick, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum("is held for you until" in a for a in answers) == 1
    assert sum("has just been taken. Choose another booth." in a for a in answers) == 3
    db.session.commit()  # end the test's read snapshot: see what the requests committed
    holders = db.session.scalars(
        sa.select(BoothHold.company_id).where(BoothHold.state == "active")
    ).all()
    assert len(holders) == 1


def _pick_in_a_process(database_url, instance, email, show_id, booth_id, start, queue) -> None:
    from tests.conftest import _make_app

    app = _make_app(database_url, instance)
    # No app context around the client: each request gets its own (and its own CSRF state).
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    post_form(client, "/portal/login", {"email": email, "password": PASSWORD})
    token = csrf_from(text_of(client.get("/portal/rebooking")))
    start.wait(30)
    response = client.post(
        f"/portal/rebooking/{show_id}/pick",
        data={"csrf_token": token, "booth_id": booth_id},
        follow_redirects=True,
    )
    text = text_of(response)
    held, taken = "is held for you until" in text, "has just been taken" in text
    queue.put("held" if held else "taken" if taken else f"{response.status_code}: {text[-800:]}")
    with app.app_context():
        db.engine.dispose()


def test_concurrent_picks_of_one_booth_in_processes_hold_it_once(app, database_url, tmp_path):
    show, booth, _other, users = _setup_pick(companies=3)
    clock.unfreeze()
    rebooking.plan_for(show.id)
    db.session.execute(
        sa.update(rebooking.RebookingWindow).values(opens_at=clock.now() - timedelta(minutes=5))
    )
    db.session.commit()
    emails = [u.email for u in users]
    show_id, booth_id = show.id, booth.id
    db.session.remove()
    context = multiprocessing.get_context("fork")
    start, queue = context.Event(), context.Queue()
    processes = [
        context.Process(
            target=_pick_in_a_process,
            args=(database_url, str(tmp_path / f"p{i}"), email, show_id, booth_id, start, queue),
        )
        for i, email in enumerate(emails)
    ]
    for process in processes:
        process.start()
    start.set()
    answers = sorted(queue.get(timeout=90) for _ in processes)
    for process in processes:
        process.join(30)
        assert process.exitcode == 0
    assert answers == ["held", "taken", "taken"]
    assert (
        db.session.scalar(sa.select(sa.func.count(BoothHold.id)).where(BoothHold.state == "active"))
        == 1
    )


def test_staff_set_the_windows_and_see_the_order_with_its_reasons(app, client):
    from tests.factories import create_staff
    from tests.helpers import login

    earlier, last, upcoming = _editions()
    company = create_company("义乌双童日用品有限公司", "Yiwu Shuangtong Daily Necessities")
    create_participation(company, earlier, area="18")
    create_participation(company, last, area="36")
    staff = create_staff("sales")
    login(client, staff.email)
    page = f"/exhibitors/rebooking?show={upcoming.id}"
    post_form(
        client,
        f"/exhibitors/rebooking/{upcoming.id}/plan",
        {
            "starts_at": "2026-12-20T10:00",
            "window_hours": "48",
            "companies_per_window": "5",
            "hold_minutes": "20",
        },
        page=page,
    )
    response = post_form(
        client, f"/exhibitors/rebooking/{upcoming.id}/windows", {}, page=page, follow_redirects=True
    )
    html = text_of(response)
    assert "Windows computed: 1." in html
    assert "Yiwu Shuangtong Daily Necessities" in html
    assert "No customer value yet; editions attended: 2; last area 36.00 m²" in html
    plan = rebooking.plan_for(upcoming.id)
    assert (plan.window_hours, plan.hold_minutes) == (48, 20)
    assert plan.starts_at == datetime(2026, 12, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def test_the_rebooking_page_opens_on_the_next_planned_edition_while_a_show_runs(app, client):
    """Rebooking is about an edition still to come: with a show open today and the next
    edition's windows computed, the page opens on the next edition and lists its windows."""
    from tests.factories import create_staff
    from tests.helpers import login

    earlier, last, upcoming = _editions()
    create_show(open_from=clock.now().date(), series="HW", name_en="Running today")
    company = create_company("宁波得力文具有限公司", "Ningbo Deli Stationery")
    create_participation(company, last, area="18")
    create_rebooking_plan(upcoming, window_hours=24, companies_per_window=2)
    login(client, create_staff("sales").email)
    html = text_of(client.get("/exhibitors/rebooking"))
    assert upcoming.name in html
    assert "Ningbo Deli Stationery" in html
