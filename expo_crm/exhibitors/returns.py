"""Return on exhibiting (参展效益), per exhibitor per show: booth traffic and leads, their quality,
meetings held, the exhibitor's own survey answers, and what it all cost.

Computed per show with a few set-based queries over every exhibitor of the show at once; the
percentiles compare each exhibitor with those of its hall and of its category (industry)."""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from expo_crm import clock
from expo_crm.db import db
from expo_crm.exhibitors.models import Contract, ContractState, Lead
from expo_crm.exhibitors.services import ExhibitorError, money
from expo_crm.i18n import bilingual
from expo_crm.relationships import value
from expo_crm.shows.models import Show

# Meetings held at the show, from matchmaking when a package offers it: show_id -> {company_id: n}.
_meetings: list[Callable[[int], dict[int, int]]] = []


def meetings_source(fn: Callable[[int], dict[int, int]]) -> Callable[[int], dict[int, int]]:
    """Register where meetings held come from: `fn(show_id) -> {company_id: meetings held}`.
    With none registered, meetings are "not applicable" in every return, never zero."""
    _meetings[:] = [fn]
    return fn


class ReturnError(ExhibitorError):
    """A return or report that cannot be given yet (the show is not over)."""


# A visitor's product interest (its code) matches an exhibitor whose product categories name it.
INTEREST_WORDS = (
    ("hand_tools", "hand tool"),
    ("hand_tools", "手动工具"),
    ("hand_tools", "五金工具"),
    ("power_tools", "power tool"),
    ("power_tools", "电动工具"),
    ("power_tools", "drill"),
    ("fasteners", "fastener"),
    ("fasteners", "bolt"),
    ("fasteners", "screw"),
    ("fasteners", "紧固件"),
    ("locks", "lock"),
    ("locks", "锁"),
    ("building_hardware", "hardware"),
    ("building_hardware", "hinge"),
    ("building_hardware", "五金"),
    ("garden", "garden"),
    ("garden", "园林"),
    ("plumbing", "plumbing"),
    ("plumbing", "faucet"),
    ("plumbing", "卫浴"),
    ("electrical", "electric"),
    ("electrical", "电气"),
)
TRADE_CATEGORIES = ("professional", "vip")
AUTHORITIES = ("decides", "recommends")

RETURN_SQL = """
WITH ex AS (
  SELECT c.id AS contract_id, c.company_id, c.booth_fee, c.discount
  FROM contracts c WHERE c.show_id = :show_id AND c.state = :signed
),
hall AS (
  SELECT ba.company_id, MIN(b.hall) AS hall
  FROM booth_assignments ba JOIN booths b ON b.id = ba.booth_id
  WHERE ba.show_id = :show_id GROUP BY ba.company_id
),
staff AS (
  SELECT company_id, COUNT(*) AS n FROM exhibitor_staff_badges WHERE show_id = :show_id
  GROUP BY company_id
),
interest(code, word) AS (VALUES {interest_values}),
graded AS (
  SELECT l.company_id, l.rating,
         CASE WHEN r.category IN ({trade}) THEN 1 ELSE 0 END AS trade,
         CASE WHEN v.purchasing_authority IN ({authority}) THEN 1 ELSE 0 END AS authority,
         CASE WHEN EXISTS (
           SELECT 1 FROM interest i JOIN companies co ON co.id = l.company_id
           WHERE (',' || COALESCE(v.product_interests, '') || ',') LIKE ('%,' || i.code || ',%')
             AND LOWER(co.product_categories) LIKE ('%' || i.word || '%')
         ) THEN 1 ELSE 0 END AS matched
  FROM exhibitor_leads l
  LEFT JOIN registrations r ON r.id = l.registration_id
  LEFT JOIN visitors v ON v.id = l.visitor_id
  WHERE l.show_id = :show_id
),
leads AS (
  SELECT company_id, COUNT(*) AS n, SUM(trade) AS trade, SUM(authority) AS authority,
         SUM(matched) AS matched,
         SUM(CASE WHEN trade = 1 AND (authority = 1 OR matched = 1) THEN 1 ELSE 0 END) AS qualified,
         AVG(rating * 1.0) AS rating
  FROM graded GROUP BY company_id
),
answers AS (
  SELECT x.company_id, x.satisfaction, x.nps FROM (
    SELECT sr.company_id, sr.satisfaction, sr.nps,
           ROW_NUMBER() OVER (PARTITION BY sr.company_id ORDER BY sr.submitted_at DESC, sr.id DESC) AS rn
    FROM survey_responses sr WHERE sr.show_id = :show_id AND sr.company_id IS NOT NULL
  ) x WHERE x.rn = 1
)
SELECT ex.contract_id, ex.company_id, ex.booth_fee, ex.discount, co.name_zh, co.name_en,
       co.industry, hall.hall, COALESCE(staff.n, 0) AS staff_badges,
       COALESCE(leads.n, 0) AS leads, COALESCE(leads.trade, 0) AS trade,
       COALESCE(leads.authority, 0) AS authority, COALESCE(leads.matched, 0) AS matched,
       COALESCE(leads.qualified, 0) AS qualified, leads.rating,
       answers.satisfaction, answers.nps
FROM ex JOIN companies co ON co.id = ex.company_id
LEFT JOIN hall ON hall.company_id = ex.company_id
LEFT JOIN staff ON staff.company_id = ex.company_id
LEFT JOIN leads ON leads.company_id = ex.company_id
LEFT JOIN answers ON answers.company_id = ex.company_id
ORDER BY ex.company_id
"""


