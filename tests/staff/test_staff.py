"""Staff and roles, tasks, my work, the team view and the dashboard panels."""

from datetime import timedelta
from io import BytesIO

import sqlalchemy as sa
from openpyxl import load_workbook

from expo_crm import clock
from expo_crm.auth.models import StaffUser
from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.relationships.services import log_interaction
from expo_crm.staff import services
from expo_crm.tasks import services as task_services
from expo_crm.tasks.models import Task, TaskState
from tests.factories import PASSWORD, create_partner, create_staff, create_supplier, create_task_for
from tests.helpers import login, post_form, text_of


def test_admin_creates_staff_who_can_then_sign_in(app, client):
    login(client, create_staff(Role.admin).email)
    response = post_form(
        client,
        "/staff/users/new",
        {
            "name": "Zhou Min",
            "email": "Zhou@Example.com",
            "role": "service",
            "locale": "zh",
            "password": "long-enough-pw",
        },
        follow_redirects=True,
    )
    assert "Zhou Min can now sign in." in text_of(response)
    user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == "zhou@example.com"))
    assert user.role is Role.service
    other = app.test_client()
    login(other, "zhou@example.com", "long-enough-pw")


def test_a_short_password_or_a_taken_email_is_refused(app, client):
    admin = create_staff(Role.admin)
    login(client, admin.email)
    response = post_form(
        client,
        "/staff/users/new",
        {
            "name": "A",
            "email": "a@example.com",
            "role": "sales",
            "locale": "en",
            "password": "short",
        },
    )
    assert "at least 10 characters" in text_of(response)
    response = post_form(
        client,
        "/staff/users/new",
        {
            "name": "A",
            "email": admin.email,
            "role": "sales",
            "locale": "en",
            "password": "long-enough-pw",
        },
    )
    assert "already exists" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count(StaffUser.id))) == 1


def test_a_deactivated_user_cannot_sign_in_and_their_session_ends(app, client):
    admin = create_staff(Role.admin)
    person = create_staff(Role.sales)
    theirs = app.test_client()
    login(theirs, person.email)
    assert theirs.get("/dashboard").status_code == 200
    login(client, admin.email)
    response = post_form(
        client,
        f"/staff/users/{person.id}/active",
        {"active": "0"},
        page=f"/staff/users/{person.id}",
        follow_redirects=True,
    )
    assert "can no longer sign in" in text_of(response)
    assert theirs.get("/dashboard").status_code == 302
    refused = post_form(app.test_client(), "/login", {"email": person.email, "password": PASSWORD})
    assert refused.status_code != 302 and "deactivated" in text_of(refused)
    assert db.session.get(StaffUser, person.id) is not None


def test_admin_cannot_deactivate_themselves(app, client):
    admin = create_staff(Role.admin)
    login(client, admin.email)
    response = post_form(
        client,
        f"/staff/users/{admin.id}/active",
        {"active": "0"},
        page=f"/staff/users/{admin.id}",
        follow_redirects=True,
    )
    assert "cannot deactivate your own account" in text_of(response)
    assert db.session.get(StaffUser, admin.id).active


def test_role_change_and_password_reset(app, client):
    admin = create_staff(Role.admin)
    person = create_staff(Role.gate)
    login(client, admin.email)
    post_form(
        client,
        f"/staff/users/{person.id}",
        {"name": "Gate Person", "role": "service", "locale": "en"},
    )
    db.session.refresh(person)
    assert person.role is Role.service and person.name == "Gate Person"
    response = post_form(
        client,
        f"/staff/users/{person.id}/password",
        {"password": "brand-new-secret"},
        page=f"/staff/users/{person.id}",
        follow_redirects=True,
    )
    assert "was reset" in text_of(response)
    login(app.test_client(), person.email, "brand-new-secret")


def test_staff_list_filters_and_exports(app, client):
    login(client, create_staff(Role.admin).email)
    create_staff(Role.marketing, name="Liu Yang")
    assert "Liu Yang" in text_of(client.get("/staff/users?role=marketing"))
    assert "Liu Yang" not in text_of(client.get("/staff/users?role=gate"))
    sheet = load_workbook(BytesIO(client.get("/staff/users?q=liu&export=xlsx").data)).active
    assert sheet["A2"].value == "Liu Yang"


