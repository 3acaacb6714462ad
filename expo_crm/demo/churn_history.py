"""Exhibitor history with hidden behaviour, for the demo, the churn tests and the benchmark.

What is planted (and what the churn model is expected to find): before a company leaves, its
return falls and it shows — it books a smaller booth than the edition before and spends less —
and complaints it made are left open past the rebooking deadline. A declining company
(a quarter of them each edition) leaves at the next edition with probability 0.85; the others
with 0.08. With `signal=False` everyone leaves with the same probability, whatever the facts.

Rows are inserted in batches with the models' own tables, so every column default applies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from expo_crm.db import db

DECLINING = 0.25
LEAVE_IF_DECLINING, LEAVE_OTHERWISE, LEAVE_WITHOUT_SIGNAL = 0.85, 0.06, 0.25
JOIN, COME_BACK = 0.15, 0.1
OPEN_COMPLAINT_IF_DECLINING, COMPLAINT_OTHERWISE = 0.6, 0.12
BATCH = 5000


@dataclass
class History:
    show_ids: list[int]
    company_ids: list[int]
    participations: dict[int, set[int]] = field(default_factory=dict)  # show -> companies
    declining: dict[int, set[int]] = field(default_factory=dict)  # show -> companies
    counts: dict[str, int] = field(default_factory=dict)


def _table(name: str) -> sa.Table:
    return db.metadata.tables[name]


def _insert(name: str, rows: list[dict], returning: bool = False) -> list[int]:
    ids: list[int] = []
    table = _table(name)
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        if returning:
            ids += db.session.scalars(
                table.insert().returning(table.c.id, sort_by_parameter_order=True), chunk
            ).all()
        else:
            db.session.execute(table.insert(), chunk)
    return ids


def create_editions(
    n: int, first_open: date, series: str = "HIST", code: str = "H", spacing_days: int = 365
) -> list[int]:
    rows = []
    for k in range(n):
        opened = first_open + timedelta(days=spacing_days * k)
        rows.append(
            {
                "code": f"{code}{k + 1}",
                "series": series,
                "name_zh": f"历史展会第{k + 1}届",
                "name_en": f"History fair, edition {k + 1}",
                "timezone": "Asia/Shanghai",
                "move_in_date": opened - timedelta(days=2),
                "open_from": opened,
                "open_to": opened + timedelta(days=2),
                "move_out_date": opened + timedelta(days=3),
                "rebooking_deadline": opened + timedelta(days=90),
            }
        )
    return _insert("shows", rows, returning=True)


def create_companies(n: int, owner_ids: list[int] | None = None, prefix: str = "H") -> list[int]:
    owners = owner_ids or [None]
    return _insert(
        "companies",
        [
            {
                "name_zh": f"历史五金{prefix}{i}有限公司",
                "name_en": f"History Hardware {prefix}{i} Ltd.",
                "normalized_name": f"history hardware {prefix.lower()}{i}",
                "normalized_name_en": f"history hardware {prefix.lower()}{i}",
                "owner_id": owners[i % len(owners)],
            }
            for i in range(1, n + 1)
        ],
        returning=True,
    )


def generate(
    show_ids: list[int],
    company_ids: list[int],
    *,
    seed: int = 7,
    signal: bool = True,
    known_next: set[int] | None = None,
) -> History:
    """Participation of `company_ids` in the editions `show_ids` (oldest first, already
    created), with signed contracts, booth areas, spend and complaints. `known_next`: who takes
    part in the edition after the last one (already decided elsewhere); their facts at the
    last edition are drawn to fit whether they come back."""
    rng = random.Random(seed)
    shows = {
        s.id: s
        for s in db.session.execute(
            sa.select(_table("shows")).where(_table("shows").c.id.in_(show_ids))
        )
    }
    history = History(list(show_ids), list(company_ids))
    area: dict[int, float] = {}
    present: set[int] = {c for c in company_ids if rng.random() < 0.7}
    gone: set[int] = set(company_ids) - present
    applications, contracts, complaints = [], [], []
    for k, show_id in enumerate(show_ids):
        show = shows[show_id]
        last = k == len(show_ids) - 1
        opened = datetime.combine(show.open_from, time(10), UTC)
        cutoff = datetime.combine(show.rebooking_deadline, time(12), UTC)
        history.participations[show_id] = set(present)
        declining: set[int] = set()
        leaving: set[int] = set()
        for company in sorted(present):
            if last and known_next is not None:
                leaves = company not in known_next
                falls = rng.random() < (0.8 if leaves else 0.05)
            else:
                falls = rng.random() < DECLINING
                chance = (
                    (LEAVE_IF_DECLINING if falls else LEAVE_OTHERWISE)
                    if signal
                    else LEAVE_WITHOUT_SIGNAL
                )
                leaves = rng.random() < chance
            if falls:
                declining.add(company)
            if leaves:
                leaving.add(company)
            before = area.get(company)
            if before is None:
                size = float(rng.choice((9, 18, 18, 27, 36, 54)))
            elif falls:
                size = max(3.0, round(before * rng.uniform(0.45, 0.75)))
            else:
                size = round(before * rng.choice((1.0, 1.0, 1.0, 1.2, 1.5)))
            area[company] = size
            applications.append(
                {
                    "company_id": company,
                    "show_id": show_id,
                    "state": "approved",
                    "requested_area_m2": size,
                    "booth_type": "shell_scheme",
                }
            )
            fee = size * rng.choice((1500, 1600, 1800))
            contracts.append(
                {
                    "number": f"HC-{show_id}-{company}",
                    "company_id": company,
                    "show_id": show_id,
                    "state": "signed",
                    "signed_at": opened - timedelta(days=rng.randint(30, 150)),
                    "booth_fee": fee,
                    "total_amount": fee,
                    "booth_area_m2": size,
                }
            )
            open_complaint = falls and rng.random() < OPEN_COMPLAINT_IF_DECLINING
            other = not open_complaint and rng.random() < COMPLAINT_OTHERWISE
            if open_complaint or other:
                at = opened + timedelta(hours=rng.randint(1, 40))
                resolved = (
                    cutoff + timedelta(days=rng.randint(10, 60))
                    if open_complaint
                    else at + timedelta(days=rng.randint(1, 5))
                )
                complaints.append(
                    {
                        "company_id": company,
                        "show_id": show_id,
                        "category": rng.choice(("booth", "service", "logistics", "visitors")),
                        "severity": rng.choice(("medium", "high")),
                        "state": "resolved",
                        "source": "staff",
                        "description": "展位问题 / Booth problem",
                        "opened_at": at,
                        "sla_due_at": at + timedelta(days=1),
                        "resolved_at": resolved,
                    }
                )
        history.declining[show_id] = declining
        joining = {c for c in gone if rng.random() < (COME_BACK if c in area else JOIN)}
        present = (present - leaving) | joining
        gone = (gone | leaving) - joining
    application_ids = _insert("exhibitor_applications", applications, returning=True)
    for contract, application_id in zip(contracts, application_ids, strict=True):
        contract["application_id"] = application_id
    _insert("contracts", contracts)
    _insert("complaints", complaints)
    history.counts = {
        "contracts": len(contracts),
        "complaints": len(complaints),
    }
    return history


# --- the demo: older editions of its series, and complaints left open before customers leave --

OLDER_EDITIONS = 3


def _older_edition(ctx, years_back: int):
    from expo_crm.shows import services as shows

    opened = ctx.earlier.open_from - timedelta(days=365 * years_back)
    year = opened.year
    return shows.create_show(
        code=f"CIHF{year}H",
        series=ctx.earlier.series,
        name_zh=f"{year}中国国际五金博览会(往届)",
        name_en=f"China International Hardware Fair {year} (archive)",
        venue=ctx.earlier.venue,
        timezone=ctx.earlier.timezone,
        move_in_date=opened - timedelta(days=2),
        open_from=opened,
        open_to=opened + timedelta(days=2),
        move_out_date=opened + timedelta(days=3),
        rebooking_deadline=opened + timedelta(days=120),
    )


def _signed(show_id: int) -> set[int]:
    contracts = _table("contracts")
    return set(
        db.session.scalars(
            sa.select(contracts.c.company_id).where(
                contracts.c.show_id == show_id, contracts.c.state == "signed"
            )
        )
    )


def _booked(show_id: int) -> set[int]:
    applications = _table("exhibitor_applications")
    return set(
        db.session.scalars(
            sa.select(applications.c.company_id).where(applications.c.show_id == show_id)
        )
    )


def _plant_complaints(show, leaving: set[int], staying: set[int], rng, now: datetime) -> int:
    """Those who leave after `show` mostly had a complaint there that was left open past the
    rebooking deadline (some still are); a few who stay had one, settled within days."""
    opened = datetime.combine(show.open_from, time(11), UTC)
    deadline = datetime.combine(show.rebooking_deadline or show.open_to, time(12), UTC)
    rows = []
    for company in sorted(leaving | staying):
        left_open = company in leaving and rng.random() < 0.7
        if not left_open and not (rng.random() < 0.1):
            continue
        at = opened + timedelta(hours=rng.randint(1, 40))
        if left_open:
            resolved = deadline + timedelta(days=rng.randint(10, 40))
            resolved = None if resolved >= now or rng.random() < 0.5 else resolved
        else:
            resolved = at + timedelta(days=rng.randint(1, 4))
        rows.append(
            {
                "company_id": company,
                "show_id": show.id,
                "category": rng.choice(("booth", "service", "logistics", "visitors")),
                "severity": rng.choice(("medium", "high")),
                "state": "open" if resolved is None else "resolved",
                "source": "staff",
                "description": rng.choice(
                    (
                        "展位搭建延误，未按时交付 / Booth handed over late",
                        "观众数量远低于承诺 / Far fewer visitors than promised",
                        "展品运输损坏，赔偿未落实 / Exhibits damaged in transport, no compensation",
                    )
                ),
                "opened_at": at,
                "sla_due_at": at + timedelta(days=1),
                "resolved_at": resolved,
            }
        )
    _insert("complaints", rows)
    return len(rows)


def seed(ctx) -> None:
    """Older editions of the demo's series with hidden behaviour, and complaints left open by
    those who leave after the demo's own editions, so the churn model has something to find."""
    from expo_crm import clock

    now = clock.now()
    older = [_older_edition(ctx, k) for k in range(OLDER_EDITIONS, 0, -1)]
    db.session.flush()
    company_ids = sorted(db.session.scalars(sa.select(_table("companies").c.id)))
    history = generate(
        [s.id for s in older], company_ids, seed=2026, known_next=_signed(ctx.earlier.id)
    )
    planted = 0
    for show, following in ((ctx.earlier, ctx.past), (ctx.past, ctx.current)):
        taken, back = _signed(show.id), _signed(following.id)
        planted += _plant_complaints(show, taken - back, taken & back, ctx.rng, now)
    # Those of the open edition not (yet) booked for the next one: the model should find them.
    taken, booked = _signed(ctx.current.id), _booked(ctx.future.id)
    planted += _plant_complaints(ctx.current, taken - booked, taken & booked, ctx.rng, now)
    ctx.notes.append(
        f"churn history: {len(older)} older editions, {history.counts['contracts']} contracts,"
        f" {history.counts['complaints'] + planted} complaints"
    )


def train(ctx) -> None:
    """Train the churn models as the scheduler would tonight, then let the life cycle read the
    scores (high risk is an early warning)."""
    from expo_crm import clock
    from expo_crm.relationships.churn_model import latest_model, retrain_after_close
    from expo_crm.relationships.services import evaluate_all

    now = clock.now()
    retrain_after_close(now)
    evaluate_all(now)
    for kind in ("exhibitor", "visitor"):
        model = latest_model(kind)
        ctx.notes.append(
            f"churn model {kind}: {model.state.value}"
            + (f", AUC {float(model.auc):.2f}" if model.auc is not None else "")
        )