def _quoted(values) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


_SQL = RETURN_SQL.format(
    interest_values=", ".join(f"({_quoted([c])}, {_quoted([w])})" for c, w in INTEREST_WORDS),
    trade=_quoted(TRADE_CATEGORIES),
    authority=_quoted(AUTHORITIES),
)


@dataclass
class Comparison:
    """Where one exhibitor's cost stands among a group's (its hall, its category)."""

    group: str
    peers: int  # exhibitors of the group with a value, this one included
    median: Decimal | None
    percentile: int | None  # share of the others that paid less (0: the cheapest)
    ratio: Decimal | None  # this exhibitor's value / the group median


@dataclass
class ExhibitorReturn:
    show_id: int
    company_id: int
    contract_id: int
    name_zh: str
    name_en: str
    hall: str
    category: str
    staff_badges: int
    leads: int  # badges the exhibitor's staff scanned at the booth (booth traffic)
    trade: int
    authority: int
    matched: int
    qualified: int  # trade visitors with purchasing authority or a matching interest
    average_rating: Decimal | None
    meetings: int | None  # None: no matchmaking at this installation
    satisfaction: Decimal | None
    nps: int | None
    booth_fee: Decimal
    discount: Decimal
    services: Decimal
    cost: Decimal
    cost_per_lead: Decimal | None = None
    cost_per_qualified: Decimal | None = None
    hall_lead: Comparison | None = None
    hall_qualified: Comparison | None = None
    category_lead: Comparison | None = None
    category_qualified: Comparison | None = None
    show_name_zh: str = ""
    show_name_en: str = ""

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)

    @property
    def show_name(self) -> str:
        return bilingual(self.show_name_zh, self.show_name_en)

    def share(self, part: int) -> int | None:
        """A part of the leads in whole percent; None without leads."""
        return round(100 * part / self.leads) if self.leads else None


def per(cost: Decimal, count: int) -> Decimal | None:
    """Cost per one of `count`; None for none."""
    return money(cost / count) if count else None


@dataclass(frozen=True)
class _Group:
    """A group's values of one cost, sorted, and their median: computed once per group."""

    values: list[Decimal]
    median: Decimal | None

    @classmethod
    def of(cls, values: list[Decimal]) -> _Group:
        ordered = sorted(values)
        return cls(ordered, money(statistics.median(ordered)) if ordered else None)


def _compare(group: str, mine: Decimal | None, peers: _Group) -> Comparison:
    values, median = peers.values, peers.median
    if mine is None or not values:
        return Comparison(group, len(values), None, None, None)
    others = len(values) - 1
    cheaper = bisect.bisect_left(values, mine)  # how many paid less
    return Comparison(
        group,
        len(values),
        median,
        round(100 * cheaper / others) if others else None,
        (mine / median).quantize(Decimal("0.1")) if median else None,
    )


