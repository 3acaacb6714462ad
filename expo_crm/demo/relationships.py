"""Demo data of the relationships area: contacts with tones over the editions, complaints, and the
life cycle evaluated at moments through the past two years, so the history explains every stage.

Runs after the exhibitors, visitors and surveys demo data."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.exhibitors.contracts import participating_company_ids
from expo_crm.exhibitors.models import Application, Company, Contract
from expo_crm.partners.models import Partner
from expo_crm.relationships import services, stages
from expo_crm.relationships.complaints import open_complaint, record_verdict, resolve_complaint
from expo_crm.relationships.models import Alert, AlertState, LifecycleStage, Tone
from expo_crm.tasks.models import Task, TaskState
from expo_crm.visitors.models import Visitor

CONTACTS = (
    ("phone", "outbound", "回访：上届参展效果 / Follow-up call on last edition's results"),
    ("email", "outbound", "发送新一届招展书 / Sent the new prospectus"),
    ("face_to_face", "outbound", "拜访工厂 / Visited their factory"),
    ("event", "outbound", "行业协会晚宴交流 / Talked at the association dinner"),
    ("letter", "outbound", "寄送感谢信 / Sent a thank-you letter"),
    ("portal", "inbound", "门户留言：询问展位位置 / Portal message about booth location"),
    ("phone", "inbound", "来电：咨询物流安排 / Called about logistics"),
)
NEXT_STEPS = (
    "寄送续展优惠 / Send the rebooking offer",
    "确认展位图 / Confirm the floor plan",
    "安排高层会面 / Arrange a meeting with their director",
)
COMPLAINTS = (
    (
        "booth",
        "high",
        "展位地毯破损，开展前未更换 / Torn carpet not replaced before opening",
        "closed",
        "satisfied",
    ),
    (
        "logistics",
        "medium",
        "展品到馆延误半天 / Exhibits arrived half a day late",
        "closed",
        "partly",
    ),
    (
        "visitors",
        "low",
        "专业观众数量少于预期 / Fewer trade visitors than expected",
        "resolved",
        None,
    ),
    (
        "service",
        "critical",
        "开展首日展位断电两小时 / Two hours without power on day one",
        "open",
        None,
    ),
    ("billing", "low", "发票抬头错误 / Wrong company name on the invoice", "open", None),
)


def _local(show, day, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=show.tz)


def seed(ctx) -> None:

    now = clock.now()
    rng = ctx.rng
    companies = list(db.session.scalars(sa.select(Company).order_by(Company.id)))
    visitors = list(db.session.scalars(sa.select(Visitor).order_by(Visitor.id).limit(120)))
    partners = list(db.session.scalars(sa.select(Partner).order_by(Partner.id)))
    span = (now - ctx.earlier.local_start(ctx.earlier.open_from) + timedelta(days=120)).days
    staff_ids = [u.id for role in ("sales", "service") for u in ctx.staff.get(role, [])]
    count = 0
    for kind, people in (("exhibitor", companies), ("visitor", visitors), ("partner", partners)):
        for person in people:
            for k in range(rng.randint(1, 4) if kind != "visitor" else rng.randint(0, 2)):
                channel, direction, subject = rng.choice(CONTACTS)
                when = now - timedelta(days=rng.randint(2, span), hours=rng.randint(0, 9))
                tone = rng.choices((Tone.positive, Tone.neutral, Tone.negative), weights=(4, 5, 1))[
                    0
                ]
                step = rng.choice(NEXT_STEPS) if k == 0 and rng.random() < 0.4 else ""
                services.log_interaction(
                    kind,
                    person.id,
                    channel=channel,
                    direction=direction,
                    subject=subject,
                    tone=tone,
                    notes="",
                    next_step=step,
                    next_step_due=(now + timedelta(days=rng.randint(-5, 20))).date()
                    if step
                    else None,
                    staff_id=rng.choice(staff_ids) if staff_ids else None,
                    occurred_at=when,
                    source_key=f"demo.contact.{kind}.{person.id}.{k}",
                )
                count += 1
    db.session.commit()
    _complaints(ctx, companies, now)
    db.session.commit()
    _evaluate_history(ctx, now)
    missing = [stage for stage, n in stages.stage_counts().items() if n == 0]
    if missing:
        _add_missing_stages(ctx, missing, now)
        services.evaluate_all(now)
    counts = stages.stage_counts()
    ctx.notes.append(
        "relationships: {} contacts, life cycle {}".format(
            count, ", ".join(f"{stage.value} {n}" for stage, n in counts.items())
        )
    )


def _complaints(ctx, companies, now: datetime) -> None:

    present = [
        c for c in companies if c.id in participating_company_ids(ctx.current.id)
    ] or companies
    for n, (category, severity, text, state, verdict) in enumerate(COMPLAINTS):
        if n >= len(present):
            break
        company = present[(n * 3) % len(present)]
        complaint = open_complaint(
            "exhibitor",
            company.id,
            description=text,
            category=category,
            severity=severity,
            show_id=ctx.current.id if n != 1 else ctx.past.id,
            source="portal" if n % 2 else "staff",
            source_key=f"demo.complaint.{n}",
        )
        # Backdated so the SLA story is visible: the critical one is already past its SLA.
        opened = (
            now - timedelta(days=2, hours=n) if state == "open" else now - timedelta(days=20 + n)
        )
        complaint.sla_due_at = opened + (complaint.sla_due_at - complaint.opened_at)
        complaint.opened_at = opened
        db.session.flush()
        if state in ("resolved", "closed"):
            resolve_complaint(complaint, "已致歉并补偿 / Apologised and compensated")
            complaint.resolved_at = opened + timedelta(hours=6)
            if state == "closed":
                record_verdict(complaint, verdict, "")
                complaint.closed_at = opened + timedelta(days=2)


def _evaluate_history(ctx, now: datetime) -> None:
    """The nightly job as it would have run at telling moments of the past two editions."""
    moments = [
        _local(ctx.earlier, ctx.earlier.open_to + timedelta(days=20), 2),
        _local(ctx.past, ctx.past.open_from - timedelta(days=30), 2),
        _local(ctx.past, ctx.past.open_to + timedelta(days=20), 2),
    ]
    if ctx.past.rebooking_deadline:
        moments.append(_local(ctx.past, ctx.past.rebooking_deadline + timedelta(days=2), 2))
    moments.append(_local(ctx.current, ctx.current.open_from - timedelta(days=20), 2))
    for moment in sorted(m for m in moments if m < now):
        services.evaluate_all(moment)
        _follow_up_alerts(moment + timedelta(days=4))
    services.evaluate_all(now)


def _follow_up_alerts(done_at: datetime) -> None:
    """Past alerts were followed up: their tasks done with an outcome, which the alerts take on."""

    outcomes = (
        "电话回访，客户表示会续展 / Called; they intend to rebook",
        "约见面谈，提出展位优惠 / Met them and offered a booth discount",
        "客户未回复 / No answer from the customer",
    )
    for n, alert in enumerate(
        db.session.scalars(sa.select(Alert).where(Alert.state == AlertState.open))
    ):
        task = db.session.get(Task, alert.task_id) if alert.task_id else None
        if task is not None and task.state is TaskState.open:
            task.state, task.completed_at, task.outcome = (
                TaskState.done,
                done_at,
                outcomes[n % len(outcomes)],
            )
    db.session.commit()
    services.sync_alert_outcomes()
    db.session.commit()


def _add_missing_stages(ctx, missing: list[LifecycleStage], now: datetime) -> None:
    """Where the other areas' demo data leaves a stage empty, one customer with the history for it."""

    def company(name_zh: str, name_en: str) -> Company:
        row = Company(name_zh=name_zh, name_en=name_en, owner_id=ctx.owner("sales").id)
        db.session.add(row)
        db.session.flush()
        return row

    def participate(row: Company, show, area: str = "18") -> None:
        application = Application(
            company_id=row.id,
            show_id=show.id,
            state="approved",
            requested_area_m2=Decimal(area),
            booth_type="shell_scheme",
        )
        db.session.add(application)
        db.session.flush()
        db.session.add(
            Contract(
                number=f"DEMO-LC-{row.id}-{show.id}",
                company_id=row.id,
                show_id=show.id,
                application_id=application.id,
                state="signed",
                signed_at=_local(show, show.open_from - timedelta(days=90)),
                booth_fee=Decimal(area) * 1500,
                total_amount=Decimal(area) * 1500,
                booth_area_m2=Decimal(area),
            )
        )

    def contact(row: Company, tone: Tone, days_ago: int) -> None:
        services.log_interaction(
            "exhibitor",
            row.id,
            channel="phone",
            subject="回访 / Follow-up call",
            tone=tone,
            occurred_at=now - timedelta(days=days_ago),
            source_key=f"demo.lc.{row.id}.{days_ago}",
        )

    for stage in missing:
        if stage is LifecycleStage.cultivation:
            contact(company("潜在展商演示公司", "Prospect Demo Co"), Tone.positive, 10)
        elif stage is LifecycleStage.confirmation:
            row = company("首次参展演示公司", "First-timer Demo Co")
            participate(row, ctx.current)
            contact(row, Tone.positive, 5)
        elif stage is LifecycleStage.trust:
            row = company("忠实展商演示公司", "Loyal Demo Co")
            for show in (ctx.earlier, ctx.past, ctx.current):
                participate(row, show, "36")
            contact(row, Tone.positive, 7)
        elif stage is LifecycleStage.weakening:
            row = company("缩减展位演示公司", "Shrinking Demo Co")
            participate(row, ctx.past, "54")
            participate(row, ctx.current, "18")
            contact(row, Tone.negative, 3)
        elif stage is LifecycleStage.loss:
            row = company("流失展商演示公司", "Lost Demo Co")
            participate(row, ctx.earlier)
            contact(row, Tone.negative, 200)
            # Withdrew from a later edition: the customer declined.
            db.session.add(
                Application(
                    company_id=row.id,
                    show_id=ctx.current.id,
                    state="withdrawn",
                    requested_area_m2=Decimal(9),
                    booth_type="shell_scheme",
                )
            )
    db.session.commit()
