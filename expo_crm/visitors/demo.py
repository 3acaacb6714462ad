"""Demo visitors: Chinese and English names, registrations across the four editions, check-ins
at past shows and today's, scans at several gates, and one gate device token (in ctx.notes).
Each visitor seeks categories of the tree that follow its product interests, states its buying
intent, and most agree to be contacted for meetings (what matchmaking reads)."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from expo_crm import clock
from expo_crm.auth.services import create_device_token
from expo_crm.db import db
from expo_crm.relationships.services import log_interaction
from expo_crm.visitors import services
from expo_crm.visitors.models import (
    CHECKED_IN,
    PRODUCT_INTERESTS,
    BuyingIntent,
    HowHeard,
    Industry,
    JobFunction,
    PurchasingAuthority,
    Scan,
    ScanDirection,
    ScanResult,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "海燕",
    "建华",
)
FIRST = (
    "James",
    "Anna",
    "Lukas",
    "Maria",
    "Ahmed",
    "Sofia",
    "Kenji",
    "Priya",
    "Daniel",
    "Elena",
    "Tom",
    "Yuki",
)
LAST = (
    "Smith",
    "Müller",
    "Rossi",
    "Khan",
    "Tanaka",
    "Novak",
    "Garcia",
    "Brown",
    "Kim",
    "Silva",
    "Ivanova",
    "Jones",
)
COMPANIES_ZH = (
    "上海五金贸易有限公司",
    "宁波工具制造厂",
    "广州建材集团",
    "义乌小商品进出口公司",
    "苏州精密机械",
    "深圳智能锁业",
)
COMPANIES_EN = (
    "Hardware Direct GmbH",
    "ToolPoint Ltd",
    "BuildMart Inc.",
    "Nordic Fasteners AB",
    "Osaka Tools KK",
)
COUNTRIES = ("CN",) * 8 + ("HK", "TW", "JP", "KR", "DE", "US", "IT", "IN", "AE", "RU")
GATES = ("W1", "W2", "E1", "E2", "N1")
CHECK_IN_SHARE = {"earlier": 0.75, "past": 0.8, "current": 0.45}
REGISTER_SHARE = {"earlier": 0.35, "past": 0.5, "current": 0.6, "future": 0.35}
# The categories (codes of categories/demo.py) a product interest leads a visitor to seek.
SOUGHT = {
    "hand_tools": ("TOOLS.HAND", "TOOLS.MEASURE"),
    "power_tools": ("POWER.DRILL", "POWER.CORDLESS"),
    "fasteners": ("FAST.BOLT", "FAST.ANCHOR"),
    "locks": ("LOCK.SMART", "LOCK.DOOR"),
    "building_hardware": ("FIT.HINGE", "FIT.HANDLE"),
    "garden": ("GARDEN.PRUNE", "GARDEN.SPRAY"),
    "plumbing": ("BATH.FAUCET", "BATH.SHOWER"),
    "electrical": ("WELD.MACHINE", "POWER.GRIND"),
}
MEETING_CONSENT = 0.65


def seed(ctx) -> None:
    services.ensure_default_rules()
    rng = ctx.rng
    now = clock.now()
    token, secret = create_device_token(ctx.current.id, "Demo gate W1", "gate")
    scans: list[Scan] = []
    # Its own stream, so the names, registrations and check-ins stay those they always were.
    profile_rng = random.Random(2027)
    categories = ctx.categories
    for n in range(ctx.visitors):
        chinese = rng.random() < 0.7
        if chinese:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            company, locale, country = rng.choice(COMPANIES_ZH), "zh", "CN"
        else:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            company, locale, country = rng.choice(COMPANIES_EN), "en", rng.choice(COUNTRIES[8:])
        details = {
            "name": name,
            "company": company,
            "locale": locale,
            "country": country,
            "job_title": rng.choice(
                ("采购经理", "总经理", "Buyer", "Engineer", "Sales Director", "")
            ),
            "mobile": f"+86 13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
            "industry": rng.choice(list(Industry)).value,
            "job_function": rng.choice(list(JobFunction)).value,
            "purchasing_authority": rng.choice(list(PurchasingAuthority)).value,
            "how_heard": rng.choice(list(HowHeard)).value,
            "product_interests": rng.sample(list(PRODUCT_INTERESTS), rng.randint(1, 3)),
        }
        details |= _profile(profile_rng, details["product_interests"], categories)
        meeting_consent = profile_rng.random() < MEETING_CONSENT
        email = f"visitor{n + 1}@demo-visitor.cn"
        for key, show in (
            ("earlier", ctx.earlier),
            ("past", ctx.past),
            ("current", ctx.current),
            ("future", ctx.future),
        ):
            if rng.random() >= REGISTER_SHARE[key]:
                continue
            registration = services.register(
                show,
                email=email,
                details=details,
                terms_accepted=True,
                share_contact=rng.random() < 0.7,
                marketing_consent=rng.random() < 0.6,
                meeting_consent=meeting_consent,
                send_email=False,
                check_open=False,
            ).registration
            registration.created_at = show.local_start(show.open_from) - timedelta(
                days=rng.randint(2, 60)
            )
            registration.badge_sent_at = registration.created_at
            if key in CHECK_IN_SHARE and rng.random() < CHECK_IN_SHARE[key]:
                _check_in(
                    ctx, key, show, registration, token.id if key == "current" else None, now, scans
                )
        if n % 100 == 99:
            db.session.flush()
    db.session.add_all(scans)
    db.session.flush()
    ctx.notes.append(
        f"visitors: {ctx.visitors} visitors; gate device token for {ctx.current.code} (show {ctx.current.id}): {secret}"
    )


def _profile(rng: random.Random, interests: list[str], categories: dict[str, int]) -> dict:
    """What matchmaking reads of a visitor: its buying intent and the categories it seeks."""
    sought = [rng.choice(SOUGHT[interest]) for interest in interests]
    return {
        "buying_intent": rng.choice(list(BuyingIntent)).value,
        "sought_categories": [categories[code] for code in sought if code in categories],
    }


def _check_in(
    ctx, key: str, show, registration, token_id: int | None, now: datetime, scans: list
) -> None:
    rng = ctx.rng
    day = show.open_from + timedelta(days=rng.randint(0, (show.open_to - show.open_from).days))
    at = show.local_start(day) + timedelta(hours=rng.uniform(9, 16))
    if at >= now:
        # Today at the current show: arrivals spread over the hours up to now, but never before
        # the local day began (a demo started just after midnight still has today's arrivals).
        at = max(
            now - timedelta(minutes=rng.randint(5, 240)), show.local_start(show.local_date(now))
        )
    gate = rng.choice(GATES)
    registration.first_checked_in_at, registration.first_gate = at, gate
    registration.entry_count = 1
    registration.last_scan_at = at
    registration.inside = (
        key == "current" and show.local_date(at) == show.local_date(now) and rng.random() < 0.8
    )
    badge = registration.active_badge
    device_key = f"token:{token_id}" if token_id else f"demo:{show.code}"

    def scan(moment, direction, result, where):
        scans.append(
            Scan(
                show_id=show.id,
                badge_id=badge.id,
                registration_id=registration.id,
                gate=where,
                device_token_id=token_id,
                device_key=device_key,
                direction=direction,
                result=result,
                nonce=str(uuid.UUID(int=rng.getrandbits(128))),
                at=moment,
                received_at=moment,
            )
        )

    scan(at, ScanDirection.entry, ScanResult.admitted, gate)
    if rng.random() < 0.1:
        scan(
            at + timedelta(minutes=1),
            ScanDirection.entry,
            ScanResult.already_inside,
            rng.choice(GATES),
        )
    if not registration.inside and key != "current":
        scan(
            at + timedelta(hours=rng.uniform(1, 5)),
            ScanDirection.exit,
            ScanResult.exited,
            rng.choice(GATES),
        )
    log_interaction(
        "visitor",
        registration.visitor_id,
        channel="gate",
        direction="inbound",
        event=CHECKED_IN,
        params={"gate": gate},
        show_id=show.id,
        occurred_at=at,
        source_key=f"checkin:{registration.id}",
    )