def test_task_from_creation_to_completion(app, client):
    me = create_staff(Role.sales)
    login(client, me.email)
    response = post_form(
        client,
        "/tasks/new",
        {"title": "Send floor plan", "owner_id": me.id, "due_date": clock.now().date().isoformat()},
        follow_redirects=True,
    )
    assert "Task created." in text_of(response)
    task = db.session.scalar(sa.select(Task))
    assert task.created_by_id == me.id
    assert "Send floor plan" in text_of(client.get("/tasks?due=today"))
    empty = post_form(
        client, f"/tasks/{task.id}/complete", {"outcome": ""}, page=f"/tasks/{task.id}"
    )
    assert empty.status_code == 400 and "Write down the outcome." in text_of(empty)
    done = post_form(
        client,
        f"/tasks/{task.id}/complete",
        {"outcome": "Sent by email", "action": "done"},
        page=f"/tasks/{task.id}",
        follow_redirects=True,
    )
    assert "Task closed." in text_of(done) and "Sent by email" in text_of(done)
    db.session.refresh(task)
    assert task.state is TaskState.done and task.completed_at is not None
    again = task_services.TaskError
    try:
        task_services.close_task(task, "twice")
    except again:
        pass
    else:
        raise AssertionError("closing twice must be refused")


def test_task_list_filters_by_owner_kind_state_and_exports(app, client):
    me, colleague = create_staff(Role.service), create_staff(Role.sales)
    create_task_for(me, "Mine open")
    create_task_for(colleague, "Theirs open", kind="retention")
    login(client, me.email)
    page = text_of(client.get("/tasks"))
    assert "Mine open" in page and "Theirs open" not in page
    page = text_of(client.get("/tasks?owner=&kind=retention"))
    assert "Theirs open" in page and "Mine open" not in page
    sheet = load_workbook(BytesIO(client.get("/tasks?owner=&export=xlsx").data)).active
    assert {sheet["B2"].value, sheet["B3"].value} == {"Mine open", "Theirs open"}


def test_my_work_shows_my_accounts_and_tasks_by_due_date(app, client):
    me = create_staff(Role.service)
    today = clock.now().date()
    create_task_for(me, "Late one", due_date=today - timedelta(days=2))
    create_task_for(me, "For today", due_date=today)
    create_task_for(me, "Next week", due_date=today + timedelta(days=7))
    create_supplier(name_en="My Cleaner", owner=me)
    create_partner(name_en="My Association", owner=me)
    login(client, me.email)
    page = text_of(client.get("/my-work"))
    overdue, rest = page.split('id="due-today"', 1)
    today_part, later = rest.split('id="later"', 1)
    assert "Late one" in overdue and "For today" in today_part and "Next week" in later
    assert "My Cleaner" in page and "My Association" in page
    dashboard = text_of(client.get("/dashboard"))
    assert "3 open · 1 due today · 1 overdue" in dashboard and "Late one" in dashboard


def test_team_view_counts_work_and_results(app, client):
    from expo_crm.exhibitors.models import Company

    admin = create_staff(Role.admin)
    worker = create_staff(Role.sales, name="Worker Bee")
    today = clock.now().date()
    on_time = create_task_for(worker, "On time", due_date=today)
    task_services.complete_task(on_time, "ok")
    create_task_for(worker, "Overdue", due_date=today - timedelta(days=1))
    company = Company(name_en="Owned Co", owner_id=worker.id)
    db.session.add(company)
    db.session.flush()
    log_interaction("exhibitor", company.id, channel="phone", subject="Call", staff_id=worker.id)
    db.session.commit()
    rows = {r["user"].id: r for r in services.team_stats(today - timedelta(days=29), today)}
    row = rows[worker.id]
    assert (row["open"], row["overdue"], row["closed"], row["on_time"], row["interactions"]) == (
        1,
        1,
        1,
        1,
        1,
    )
    assert row["satisfaction"] is None
    login(client, admin.email)
    assert "Worker Bee" in text_of(client.get("/team"))