def show_returns(show: Show) -> list[ExhibitorReturn]:
    """Every signed exhibitor's return on the show, in a handful of queries."""
    rows = db.session.execute(
        sa.text(_SQL), {"show_id": show.id, "signed": ContractState.signed.value}
    ).all()
    services: dict[int, Decimal] = defaultdict(Decimal)
    for company_id, show_id, _orders, amount in value.service_orders():
        if show_id == show.id:
            services[company_id] += Decimal(amount or 0)
    meetings = _meetings[0](show.id) if _meetings else None
    found = []
    for row in rows:
        booth_fee, discount = money(row.booth_fee), money(row.discount)
        spent = money(services.get(row.company_id, 0))
        cost = money(booth_fee - discount + spent)
        found.append(
            ExhibitorReturn(
                show_id=show.id,
                company_id=row.company_id,
                contract_id=row.contract_id,
                name_zh=row.name_zh or "",
                name_en=row.name_en or "",
                hall=row.hall or "",
                category=row.industry or "",
                staff_badges=int(row.staff_badges),
                leads=int(row.leads),
                trade=int(row.trade),
                authority=int(row.authority),
                matched=int(row.matched),
                qualified=int(row.qualified),
                average_rating=(
                    Decimal(str(row.rating)).quantize(Decimal("0.1"))
                    if row.rating is not None
                    else None
                ),
                meetings=None if meetings is None else int(meetings.get(row.company_id, 0)),
                satisfaction=Decimal(str(row.satisfaction)).quantize(Decimal("0.01"))
                if row.satisfaction is not None
                else None,
                nps=row.nps,
                booth_fee=booth_fee,
                discount=discount,
                services=spent,
                cost=cost,
                cost_per_lead=per(cost, int(row.leads)),
                cost_per_qualified=per(cost, int(row.qualified)),
                show_name_zh=show.name_zh,
                show_name_en=show.name_en,
            )
        )
    _rank(found)
    return found


def _rank(found: list[ExhibitorReturn]) -> None:
    """Each return against its hall's and its category's (sorted once per group: a show's
    thousands of exhibitors in a few halls would otherwise compare every pair)."""
    for key, attribute in (("hall", "hall"), ("category", "category")):
        groups: dict[str, list[ExhibitorReturn]] = defaultdict(list)
        for r in found:
            groups[getattr(r, attribute)].append(r)
        for members in groups.values():
            per_lead = _Group.of([r.cost_per_lead for r in members if r.cost_per_lead is not None])
            per_qualified = _Group.of(
                [r.cost_per_qualified for r in members if r.cost_per_qualified is not None]
            )
            for r in members:
                setattr(r, f"{key}_lead", _compare(key, r.cost_per_lead, per_lead))
                setattr(r, f"{key}_qualified", _compare(key, r.cost_per_qualified, per_qualified))


def company_return(company_id: int, show: Show) -> ExhibitorReturn | None:
    """One exhibitor's return, compared with the others of the show; None without a contract."""
    return next((r for r in show_returns(show) if r.company_id == company_id), None)


def is_over(show: Show, at: datetime | None = None) -> bool:
    """The show's open days are over: its return can be reported."""
    return (at or clock.now()) >= show.local_end(show.open_to)


def final_return(company_id: int, show: Show) -> ExhibitorReturn | None:
    """The return for the post-show report; refused while the show is not over."""
    if not is_over(show):
        raise ReturnError(_("The report is ready once the show is over."))
    return company_return(company_id, show)


def previous_editions(company_id: int, before: Show) -> list[ExhibitorReturn]:
    """The company's returns on the shows it exhibited at before this one, oldest first."""
    shows = db.session.scalars(
        sa.select(Show)
        .join(Contract, Contract.show_id == Show.id)
        .where(
            Contract.company_id == company_id,
            Contract.state == ContractState.signed,
            Show.open_from < before.open_from,
        )
        .order_by(Show.open_from)
    ).all()
    found = [company_return(company_id, show) for show in shows]
    return [r for r in found if r is not None]


@dataclass
class HourCount:
    day: str  # local date, ISO
    hour: int  # local hour of day
    count: int

    @property
    def label(self) -> str:
        return f"{self.day[5:]} {self.hour:02d}:00"


OPEN_HOURS = range(9, 18)  # shown even when empty; any other hour with a scan is added


def traffic_by_hour(company_id: int, show: Show, at: datetime | None = None) -> list[HourCount]:
    """Badges scanned per local hour of each open day so far; hours without a scan count zero."""
    at = at or clock.now()
    moments = db.session.scalars(
        sa.select(Lead.captured_at).where(Lead.company_id == company_id, Lead.show_id == show.id)
    ).all()
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for moment in moments:
        local = moment.astimezone(show.tz)
        counts[(local.date().isoformat(), local.hour)] += 1
    days = []
    day = show.open_from
    while day <= show.open_to and show.local_start(day) <= at:
        days.append(day.isoformat())
        day += timedelta(days=1)
    days = sorted(set(days) | {d for d, _h in counts})
    hours = sorted(set(OPEN_HOURS) | {h for _d, h in counts})
    return [HourCount(d, h, counts.get((d, h), 0)) for d in days for h in hours]
