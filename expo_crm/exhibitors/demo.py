"""Demo exhibitors: companies across four editions with a real life-cycle history, and portal logins."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from expo_crm.auth.services import hash_password
from expo_crm.db import db
from expo_crm.exhibitors.applications import create_application, move_application
from expo_crm.exhibitors.booths import assign_booth, create_booth
from expo_crm.exhibitors.companies import add_contact, create_company
from expo_crm.exhibitors.contracts import create_contract, participating_company_ids, sign_contract
from expo_crm.exhibitors.models import (
    ApplicationState,
    Booth,
    BoothStatus,
    BoothType,
    CompanySize,
    DeliverableKind,
    PaymentMethod,
    PortalUser,
    Submission,
)
from expo_crm.exhibitors.payments import record_payment
from expo_crm.shows.services import entering_history

PORTAL_PASSWORD = "expo-demo-2026"
PORTAL_DOMAIN = "demo-exhibitor.expo-crm.cn"

CITIES = (
    ("宁波", "Ningbo", "浙江"),
    ("温州", "Wenzhou", "浙江"),
    ("永康", "Yongkang", "浙江"),
    ("台州", "Taizhou", "浙江"),
    ("东莞", "Dongguan", "广东"),
    ("佛山", "Foshan", "广东"),
    ("深圳", "Shenzhen", "广东"),
    ("苏州", "Suzhou", "江苏"),
    ("上海", "Shanghai", "上海"),
    ("青岛", "Qingdao", "山东"),
)
BRANDS = (
    ("恒达", "Hengda"),
    ("正泰", "Zhengtai"),
    ("华美", "Huamei"),
    ("力拓", "Lituo"),
    ("金鼎", "Jinding"),
    ("东方", "Dongfang"),
    ("宏远", "Hongyuan"),
    ("精工", "Jinggong"),
    ("鑫源", "Xinyuan"),
    ("长城", "Changcheng"),
    ("永信", "Yongxin"),
    ("博力", "Boli"),
    ("天工", "Tiangong"),
    ("瑞丰", "Ruifeng"),
    ("鸿运", "Hongyun"),
)
PRODUCTS = (
    ("五金工具", "Hardware Tools", "hand tools, tool sets"),
    ("紧固件", "Fasteners", "bolts, screws, anchors"),
    ("锁具", "Locks", "door locks, padlocks, smart locks"),
    ("电动工具", "Power Tools", "drills, grinders, saws"),
    ("卫浴五金", "Sanitary Hardware", "faucets, shower sets"),
    ("门窗配件", "Door & Window Fittings", "hinges, handles"),
    ("园林工具", "Garden Tools", "pruners, sprayers"),
    ("焊接设备", "Welding Equipment", "welders, electrodes"),
)
FOREIGN = (
    ("", "Brennwald Werkzeuge GmbH", "DE", "Wuppertal", "Hand tools"),
    ("", "Fratelli Ravasi S.r.l.", "IT", "Lecco", "Fasteners"),
    ("", "Kitamura Cutlery Co., Ltd.", "JP", "Seki", "Garden Tools"),
    ("", "Lakeshore Fastening Inc.", "US", "Cleveland", "Fasteners"),
    ("", "Nordhavn Tools A/S", "DK", "Aarhus", "Power Tools"),
)
CONTACT_NAMES = (
    "王伟",
    "李娜",
    "张敏",
    "刘洋",
    "陈静",
    "杨帆",
    "赵磊",
    "黄丽",
    "周强",
    "吴婷",
    "徐峰",
    "孙悦",
)
# Participation patterns over (earlier, past, current, future): area in m², 0 = not there.
PATTERNS = (
    ("loyal", (18, 36, 36, 36)),
    ("loyal", (36, 54, 54, 54)),
    ("three", (9, 18, 18, 0)),
    ("skipped", (18, 0, 18, 18)),
    ("cut", (0, 72, 36, 18)),
    ("declined", (18, 18, -1, 0)),
    ("new", (0, 0, 18, 18)),
    ("lost", (18, 0, 0, 0)),
    ("prospect", (0, 0, 0, 9)),
    ("newcomer", (0, 0, 9, 0)),
)
FUTURE_STATES = (
    ApplicationState.submitted,
    ApplicationState.under_review,
    ApplicationState.waitlisted,
    ApplicationState.rejected,
)


def _company_values(ctx, n: int) -> dict:
    if n % 12 == 11:
        zh, en, country, city, industry = FOREIGN[(n // 12) % len(FOREIGN)]
        return {
            "name_zh": zh,
            "name_en": en if n < 12 * len(FOREIGN) else f"{en} ({n})",
            "country": country,
            "city": city,
            "industry": industry,
            "product_categories": industry.lower(),
            "size": CompanySize.medium,
            "website": "https://" + en.split()[0].lower() + ".example",
        }
    city_zh, city_en, province = CITIES[n % len(CITIES)]
    brand_zh, brand_en = BRANDS[(n // len(CITIES)) % len(BRANDS)]
    product_zh, product_en, categories = PRODUCTS[n % len(PRODUCTS)]
    suffix = "" if n < len(CITIES) * len(BRANDS) else str(n)
    return {
        "name_zh": f"{city_zh}{brand_zh}{product_zh}有限公司{suffix}",
        "name_en": f"{city_en} {brand_en} {product_en} Co., Ltd.{(' ' + suffix) if suffix else ''}",
        "tax_id": f"91{330000 + n:06d}MA{n:04d}{ctx.rng.randint(100, 999)}X",
        "country": "CN",
        "province": province,
        "city": city_zh,
        "industry": product_zh,
        "product_categories": categories,
        "size": ctx.rng.choice(list(CompanySize)),
        "website": f"https://www.{brand_en.lower()}{n}.example.cn",
    }


class _Halls:
    """Booths are laid out as they are sold, two halls per show, plus a few left free or blocked."""

    def __init__(self, show):
        self.show = show
        self.counters = {"W1": 0, "W2": 0}

    def booth(self, area: int) -> Booth:
        hall = "W1" if area <= 18 else "W2"
        self.counters[hall] += 1
        kind = BoothType.shell_scheme if area <= 18 else BoothType.raw_space
        price = Decimal(1680) if kind is BoothType.shell_scheme else Decimal(1380)
        return create_booth(
            self.show.id,
            hall=hall,
            number=f"{hall}-{self.counters[hall]:03d}",
            area_m2=area,
            booth_type=kind,
            price_per_m2=price,
            corner=self.counters[hall] % 7 == 0,
            island=area >= 72,
        )

    def spare(self, count: int, rng) -> None:
        for n in range(count):
            booth = self.booth(rng.choice((9, 18, 36)))
            if n % 5 == 4:
                booth.status = BoothStatus.blocked


def _at(show, days_before: int) -> datetime:
    return datetime.combine(show.open_from - timedelta(days=days_before), time(10), tzinfo=show.tz)


def seed(ctx) -> None:
    shows = (ctx.earlier, ctx.past, ctx.current, ctx.future)
    halls = {show.id: _Halls(show) for show in shows}
    system = ("system", None, "demo")
    companies = []
    for n in range(ctx.exhibitors):
        company = create_company(owner_id=ctx.owner("sales").id, **_company_values(ctx, n))
        for k in range(1 + n % 2):
            name = CONTACT_NAMES[(n + k) % len(CONTACT_NAMES)]
            add_contact(
                company,
                name=name if company.country == "CN" else f"Contact {n}-{k}",
                email=f"contact{n}-{k}@{(company.name_en.split()[1] if company.country == 'CN' else 'intl').lower()}.example.cn",
                phone=f"+86 574 8{n:03d} {k:04d}",
                title="销售经理" if k == 0 else "市场专员",
                locale="zh" if company.country == "CN" else "en",
                is_primary=k == 0,
            )
        companies.append(company)
    db.session.flush()

    for n, company in enumerate(companies):
        label, areas = PATTERNS[n % len(PATTERNS)]
        for show, area in zip(shows, areas, strict=True):
            if area == 0:
                continue
            with entering_history(show):
                _participate(ctx, company, show, area, halls[show.id], n, label, system)
    for show in shows:
        halls[show.id].spare(6, ctx.rng)
    db.session.flush()
    _portal(ctx, companies)
    ctx.notes.append(f"exhibitors: {len(companies)} companies across {len(shows)} editions")


def _participate(ctx, company, show, area: int, halls: _Halls, n: int, label: str, system) -> None:
    is_future = show is ctx.future
    requested = abs(area) if area > 0 else 18
    application = create_application(
        company,
        show.id,
        requested_area_m2=requested,
        booth_type=BoothType.shell_scheme if requested <= 18 else BoothType.raw_space,
        actor=system,
    )
    for event in application.events:
        event.at = _at(show, 150)
    if area < 0:
        move_application(
            application,
            ApplicationState.withdrawn,
            "客户决定不再参展 / the customer declined to exhibit again",
            actor=system,
        )
        application.events[-1].at = _at(show, 100)
        return
    if is_future and label in ("prospect",) or (is_future and n % 9 == 0):
        state = FUTURE_STATES[n % len(FUTURE_STATES)]
        if state is not ApplicationState.submitted:
            move_application(
                application,
                state,
                {
                    ApplicationState.under_review: "资料齐全，审核中 / documents complete",
                    ApplicationState.waitlisted: "W2馆已满，候补 / hall W2 full, on the waiting list",
                    ApplicationState.rejected: "产品不符合展会范围 / products outside the show's scope",
                }[state],
                actor=system,
            )
        return
    move_application(
        application,
        ApplicationState.approved,
        "老客户续展 / returning exhibitor" if n % 2 else "符合参展条件 / meets the criteria",
        actor=system,
    )
    application.events[-1].at = _at(show, 130)
    booth = halls.booth(area)
    assign_booth(application, booth.id)
    discount = Decimal(2000) if label == "loyal" else Decimal(0)
    contract = create_contract(application, discount=discount)
    contract.deposit_due = show.open_from - timedelta(days=100)
    contract.balance_due = show.open_from - timedelta(days=30)
    if is_future and n % 4 == 1:
        return  # still a draft: signing pending
    sign_contract(contract)
    contract.signed_at = _at(show, 110)
    deposit = contract.deposit_amount
    record_payment(
        contract.id,
        deposit,
        paid_at=_at(show, 95),
        method=PaymentMethod.bank_transfer,
        reference=f"DEP-{contract.number}",
    )
    settled = show in (ctx.earlier, ctx.past) or (show is ctx.current and n % 5 != 2)
    if settled and contract.total_amount > deposit:
        record_payment(
            contract.id,
            contract.total_amount - deposit,
            paid_at=_at(show, 25),
            method=PaymentMethod.bank_transfer,
            reference=f"BAL-{contract.number}",
        )
    if show in (ctx.current, ctx.future) and n % 3 != 2:
        db.session.add(
            Submission(
                company_id=company.id,
                show_id=show.id,
                kind=DeliverableKind.fascia_name,
                content=(company.name_zh or company.name_en)[:60],
                submitted_at=_at(show, 40),
            )
        )
    if show is ctx.current and n % 2 == 0:
        db.session.add(
            Submission(
                company_id=company.id,
                show_id=show.id,
                kind=DeliverableKind.catalogue_entry,
                content=f"{company.name_zh} — {company.product_categories}",
                submitted_at=_at(show, 45),
            )
        )


def _portal(ctx, companies) -> None:
    """Portal logins for the first exhibitors of the show open today."""
    from expo_crm.relationships.services import log_interaction

    participants = participating_company_ids(ctx.current.id)
    chosen = [c for c in companies if c.id in participants][:3]
    password = hash_password(PORTAL_PASSWORD)
    for n, company in enumerate(chosen, start=1):
        contact = company.primary_contact
        user = PortalUser(
            company_id=company.id,
            contact_id=contact.id if contact else None,
            email=f"exhibitor{n}@{PORTAL_DOMAIN}",
            name=contact.name if contact else company.name_en,
            password_hash=password,
            locale=contact.locale if contact else "zh",
        )
        db.session.add(user)
        log_interaction(
            "exhibitor",
            company.id,
            channel="portal",
            direction="inbound",
            show_id=ctx.current.id,
            subject="展位用电申请 / power supply for the booth",
            notes="我们需要额外的380V电源。 We need an extra 380 V supply.",
            occurred_at=_at(ctx.current, 20),
            source_key=f"demo.portal_message.{company.id}",
        )
    db.session.flush()


def portal_logins() -> list[str]:
    users = db.session.scalars(
        sa.select(PortalUser)
        .where(PortalUser.email.like(f"%@{PORTAL_DOMAIN}"))
        .order_by(PortalUser.email)
    )
    return [
        f"{u.email} / {PORTAL_PASSWORD}  ({u.company.name_zh or u.company.name_en})" for u in users
    ]
