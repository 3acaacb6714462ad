"""The post-show performance report of one exhibitor (PDF, in its language, charts as SVG) and
the organiser's table of every exhibitor's return on a show."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from expo_crm.documents.pdf import render_pdf
from expo_crm.exhibitors import leads as lead_services
from expo_crm.exhibitors import returns
from expo_crm.exhibitors.models import Company, Contact
from expo_crm.exhibitors.services import money
from expo_crm.shows.models import Show


def language_of(company: Company, contact: Contact | None = None) -> str:
    """The exhibitor's language: its primary contact's, else Chinese."""
    contact = contact or company.primary_contact
    return contact.locale if contact is not None and contact.locale in ("zh", "en") else "zh"


def render_report_pdf(company: Company, show: Show, language: str) -> bytes:
    """The report in one language; refused (ReturnError) while the show is not over."""
    # Jobs render outside any request; the page context processors expect one.
    context = nullcontext() if has_request_context() else current_app.test_request_context()
    with context, force_locale(language):
        result = returns.final_return(company.id, show)
        if result is None:
            raise returns.ReturnError(str(_l("This company did not exhibit at this show.")))
        hours = returns.traffic_by_hour(company.id, show)
        return render_pdf(
            "exhibitors/return_report.html",
            language=language,
            pdf_language=language,
            company=company,
            show=show,
            r=result,
            hours=hours,
            max_hour=max((h.count for h in hours), default=0),
            quality=quality_bars(result),
            leads=lead_services.leads(company.id, show.id),
            history=returns.previous_editions(company.id, show),
        )


def quality_bars(r: returns.ExhibitorReturn) -> list[tuple[str, int]]:
    return [
        (str(_l("Leads")), r.leads),
        (str(_l("Trade visitors")), r.trade),
        (str(_l("With purchasing authority")), r.authority),
        (str(_l("Interested in your products")), r.matched),
        (str(_l("Qualified leads")), r.qualified),
    ]


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    value: object  # ExhibitorReturn -> the cell


def _comparison(name: str, part: str):
    def cell(r: returns.ExhibitorReturn):
        found = getattr(r, name)
        return getattr(found, part) if found is not None else None

    return cell


COLUMNS = (
    Column("name", _l("Exhibitor"), lambda r: r.name),
    Column("hall", _l("Hall"), lambda r: r.hall),
    Column("category", _l("Category"), lambda r: r.category),
    Column("staff_badges", _l("Staff badges"), lambda r: r.staff_badges),
    Column("leads", _l("Leads"), lambda r: r.leads),
    Column("trade", _l("Trade visitors"), lambda r: r.trade),
    Column("authority", _l("With purchasing authority"), lambda r: r.authority),
    Column("matched", _l("Interested in your products"), lambda r: r.matched),
    Column("qualified", _l("Qualified leads"), lambda r: r.qualified),
    Column("meetings", _l("Meetings held"), lambda r: r.meetings),
    Column("satisfaction", _l("Satisfaction (1–5)"), lambda r: r.satisfaction),
    Column("nps", _l("NPS answer"), lambda r: r.nps),
    Column("cost", _l("Cost (CNY)"), lambda r: r.cost),
    Column("cost_per_lead", _l("Cost per lead (CNY)"), lambda r: r.cost_per_lead),
    Column(
        "cost_per_qualified", _l("Cost per qualified lead (CNY)"), lambda r: r.cost_per_qualified
    ),
    Column(
        "hall_percentile",
        _l("Percentile in hall (0: lowest cost per qualified lead)"),
        _comparison("hall_qualified", "percentile"),
    ),
    Column(
        "category_percentile",
        _l("Percentile in category (0: lowest cost per qualified lead)"),
        _comparison("category_qualified", "percentile"),
    ),
)
BY_KEY = {c.key: c for c in COLUMNS}


def organiser_rows(
    show: Show, sort: str = "name", descending: bool = False
) -> list[returns.ExhibitorReturn]:
    """Every exhibitor's return on the show, sorted by a column; empty values always last."""
    column = BY_KEY.get(sort, BY_KEY["name"])
    valued = [(column.value(r), r) for r in returns.show_returns(show)]  # each cell once
    present = [(v, r) for v, r in valued if v is not None]
    missing = [r for v, r in valued if v is None]
    present.sort(key=lambda pair: (pair[0], pair[1].company_id), reverse=descending)
    return [r for _v, r in present] + missing


SUMMED = ("staff_badges", "leads", "trade", "authority", "matched", "qualified")


def summary(rows: list[returns.ExhibitorReturn]) -> dict[str, object]:
    """The show's row under the table, by column key: counts and cost summed, the show's cost
    per lead and per qualified lead, the mean satisfaction answered; meetings summed where
    matchmaking runs. Summed from the rows the table is sorted from (they are all read anyway:
    the percentiles and costs need every exhibitor), so it always agrees with them."""
    found: dict[str, object] = {key: sum(getattr(r, key) for r in rows) for key in SUMMED}
    meetings = [r.meetings for r in rows if r.meetings is not None]
    found["meetings"] = sum(meetings) if meetings else None
    found["cost"] = money(sum((r.cost for r in rows), Decimal(0)))
    found["cost_per_lead"] = returns.per(found["cost"], found["leads"])
    found["cost_per_qualified"] = returns.per(found["cost"], found["qualified"])
    answered = [r.satisfaction for r in rows if r.satisfaction is not None]
    found["satisfaction"] = (
        (sum(answered) / len(answered)).quantize(Decimal("0.01")) if answered else None
    )
    return found


def organiser_table(show: Show) -> tuple[list[str], list[list]]:
    """The organiser's table as an export: a header row and one row per exhibitor."""
    rows = organiser_rows(show)
    return [str(c.label) for c in COLUMNS], [[c.value(r) for c in COLUMNS] for r in rows]
