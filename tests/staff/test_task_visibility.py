"""Who sees a task (issue 13, finding 6): its owner and its author, and the roles that may see
what it is about. Gate staff cannot list, read or cancel a salesman's tasks, nor read a
complaint through one; a 404 answers a task one may not see."""

from __future__ import annotations

import sqlalchemy as sa

from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.tasks.models import Task, TaskKind, TaskState
from tests.factories import (
    create_company,
    create_complaint,
    create_partner,
    create_staff,
    create_task_for,
)
from tests.helpers import login, post_form, text_of

COMPLAINT = "The neighbouring booth blocks our aisle; the hall manager was rude to us."


def complaint_task(owner) -> Task:
    company = create_company(owner_id=owner.id)
    complaint = create_complaint("exhibitor", company.id, description=COMPLAINT, owner_id=owner.id)
    return db.session.scalar(sa.select(Task).where(Task.id == complaint.task_id))


def test_gate_staff_cannot_list_read_or_cancel_a_salesmans_tasks(client):
    salesman = create_staff(Role.sales, name="Wang Lei")
    follow_up = create_task_for(salesman, "Call back Hangzhou Tools about the corner booth")
    about_complaint = complaint_task(salesman)
    login(client, create_staff(Role.gate).email)

    listing = text_of(client.get(f"/tasks?owner={salesman.id}&state="))
    assert "Hangzhou Tools" not in listing
    assert f"/tasks/{about_complaint.id}" not in listing
    everyone = client.get("/tasks?owner=&state=&export=xlsx")
    assert b"Hangzhou" not in everyone.data

    for task in (follow_up, about_complaint):
        assert client.get(f"/tasks/{task.id}").status_code == 404
        cancel = post_form(
            client,
            f"/tasks/{task.id}/complete",
            {"outcome": "not needed", "action": "cancel"},
            page="/dashboard",
        )
        assert cancel.status_code == 404
    db.session.rollback()
    assert {t.state for t in db.session.scalars(sa.select(Task))} == {TaskState.open}


def test_a_salesman_sees_and_closes_his_own_tasks(client):
    salesman = create_staff(Role.sales)
    task = create_task_for(salesman, "Send the floor plan to Ningbo Valves")
    login(client, salesman.email)
    assert "Ningbo Valves" in text_of(client.get("/tasks"))
    assert "Ningbo Valves" in text_of(client.get(f"/tasks/{task.id}"))
    done = post_form(client, f"/tasks/{task.id}/complete", {"outcome": "sent", "action": "done"})
    assert done.status_code == 302
    db.session.rollback()
    assert db.session.get(Task, task.id).state is TaskState.done


def test_a_task_about_a_complaint_is_visible_to_customer_service(client):
    salesman = create_staff(Role.sales)
    task = complaint_task(salesman)
    assert task.kind is TaskKind.complaint
    login(client, create_staff(Role.service).email)
    assert COMPLAINT in text_of(client.get(f"/tasks/{task.id}"))
    assert f"/tasks/{task.id}" in text_of(client.get(f"/tasks?owner={salesman.id}"))


def test_marketing_does_not_read_complaints_through_their_tasks(client):
    task = complaint_task(create_staff(Role.sales))
    login(client, create_staff(Role.marketing).email)
    assert client.get(f"/tasks/{task.id}").status_code == 404


def test_a_task_made_for_a_colleague_stays_visible_to_its_author(client):
    gate, colleague = create_staff(Role.gate), create_staff(Role.service)
    task = create_task_for(colleague, "Bring more lanyards to gate 3", created_by_id=gate.id)
    login(client, gate.email)
    assert client.get(f"/tasks/{task.id}").status_code == 200


def test_an_administrator_sees_every_task(client):
    task = create_task_for(create_staff(Role.sales), "Private follow-up")
    login(client, create_staff(Role.admin).email)
    assert client.get(f"/tasks/{task.id}").status_code == 200


def test_a_task_links_its_customer_only_for_roles_that_may_open_that_customer(client):
    """Service staff may not open partners: a task of theirs about one names it, without a
    link that would answer 403; marketing, who may, gets the link."""
    partner = create_partner()
    service = create_staff(Role.service)
    task = create_task_for(service, "Check the sponsor's banner", subject=("partner", partner.id))
    login(client, service.email)
    for page in ("/tasks", f"/tasks/{task.id}"):
        html = client.get(page).get_data(as_text=True)
        assert f"Partner #{partner.id}" in html
        assert f'href="/partners/{partner.id}"' not in html
    client.post("/logout")
    marketing = create_staff(Role.marketing)
    mine = create_task_for(marketing, "Send the sponsor's invoice", subject=("partner", partner.id))
    login(client, marketing.email)
    assert f'href="/partners/{partner.id}"' in client.get(f"/tasks/{mine.id}").get_data(
        as_text=True
    )
