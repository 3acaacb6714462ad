"""Demo tasks: every staff member's own follow-ups, some overdue, some due today, some later, and a
history of closed ones (on time and late) so the team view has results to show. The suppliers and
partners demo data have already raised their system tasks (document expiry, overdue deliverables).

Runs after the exhibitors, visitors, suppliers and partners demo data."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.auth import services as auth
from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.staff import services
from expo_crm.tasks import services as task_services
from expo_crm.tasks.models import TaskKind

# (title, description, subject kind, task kind)
TASKS = (
    (
        "回电确认展位面积 / Call back to confirm the booth size",
        "客户考虑扩大到 54 平方米 / Thinking of 54 m²",
        "exhibitor",
        TaskKind.follow_up,
    ),
    ("寄送续展优惠 / Send the rebooking offer", "", "exhibitor", TaskKind.manual),
    (
        "催交会刊资料 / Chase the catalogue entry",
        "截止日前一周 / A week before the deadline",
        "exhibitor",
        TaskKind.manual,
    ),
    ("核对特装图纸 / Check the custom booth drawings", "", "supplier", TaskKind.manual),
    ("确认叉车排班 / Confirm the forklift schedule", "", "supplier", TaskKind.follow_up),
    ("发送贡献报告 / Send the contribution report", "", "partner", TaskKind.manual),
    ("确认采购商团名单 / Confirm the buyer delegation list", "", "partner", TaskKind.follow_up),
    (
        "回访专业观众 / Call a trade visitor back",
        "询问采购计划 / Ask about purchase plans",
        "visitor",
        TaskKind.follow_up,
    ),
    ("准备周例会材料 / Prepare the weekly meeting", "", None, TaskKind.manual),
)
OUTCOMES = (
    "已完成，客户满意 / Done, customer satisfied",
    "已电话沟通 / Settled by phone",
    "已邮件发送 / Sent by email",
    "客户暂不需要 / Not needed for now",
)


def _subjects() -> dict[str, list[int]]:
    from expo_crm.exhibitors.models import Company
    from expo_crm.partners.models import Partner
    from expo_crm.suppliers.models import Supplier
    from expo_crm.visitors.models import Visitor

    models = {"exhibitor": Company, "supplier": Supplier, "partner": Partner, "visitor": Visitor}
    return {
        kind: list(db.session.scalars(sa.select(model.id).order_by(model.id).limit(40)))
        for kind, model in models.items()
    }


def seed(ctx) -> None:
    rng = ctx.rng
    now = clock.now()
    today = now.astimezone(ctx.current.tz).date()
    subjects = _subjects()
    people = [
        u for role in ("sales", "service", "marketing", "gate") for u in ctx.staff.get(role, [])
    ]
    admin = ctx.staff["admin"][0]
    opened = closed = 0
    for person in people:
        for _ in range(rng.randint(4, 7)):
            title, description, subject_kind, kind = rng.choice(TASKS)
            subject = None
            if subject_kind and subjects.get(subject_kind):
                subject = (subject_kind, rng.choice(subjects[subject_kind]))
            # Spread over the last two months and the next two weeks; about half are closed already.
            due = today + timedelta(days=rng.randint(-60, 14))
            task = task_services.create_task(
                title,
                owner_id=person.id,
                kind=kind,
                description=description,
                due_date=due,
                subject=subject,
                show_id=ctx.current.id,
                created_by_id=admin.id,
            )
            task.created_at = datetime.combine(
                due - timedelta(days=rng.randint(3, 20)), time(9), tzinfo=ctx.current.tz
            )
            if due < today and rng.random() < 0.75 or due >= today and rng.random() < 0.2:
                late = rng.random() < 0.25
                done_day = (
                    min(today, due + timedelta(days=rng.randint(1, 4)))
                    if late
                    else due - timedelta(days=rng.randint(0, 2))
                )
                task_services.close_task(task, rng.choice(OUTCOMES), cancel=rng.random() < 0.05)
                task.completed_at = min(
                    now, datetime.combine(done_day, time(rng.randint(9, 17)), tzinfo=ctx.current.tz)
                )
                closed += 1
            else:
                opened += 1
        # Everybody has something due today, so "my work" is never empty in the demo.
        task_services.create_task(
            "今日跟进 / Today's follow-up",
            owner_id=person.id,
            kind=TaskKind.manual,
            due_date=today,
            description="演示任务 / Demo task",
            created_by_id=admin.id,
        )
        opened += 1
    _deactivated(ctx, admin)
    ctx.notes.append(f"staff: {opened} open and {closed} closed tasks; one deactivated account")


def _deactivated(ctx, admin) -> None:
    """A former colleague: kept for the history, refused at sign-in."""
    email = "former@demo.expo-crm.cn"
    user = auth.find_staff(email) or auth.create_staff(
        email, "周洁 Zhou Jie (left)", ctx.rng.randbytes(12).hex(), Role.sales, locale="zh"
    )
    services.set_staff_active(user, False, acting_user_id=admin.id)
