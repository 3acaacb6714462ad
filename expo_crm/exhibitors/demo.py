"""Demo exhibitors: companies across four editions with a real life-cycle history, what they
offer (categories of the tree), the drawn hall plans, a booth held in the rebooking of the next
edition, and portal logins."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from expo_crm import clock, taxids
from expo_crm.auth.services import hash_password
from expo_crm.db import db
from expo_crm.exhibitors.applications import create_application, move_application
from expo_crm.exhibitors.booths import assign_booth, create_booth
from expo_crm.exhibitors.companies import add_contact, create_company
from expo_crm.exhibitors.contracts import create_contract, participating_company_ids, sign_contract
from expo_crm.exhibitors.hallplan import place_booth, set_outline
from expo_crm.exhibitors.models import (
    ApplicationState,
    Booth,
    BoothAssignment,
    BoothStatus,
    BoothType,
    CompanySize,
    DeliverableKind,
    PaymentMethod,
    PortalUser,
    Submission,
)
from expo_crm.exhibitors.offers import set_offer
from expo_crm.exhibitors.payments import record_payment
from expo_crm.exhibitors.rebooking import compute_windows, pick_booth, save_plan
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
# What each line of products offers in the category tree (categories/demo.py): its leaves, and a
# neighbouring leaf some companies also make.
OFFERS = {
    "五金工具": (("TOOLS.HAND", "TOOLS.MEASURE", "TOOLS.CUT"), "GARDEN.PRUNE"),
    "紧固件": (("FAST.BOLT", "FAST.ANCHOR"), "FIT.HINGE"),
    "锁具": (("LOCK.DOOR", "LOCK.SMART", "LOCK.PAD"), "FIT.HANDLE"),
    "电动工具": (("POWER.DRILL", "POWER.GRIND", "POWER.CORDLESS"), "TOOLS.CUT"),
    "卫浴五金": (("BATH.FAUCET", "BATH.SHOWER"), "FIT.HANDLE"),
    "门窗配件": (("FIT.HINGE", "FIT.HANDLE"), "LOCK.DOOR"),
    "园林工具": (("GARDEN.PRUNE", "GARDEN.SPRAY"), "POWER.CORDLESS"),
    "焊接设备": (("WELD.MACHINE", "WELD.ROD"), "POWER.GRIND"),
    "Hand tools": (("TOOLS.HAND", "TOOLS.MEASURE"), "TOOLS.CUT"),
    "Fasteners": (("FAST.BOLT", "FAST.ANCHOR"), "FIT.HINGE"),
    "Garden Tools": (("GARDEN.PRUNE", "GARDEN.SPRAY"), "TOOLS.CUT"),
    "Power Tools": (("POWER.DRILL", "POWER.CORDLESS"), "POWER.GRIND"),
}
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
        "tax_id": _tax_id(f"91{330000 + n:06d}MA{n:04d}{ctx.rng.randint(100, 999)}"),
        "country": "CN",
        "province": province,
        "city": city_zh,
        "industry": product_zh,
        "product_categories": categories,
        "size": ctx.rng.choice(list(CompanySize)),
        "website": f"https://www.{brand_en.lower()}{n}.example.cn",
    }


# The plan of each hall: booth depth, the aisle between pairs of rows, and row length (metres).
HALL_LAYOUT = {"W1": (3, 4, 48), "W2": (6, 5, 54)}
MARGIN = 4


def _tax_id(first17: str) -> str:
    """A unified social credit code with its right check character, as fapiao requests need."""
    return first17 + taxids.check_character(first17)


class _Halls:
    """Booths are laid out as they are sold, two halls per show, plus a few left free or blocked;
    then each hall's outline is drawn around them and every booth placed on it (`draw`)."""

    def __init__(self, show, history: bool = False):
        self.show = show
        self.history = history
        self.counters = {"W1": 0, "W2": 0}
        self.booths: dict[str, list[Booth]] = {"W1": [], "W2": []}

    def booth(self, area: int) -> Booth:
        hall = "W1" if area <= 18 else "W2"
        self.counters[hall] += 1
        kind = BoothType.shell_scheme if area <= 18 else BoothType.raw_space
        price = Decimal(1680) if kind is BoothType.shell_scheme else Decimal(1380)
        booth = create_booth(
            self.show.id,
            hall=hall,
            number=f"{hall}-{self.counters[hall]:03d}",
            area_m2=area,
            booth_type=kind,
            price_per_m2=price,
            corner=self.counters[hall] % 7 == 0,
            island=area >= 72,
        )
        self.booths[hall].append(booth)
        return booth

    def spare(self, count: int, rng) -> None:
        for n in range(count):
            booth = self.booth(rng.choice((9, 18, 36)))
            if n % 5 == 4:
                booth.status = BoothStatus.blocked

    def draw(self) -> None:
        """Rows of booths back to back, an aisle after each pair; the outline around them, with
        its entrance corner cut off, as the venue's drawing has it."""
        for hall, booths in self.booths.items():
            if not booths:
                continue
            depth, aisle, length = HALL_LAYOUT[hall]
            places, row, x = [], 0, 0.0
            for booth in booths:
                width = float(booth.area_m2) / depth
                if x + width > length:
                    row, x = row + 1, 0.0
                y = (row // 2) * (2 * depth + aisle) + (row % 2) * depth
                places.append((booth, MARGIN + x, MARGIN + y, width))
                x += width
            right = MARGIN + length + MARGIN
            bottom = MARGIN + (row // 2) * (2 * depth + aisle) + 2 * depth + MARGIN
            cut = MARGIN + 2
            set_outline(
                self.show.id,
                hall,
                [[0, 0], [right, 0], [right, bottom], [cut, bottom], [0, bottom - cut]],
            )
            for booth, x, y, width in places:
                if self.history:  # a past edition's plan, as drawn then: no checks to repeat
                    booth.x, booth.y, booth.width, booth.depth = (
                        Decimal(str(v)) for v in (x, y, width, depth)
                    )
                else:
                    place_booth(booth, x=x, y=y, width=width, depth=depth)


def _at(show, days_before: int) -> datetime:
    return datetime.combine(show.open_from - timedelta(days=days_before), time(10), tzinfo=show.tz)


def seed(ctx) -> None:
    shows = (ctx.earlier, ctx.past, ctx.current, ctx.future)
    halls = {show.id: _Halls(show, history=show in (ctx.earlier, ctx.past)) for show in shows}
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
        halls[show.id].draw()
    db.session.flush()
    _offers(ctx, companies)
    _rebooking(ctx)
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


def _offers(ctx, companies) -> None:
    """Each company offers leaves of its line of products; every third a neighbouring one too."""
    for n, company in enumerate(companies):
        leaves, neighbour = OFFERS.get(company.industry, ((), None))
        if not leaves:
            continue
        chosen = [leaves[n % len(leaves)], leaves[(n + 1) % len(leaves)]]
        if n % 3 == 0:
            chosen.append(neighbour)
        ids = [ctx.categories[code] for code in chosen if code in ctx.categories]
        set_offer(company, ids, company.product_categories)


def _rebooking(ctx) -> None:
    """The next edition's priority rebooking has begun: its windows are open and two past
    exhibitors without a booth there yet each hold one they picked on the plan."""
    now = clock.now()
    save_plan(
        ctx.future,
        starts_at=now - timedelta(days=1),
        window_hours=72,
        companies_per_window=100,
        hold_minutes=240,
    )
    windows = compute_windows(ctx.future)
    booked = set(
        db.session.scalars(
            sa.select(BoothAssignment.company_id).where(BoothAssignment.show_id == ctx.future.id)
        )
    )
    free = db.session.scalars(
        sa.select(Booth)
        .where(Booth.show_id == ctx.future.id, Booth.status == BoothStatus.available)
        .order_by(Booth.number)
    ).all()
    pickers = [w.company_id for w in windows if w.company_id not in booked][:2]
    for company_id, booth in zip(pickers, free, strict=False):
        pick_booth(company_id, ctx.future, booth.id, None)


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
