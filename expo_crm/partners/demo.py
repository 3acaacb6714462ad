"""Demo partners: associations, media, sponsors, a co-organiser, a government body and overseas
agents; agreements per edition with deliverables (done, pending, one overdue); referral codes
with the demo visitors who registered through them; sponsorship packages, some sold out.

Runs after the visitors demo data (their registrations are attributed to the partners' codes)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.partners import jobs, services
from expo_crm.partners.models import AgreementState, DeliverableState

# (kind, Chinese name, English name, contact, email domain, code prefix, locale)
PARTNERS = (
    (
        "association",
        "中国五金制品协会",
        "China National Hardware Association",
        "郑国华",
        "cnha",
        "CNHA",
        "zh",
    ),
    (
        "association",
        "浙江省五金行业协会",
        "Zhejiang Hardware Industry Association",
        "钱丽",
        "zjhia",
        "ZJHA",
        "zh",
    ),
    ("media", "五金商情杂志", "Hardware Business Weekly", "Emily Zhou", "hwweekly", "HBW", "en"),
    ("media", "中国建材网", "China Building Materials Online", "冯涛", "cbmol", "CBM", "zh"),
    ("sponsor", "永康博力电动工具", "Yongkang Boli Power Tools", "何军", "boli", "BOLI", "zh"),
    (
        "sponsor",
        "Brennwald Werkzeuge GmbH",
        "Brennwald Werkzeuge GmbH",
        "Jonas Keller",
        "brennwald",
        "BRW",
        "en",
    ),
    (
        "co_organiser",
        "上海国际展览有限公司",
        "Shanghai International Exhibition Co.",
        "蒋文",
        "siec",
        "SIEC",
        "zh",
    ),
    (
        "government",
        "上海市商务委员会",
        "Shanghai Municipal Commission of Commerce",
        "沈建明",
        "scofcom",
        "SCOFCOM",
        "zh",
    ),
    ("overseas_agent", "", "Euro Trade Fair Agency", "Marta Rossi", "eurotfa", "EUTFA", "en"),
    ("overseas_agent", "", "Gulf Expo Partners", "Omar Haddad", "gulfexpo", "GULF", "en"),
)
# kind -> the deliverables its agreements promise (kind, description, days before the show opens)
DELIVERABLES = {
    "association": (
        ("member_mailing", "致会员邀请函 / Invitation mailing to members", 45),
        ("buyer_delegation", "组织采购商团 / Buyer delegation of 30", 7),
    ),
    "media": (
        ("advertising", "整版广告两期 / Two full-page advertisements", 30),
        ("logo_placement", "官网首页合作媒体标志 / Logo on the show website", 60),
    ),
    "sponsor": (("logo_placement", "入口拱门标志 / Logo on the entrance arch", 5),),
    "co_organiser": (("booth_discount", "会员展位九折 / 10 % booth discount for members", 90),),
    "government": (("other", "开幕式致辞安排 / Opening ceremony address", 3),),
    "overseas_agent": (
        ("buyer_delegation", "海外买家团 / Overseas buyer delegation", 14),
        ("member_mailing", "海外推广邮件 / Overseas promotion mailing", 40),
    ),
}
PACKAGES = (
    (
        "钻石赞助",
        "Diamond sponsor",
        "380000",
        1,
        "开幕式冠名、入口拱门、会刊封面 / Opening ceremony naming, entrance arch, catalogue cover",
    ),
    (
        "金牌赞助",
        "Gold sponsor",
        "150000",
        3,
        "展馆吊旗、官网首页标志 / Hall banners, logo on the show website",
    ),
    (
        "银牌赞助",
        "Silver sponsor",
        "60000",
        6,
        "会刊内页广告、胸卡挂绳标志 / Catalogue advertisement, logo on lanyards",
    ),
)


def seed(ctx) -> None:
    rng = ctx.rng
    owners = ctx.staff.get("marketing") or ctx.staff["admin"]
    partners = []
    for n, (kind, zh, en, contact, domain, prefix, locale) in enumerate(PARTNERS):
        partner = services.create_partner(
            name_zh=zh,
            name_en=en,
            kind=kind,
            contact_name=contact,
            email=f"contact@{domain}.demo.org",
            phone=f"+86 10 {rng.randint(6000, 8999)} {rng.randint(1000, 9999)}",
            locale=locale,
            website=f"https://www.{domain}.demo.org",
            owner_id=owners[n % len(owners)].id,
        )
        partners.append((partner, prefix))
    db.session.flush()
    deliverables = sum(_agreements(ctx, partner) for partner, _prefix in partners)
    attributed = _referrals(ctx, partners)
    sold = _sponsorship(ctx, [p for p, _prefix in partners if p.kind.value == "sponsor"])
    db.session.commit()
    alerts = jobs.overdue_deliverable_alerts(clock.now())
    ctx.notes.append(
        f"partners: {len(partners)} partners, {deliverables} deliverables ({alerts} overdue), "
        f"{attributed} referred registrations, {sold} sponsorships sold"
    )


def _agreements(ctx, partner) -> int:
    today = clock.now().date()
    count = 0
    for show in (ctx.past, ctx.current, ctx.future):
        agreement = services.create_agreement(
            partner,
            show,
            title=f"{show.code} 合作协议 / Cooperation agreement",
            signed_on=show.open_from - timedelta(days=150),
        )
        for n, (kind, description, days_before) in enumerate(DELIVERABLES[partner.kind.value]):
            due = show.open_from - timedelta(days=days_before)
            deliverable = services.add_deliverable(
                agreement, kind=kind, due_date=due, description=description
            )
            count += 1
            # Past promises were kept; one of today's show's is still outstanding (overdue).
            keep = due < today and not (
                show is ctx.current and n == 0 and partner.kind.value == "media"
            )
            if keep:
                services.set_deliverable_state(deliverable, DeliverableState.done)
                deliverable.done_at = show.local_start(due)
        if show is ctx.past:
            services.set_agreement_state(agreement, AgreementState.completed)
    return count


def _referrals(ctx, partners) -> int:
    """Each partner gets a code per edition; a share of that edition's registrations came through it."""
    from expo_crm.visitors.models import Registration

    rng = ctx.rng
    attributed = 0
    for show in ctx.shows:
        codes = [
            services.create_referral_code(
                partner,
                show,
                code=f"{prefix}-{show.code}",
                label="官网与会员通讯 / Website and member newsletter",
            )
            for partner, prefix in partners
            if partner.kind.value != "government"
        ]
        ids = list(
            db.session.scalars(
                sa.select(Registration.id)
                .where(Registration.show_id == show.id)
                .order_by(Registration.id)
            )
        )
        chosen = rng.sample(ids, int(len(ids) * 0.3))
        weights = [rng.randint(1, 6) for _ in codes]
        for registration_id in chosen:
            code = rng.choices(codes, weights=weights)[0]
            db.session.execute(
                sa.update(Registration)
                .where(Registration.id == registration_id)
                .values(referral_code_id=code.id)
            )
            attributed += 1
    return attributed


def _sponsorship(ctx, sponsors) -> int:
    sold = 0
    for show in (ctx.past, ctx.current, ctx.future):
        packages = [
            services.create_package(
                show, level_zh=zh, level_en=en, price=Decimal(price), total=total, benefits=benefits
            )
            for zh, en, price, total, benefits in PACKAGES
        ]
        # The diamond package sells out every year; the gold one once per sponsor.
        for package, buyers in ((packages[0], sponsors[:1]), (packages[1], sponsors)):
            for partner in buyers:
                sponsorship = services.sell_package(package, partner)
                sponsorship.sold_at = show.local_start(show.open_from) - timedelta(days=120)
                sold += 1
    return sold
