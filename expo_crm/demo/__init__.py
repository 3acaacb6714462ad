"""Demo data and the `expo-crm demo` command.

The core seeds staff of every role and three editions of one exhibition: a past one (with
history), one open today, one in its pre-show stage. Each domain then adds its own data
from its `demo.py` (`seed(ctx)`), in the order of SEEDERS; what spans the domains (the
relationships' history) is seeded from here.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.auth import services as auth
from expo_crm.auth.models import StaffUser
from expo_crm.auth.permissions import Role
from expo_crm.categories import demo as categories_demo
from expo_crm.db import db, writing
from expo_crm.demo import churn_history, showfloor
from expo_crm.demo import relationships as relationships_demo
from expo_crm.exhibitors import demo as exhibitors_demo
from expo_crm.invoicing import demo as invoicing_demo
from expo_crm.partners import demo as partners_demo
from expo_crm.relationships.services import evaluate_values
from expo_crm.scheduler.services import ensure_plan
from expo_crm.shows import services as shows
from expo_crm.shows.models import Show
from expo_crm.staff import demo as staff_demo
from expo_crm.suppliers import demo as suppliers_demo
from expo_crm.surveys import demo as surveys_demo
from expo_crm.visitors import demo as visitors_demo

DEMO_PASSWORD = "expo-demo-2026"

DEMO_STAFF = (
    (Role.admin, "admin@demo.expo-crm.cn", "王海燕 Wang Haiyan", "zh"),
    (Role.sales, "sales@demo.expo-crm.cn", "李明 Li Ming", "zh"),
    (Role.sales, "sales2@demo.expo-crm.cn", "Emma Clarke", "en"),
    (Role.service, "service@demo.expo-crm.cn", "张丽 Zhang Li", "zh"),
    (Role.gate, "gate@demo.expo-crm.cn", "陈刚 Chen Gang", "zh"),
    (Role.marketing, "marketing@demo.expo-crm.cn", "刘洋 Liu Yang", "zh"),
)


def _seeders():
    """Each domain's seed(ctx), in order: later ones build on what earlier ones made."""
    return (
        categories_demo.seed,  # the product tree that exhibitors offer and visitors seek
        exhibitors_demo.seed,
        visitors_demo.seed,
        suppliers_demo.seed,  # orders for the exhibitors' companies
        invoicing_demo.seed,  # invoices of the signed contracts, with their service orders
        partners_demo.seed,  # attributes visitors' registrations to referral codes
        showfloor.seed,  # recommendations, meetings and leads
        staff_demo.seed,
        surveys_demo.seed,
        churn_history.seed,  # older editions and complaints with hidden behaviour
        relationships_demo.seed,
        churn_history.train,  # the churn models, as tonight's job would train them
        _customer_values,
    )


def _customer_values(ctx) -> None:
    """Customer values and classes, as tonight's job would evaluate them."""
    result = evaluate_values(clock.now())
    ctx.notes.append(f"customer values: {result['created']} evaluated")


@dataclass
class DemoContext:
    past: Show
    earlier: Show
    current: Show
    future: Show
    staff: dict[str, list[StaffUser]]
    exhibitors: int
    visitors: int
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    categories: dict[str, int] = field(default_factory=dict)  # code -> id
    notes: list[str] = field(default_factory=list)

    @property
    def shows(self) -> list[Show]:
        return [self.earlier, self.past, self.current, self.future]

    def owner(self, role: str = "sales") -> StaffUser:
        return self.rng.choice(self.staff[role])


def _edition(code: str, open_from: date, zh: str, en: str, reentry: bool = True) -> Show:
    return shows.create_show(
        code=code,
        series="CIHF",
        name_zh=zh,
        name_en=en,
        venue="上海新国际博览中心 Shanghai New International Expo Centre",
        timezone="Asia/Shanghai",
        move_in_date=open_from - timedelta(days=2),
        move_in_opens=time(8, 0),
        move_in_closes=time(18, 0),
        open_from=open_from,
        open_to=open_from + timedelta(days=2),
        move_out_date=open_from + timedelta(days=3),
        rebooking_deadline=open_from + timedelta(days=120),
        reentry_allowed=reentry,
    )


def seed_demo(exhibitors: int = 60, visitors: int = 400) -> str:
    with writing():
        return _seed(exhibitors, visitors)


def _seed(exhibitors: int, visitors: int) -> str:
    if db.session.scalar(sa.select(sa.func.count(Show.id))):
        return "demo data already present: nothing added"
    staff: dict[str, list[StaffUser]] = {}
    for role, email, name, locale in DEMO_STAFF:
        user = auth.find_staff(email) or auth.create_staff(
            email, name, DEMO_PASSWORD, role, locale=locale
        )
        staff.setdefault(role.value, []).append(user)
    today = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    ctx = DemoContext(
        earlier=_edition(
            "CIHF2025",
            today - timedelta(days=730),
            "2025中国国际五金博览会",
            "China International Hardware Fair 2025",
        ),
        past=_edition(
            "CIHF2026",
            today - timedelta(days=365),
            "2026中国国际五金博览会",
            "China International Hardware Fair 2026",
        ),
        current=_edition(
            "CIHF2026B",
            today - timedelta(days=1),
            "2026中国国际五金博览会(秋季)",
            "China International Hardware Fair 2026 Autumn",
        ),
        future=_edition(
            "CIHF2027",
            today + timedelta(days=75),
            "2027中国国际五金博览会",
            "China International Hardware Fair 2027",
            reentry=False,
        ),
        staff=staff,
        exhibitors=exhibitors,
        visitors=visitors,
    )
    db.session.commit()
    for seed in _seeders():
        seed(ctx)
        db.session.commit()
    # Every show's service plan, the exhibitor steps included, as staff will find it.
    for show in ctx.shows:
        ensure_plan(show)
    db.session.commit()
    lines = [
        f"seeded {len(ctx.shows)} shows and {sum(len(v) for v in staff.values())} staff"
    ] + ctx.notes
    return "\n".join(lines)


def demo_logins() -> list[tuple[str, str, str]]:
    return [(role.value, email, DEMO_PASSWORD) for role, email, _, _ in DEMO_STAFF]


def run_demo(host: str, port: int) -> None:
    """init, seed if empty, scheduler in its own process, web server in this one."""
    from expo_crm import create_app
    from expo_crm.database import init_database

    os.environ.setdefault("EXPO_CRM_BASE_URL", f"http://{host}:{port}")
    app = create_app()
    with app.app_context():
        init_database()
        summary = seed_demo()
        portal_logins = _portal_logins()
    scheduler = _start_scheduler()
    url = f"http://{host}:{port}/"
    print("\n" + "=" * 72)
    print(f"expo-crm demo: {url}")
    print(summary)
    print(f"Staff logins (password for all: {DEMO_PASSWORD}):")
    for role, email, _ in demo_logins():
        print(f"  {role:<18} {email}")
    for line in portal_logins:
        print(line)
    print("Database:", app.config["SQLALCHEMY_DATABASE_URI"])
    print("=" * 72 + "\n", flush=True)
    from expo_crm.server import serve

    try:
        serve(host, port, workers=2, threads=4)
    finally:
        if scheduler.poll() is None:
            scheduler.send_signal(signal.SIGTERM)
            try:
                scheduler.wait(10)
            except subprocess.TimeoutExpired:
                scheduler.kill()


def _portal_logins() -> list[str]:
    lines = exhibitors_demo.portal_logins()
    return ["Exhibitor portal logins:"] + [f"  {line}" for line in lines] if lines else []


def _start_scheduler() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "expo_crm", "scheduler"], env=os.environ.copy())
