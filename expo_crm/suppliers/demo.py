"""Demo suppliers: a directory across every category with contacts and qualification documents
(one insurance lapsing during the next show, one safety certificate missing), a service catalogue
per edition, service orders of the contracted exhibitors in every state, and evaluations of the
past editions.

Runs after the exhibitors demo data (it orders for their companies)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.suppliers import documents, jobs, services
from expo_crm.suppliers.evaluations import evaluate
from expo_crm.suppliers.models import DocumentKind, OrderState

# (category, Chinese name, English name, contact, email domain)
SUPPLIERS = (
    (
        "booth_builder",
        "上海华展展览工程有限公司",
        "Shanghai Huazhan Exhibition Engineering",
        "周建国",
        "huazhan",
    ),
    (
        "booth_builder",
        "北京创意空间展示设计",
        "Beijing Creative Space Display Design",
        "孙丽华",
        "creativespace",
    ),
    ("logistics", "中外运会展物流", "Sinotrans Exhibition Logistics", "马强", "sinotrans-expo"),
    ("furniture", "博雅展具租赁", "Boya Exhibition Furniture Rental", "李芳", "boya-rental"),
    (
        "utilities",
        "新国际博览中心水电服务部",
        "SNIEC Power and Water Services",
        "王志刚",
        "sniec-utilities",
    ),
    ("catering", "锦江会展餐饮", "Jinjiang Event Catering", "陈美玲", "jinjiang-catering"),
    ("cleaning", "洁美保洁服务", "Jiemei Cleaning Services", "赵红", "jiemei"),
    ("security", "申安保安服务有限公司", "Shen'an Security Services", "刘勇", "shenan-security"),
    ("av", "声光影视设备租赁", "Sound & Light AV Rental", "黄俊", "soundlight"),
    ("printing", "彩虹快印", "Rainbow Express Printing", "吴静", "rainbow-print"),
    ("travel", "锦程商旅服务", "Jincheng Business Travel", "徐敏", "jincheng-travel"),
)

# (category, Chinese item, English item, unit, price, late surcharge %, late orders accepted)
ITEMS = (
    (
        "booth_builder",
        "特装展位搭建(每平方米)",
        "Custom booth construction (per m²)",
        "m²",
        "680",
        "30",
        True,
    ),
    ("logistics", "展品进馆叉车服务", "Forklift for move-in", "hour", "450", "50", True),
    ("logistics", "空箱存储", "Empty crate storage", "m³", "120", "30", True),
    ("furniture", "洽谈桌椅套装", "Meeting table with four chairs", "set", "260", "30", True),
    ("furniture", "玻璃展示柜", "Glass display cabinet", "pcs", "380", "30", True),
    ("utilities", "16A 电源插座", "16 A power socket", "pcs", "520", "50", True),
    ("utilities", "给排水接驳", "Water supply and drainage", "point", "1800", "0", False),
    ("catering", "展位茶歇", "Booth coffee break", "day", "300", "20", True),
    ("cleaning", "展位每日保洁", "Daily booth cleaning", "day", "150", "20", True),
    ("security", "夜间展位看护", "Overnight booth guard", "night", "600", "30", True),
    ("av", "55 寸液晶显示屏", "55-inch LCD screen", "pcs", "900", "30", True),
    ("printing", "背景喷绘(每平方米)", "Backdrop printing (per m²)", "m²", "85", "50", True),
    (
        "travel",
        "展馆周边酒店(标准间)",
        "Hotel near the venue (double room)",
        "night",
        "680",
        "0",
        True,
    ),
)
RATINGS = {  # category -> (quality, punctuality, price) leanings for the evaluations
    "booth_builder": (4, 3, 3),
    "logistics": (4, 4, 3),
    "furniture": (3, 4, 4),
    "utilities": (4, 4, 2),
    "catering": (3, 3, 4),
    "cleaning": (4, 5, 4),
    "security": (5, 5, 3),
    "av": (4, 3, 3),
    "printing": (3, 2, 5),
    "travel": (4, 4, 3),
}


def _pdf(title: str) -> bytes:
    """A small, valid one-page PDF standing in for a scanned certificate."""
    text = title.encode("latin-1", "replace")
    stream = b"BT /F1 14 Tf 60 760 Td (" + text.replace(b"(", b"[").replace(b")", b"]") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _at(show, day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=show.tz)


def seed(ctx) -> None:
    rng = ctx.rng
    owners = ctx.staff.get("service") or ctx.staff.get("admin")
    suppliers = {}
    for n, (category, zh, en, contact, domain) in enumerate(SUPPLIERS):
        supplier = services.create_supplier(
            name_zh=zh,
            name_en=en,
            category=category,
            email=f"service@{domain}.demo.cn",
            phone=f"+86 21 {rng.randint(5000, 6999)} {rng.randint(1000, 9999)}",
            locale="zh",
            address="上海市浦东新区",
            owner_id=owners[n % len(owners)].id,
        )
        services.add_contact(
            supplier,
            name=contact,
            position="客户经理 Account manager",
            email=f"{domain}@{domain}.demo.cn",
            phone=f"+86 139 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
        )
        suppliers.setdefault(category, []).append(supplier)
        _documents(ctx, supplier, n)
    # An inactive supplier stays in the directory with its history, but cannot be chosen.
    services.create_supplier(
        name_zh="旧时光展具",
        name_en="Old Times Display Rental",
        category="furniture",
        active=False,
        notes="2024 年起停止合作 / No longer used since 2024",
    )
    db.session.flush()
    items = {show.id: _catalogue(ctx, show, suppliers) for show in ctx.shows}
    orders = _orders(ctx, items)
    evaluations = _evaluations(ctx, suppliers)
    db.session.commit()
    alerts = jobs.document_expiry_alerts(clock.now())
    ctx.notes.append(
        f"suppliers: {len(SUPPLIERS) + 1} suppliers, {orders} service orders, "
        f"{evaluations} evaluations, {alerts} document alerts"
    )


def _documents(ctx, supplier, n: int) -> None:
    far = ctx.future.move_out_date + timedelta(days=365 + 30 * n)
    for kind in DocumentKind:
        expires_on = far
        if n == 2 and kind is DocumentKind.insurance:
            expires_on = ctx.future.open_from  # lapses during the next show: an alert
        if n == 7 and kind is DocumentKind.safety_certificate:
            continue  # never sent: an alert too
        documents.add_document(
            supplier,
            kind=kind,
            expires_on=expires_on,
            number=f"{kind.value[:3].upper()}-{1000 + n}",
            filename=f"{kind.value}.pdf",
            content=_pdf(f"{supplier.name_en}: {kind.value}"),
        )


def _catalogue(ctx, show, suppliers) -> list:
    deadline = show.move_in_date - timedelta(days=14)
    items = []
    for category, zh, en, unit, price, surcharge, late_ok in ITEMS:
        for supplier in suppliers[category][:1]:
            items.append(
                services.create_item(
                    show,
                    supplier,
                    name_zh=zh,
                    name_en=en,
                    unit=unit,
                    price=Decimal(price),
                    order_deadline=deadline,
                    late_surcharge_pct=Decimal(surcharge),
                    late_orders_allowed=late_ok,
                )
            )
    return items


def _contracted(show_id: int) -> list[int]:
    from expo_crm.exhibitors.models import Contract, ContractState

    return list(
        db.session.scalars(
            sa.select(Contract.company_id)
            .where(Contract.show_id == show_id, Contract.state != ContractState.cancelled)
            .order_by(Contract.company_id)
        )
    )


def _orders(ctx, items: dict) -> int:
    rng = ctx.rng
    count = 0
    stages = {
        ctx.earlier.id: "past",
        ctx.past.id: "past",
        ctx.current.id: "current",
        ctx.future.id: "future",
    }
    for show in ctx.shows:
        catalogue = items[show.id]
        stage = stages[show.id]
        deadline = catalogue[0].order_deadline
        for company_id in _contracted(show.id):
            for item in rng.sample(catalogue, rng.randint(0, 3)):
                late = item.late_orders_allowed and rng.random() < 0.15
                day = (
                    deadline + timedelta(days=rng.randint(1, 5))
                    if late
                    else deadline - timedelta(days=rng.randint(1, 40))
                )
                today = services.local_today(show)
                if day >= today:
                    day = today - timedelta(days=rng.randint(1, 20))
                ordered_at = _at(show, day, rng.randint(9, 17))
                order = services.place_order(
                    company_id,
                    item,
                    rng.randint(1, 4),
                    channel=rng.choice(("portal", "staff")),
                    staff_id=None,
                    at=ordered_at,
                )
                _advance(ctx, order, stage, ordered_at)
                count += 1
    return count


def _advance(ctx, order, stage: str, ordered_at: datetime) -> None:
    """Past orders are invoiced (a few cancelled), today's confirmed or delivered, the next show's partly confirmed."""
    rng = ctx.rng
    if rng.random() < 0.06:
        services.move_order(order, OrderState.cancelled, at=ordered_at + timedelta(days=2))
        return
    steps = {"past": 3, "current": rng.choice((1, 2, 2)), "future": rng.choice((0, 0, 1))}[stage]
    path = (OrderState.confirmed, OrderState.delivered, OrderState.invoiced)
    moments = (
        ordered_at + timedelta(days=1),
        _at(order.show, order.show.move_in_date, 14),
        _at(order.show, order.show.move_out_date + timedelta(days=7), 11),
    )
    now = clock.now()
    for target, at in list(zip(path, moments, strict=True))[:steps]:
        services.move_order(order, target, at=min(at, now))


def _evaluations(ctx, suppliers) -> int:
    rng = ctx.rng
    count = 0
    evaluator = (ctx.staff.get("service") or ctx.staff["admin"])[0]
    for show in (ctx.earlier, ctx.past):
        for category, members in suppliers.items():
            for supplier in members:
                lean = RATINGS[category]
                quality, punctuality, price = (
                    max(1, min(5, r + rng.choice((-1, 0, 0, 1)))) for r in lean
                )
                evaluate(
                    supplier,
                    show,
                    quality=quality,
                    punctuality=punctuality,
                    price=price,
                    notes="展后评估 / Post-show review",
                    staff_id=evaluator.id,
                )
                count += 1
    return count
