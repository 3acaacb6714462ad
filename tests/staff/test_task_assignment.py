"""Issue 14, item 9: a new task goes to the owner of the relationship, else to the least-loaded
active member of the team that handles its kind (ties: the lowest id), not to one person."""

from __future__ import annotations

from collections import Counter

from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.tasks.models import Task
from expo_crm.tasks.services import least_loaded_owner
from tests.factories import (
    create_complaint,
    create_lc_company,
    create_staff,
    create_task_for,
)


def _task_owner(complaint) -> int | None:
    return db.session.get(Task, complaint.task_id).owner_id


def _with_open_tasks(role: Role, load: int, **values):
    user = create_staff(role, **values)
    for n in range(load):
        create_task_for(user, f"Earlier task {n}")
    return user


def test_a_complaint_of_an_owned_customer_goes_to_its_owner(app):
    owner = _with_open_tasks(Role.sales, 5)
    _with_open_tasks(Role.service, 0)
    company = create_lc_company(owner=owner)
    complaint = create_complaint("exhibitor", company.id)
    assert _task_owner(complaint) == owner.id and complaint.owner_id == owner.id


def test_complaints_of_customers_nobody_owns_spread_over_the_service_team_by_load(app):
    _with_open_tasks(Role.sales, 0)  # the salesman who used to get every one of them
    busy = _with_open_tasks(Role.service, 3)
    first = _with_open_tasks(Role.service, 1)
    second = _with_open_tasks(Role.service, 1)
    create_staff(Role.service, commit=False).active = False  # left the company: gets nothing
    db.session.commit()

    owners = [_task_owner(create_complaint("exhibitor", create_lc_company().id)) for _ in range(6)]
    # 1,1,3 → first (tie, lower id) → second → first, second (2,2,3 → 3,3,3) → busy, first
    assert owners == [first.id, second.id, first.id, second.id, busy.id, first.id]
    assert Counter(owners)[busy.id] == 1


def test_without_anybody_in_the_team_an_administrator_takes_the_task(app):
    _with_open_tasks(Role.admin, 2)
    quiet_admin = _with_open_tasks(Role.admin, 0)
    _with_open_tasks(Role.sales, 0)
    assert least_loaded_owner("complaint") == quiet_admin.id


def test_each_kind_goes_to_its_team(app):
    sales = _with_open_tasks(Role.sales, 4)
    service = _with_open_tasks(Role.service, 4)
    marketing = _with_open_tasks(Role.marketing, 4)
    assert least_loaded_owner("retention") == sales.id
    assert least_loaded_owner("win_back") == sales.id
    assert least_loaded_owner("deliverable") == marketing.id
    assert least_loaded_owner("document_expiry") == service.id
    assert least_loaded_owner("manual") is None  # a hand-made task without owner stays so
