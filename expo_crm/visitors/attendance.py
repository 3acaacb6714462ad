"""Attendance figures for a show: registered vs checked in, by dimension and by hour (set-based)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from babel import Locale
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from expo_crm import charts, clock
from expo_crm.db import db
from expo_crm.relationships.value import value_source
from expo_crm.shows.models import Show
from expo_crm.subjects import SubjectKind
from expo_crm.surveys.campaigns import Audience, Recipient, language_of, register_audience
from expo_crm.surveys.models import Segment
from expo_crm.visitors.models import (
    Industry,
    Registration,
    RegistrationCategory,
    RegistrationState,
    Visitor,
)
from expo_crm.visitors.services import checked_in_registrations


def _grouped(show_id: int, column) -> list[tuple]:
    return db.session.execute(
        sa.select(
            column, sa.func.count(Registration.id), sa.func.count(Registration.first_checked_in_at)
        )
        .select_from(Registration)
        .join(Visitor, Visitor.id == Registration.visitor_id)
        .where(Registration.show_id == show_id, Registration.state == RegistrationState.active)
        .group_by(column)
        .order_by(sa.func.count(Registration.id).desc())
    ).all()


def _country_name(code: str | None) -> str:
    if not code:
        return "—"
    locale = Locale.parse(str(get_locale() or "zh"))
    return locale.territories.get(code, code)


def _utc_hour(column):
    """The UTC hour a timestamp falls in, as text, computed by the database."""
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.strftime("%Y-%m-%d %H:00:00", column)
    return sa.func.to_char(
        sa.func.date_trunc("hour", sa.func.timezone("UTC", column)), "YYYY-MM-DD HH24:00:00"
    )


def _arrivals_per_hour(show: Show) -> Counter:
    """First entries counted per hour in the database, labelled in the show's time zone; every
    hour from the first arrival to the last is there, an hour nobody arrived in as zero."""
    hour = _utc_hour(Registration.first_checked_in_at)
    counts = db.session.execute(
        sa.select(hour, sa.func.count())
        .where(Registration.show_id == show.id, Registration.first_checked_in_at.is_not(None))
        .group_by(hour)
    ).all()
    per_hour = {
        datetime.strptime(utc_hour, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC): count
        for utc_hour, count in counts
    }
    arrivals: Counter = Counter()
    if per_hour:
        moment, last = min(per_hour), max(per_hour)
        while moment <= last:
            arrivals[moment.astimezone(show.tz).strftime("%m-%d %H:00")] += per_hour.get(moment, 0)
            moment += timedelta(hours=1)
    return arrivals


def figures(show: Show) -> dict:
    def rows(pairs, label):
        return [
            {
                "key": str(key) if key is not None else "",
                "label": label(key),
                "registered": reg,
                "checked_in": inn,
            }
            for key, reg, inn in pairs
        ]

    by_category = rows(
        _grouped(show.id, Registration.category),
        lambda k: RegistrationCategory(k).label if k else "—",
    )
    by_industry = rows(
        _grouped(show.id, Visitor.industry), lambda k: Industry(k).label if k else "—"
    )
    by_country = rows(_grouped(show.id, Visitor.country), _country_name)[:12]
    gates = db.session.execute(
        sa.select(Registration.first_gate, sa.func.count(Registration.id))
        .where(Registration.show_id == show.id, Registration.first_gate.is_not(None))
        .group_by(Registration.first_gate)
        .order_by(Registration.first_gate)
    ).all()
    arrivals = _arrivals_per_hour(show)
    totals = db.session.execute(
        sa.select(
            sa.func.count(Registration.id),
            sa.func.count(Registration.first_checked_in_at),
            sa.func.coalesce(sa.func.sum(sa.case((Registration.inside.is_(True), 1), else_=0)), 0),
        ).where(Registration.show_id == show.id, Registration.state == RegistrationState.active)
    ).one()
    return {
        "show_id": show.id,
        "registered": totals[0],
        "checked_in": totals[1],
        "inside": int(totals[2]),
        "by_category": by_category,
        "by_industry": by_industry,
        "by_country": by_country,
        "by_gate": [{"key": gate, "label": gate, "checked_in": count} for gate, count in gates],
        "arrivals": [{"hour": hour, "count": arrivals[hour]} for hour in sorted(arrivals)],
        "by_day": _by_day(arrivals),
    }


def _by_day(arrivals: Counter) -> list[dict]:
    days: Counter = Counter()
    for hour, count in arrivals.items():
        days[hour[:5]] += count
    return [{"day": day, "count": days[day]} for day in sorted(days)]


def chart_specs(figures: dict) -> dict:
    """The attendance page's charts, from its figures (the page and its live endpoint alike)."""
    checked_in, registered = _("Checked in"), _("Registered")

    def by(key: str, title: str, category_name: str) -> dict:
        rows = figures[key]
        series = [(checked_in, [r["checked_in"] for r in rows])]
        if rows and "registered" in rows[0]:
            series.insert(0, (registered, [r["registered"] for r in rows]))
        return charts.series_chart(
            "hbar", title, [r["label"] for r in rows], series, category_name=category_name
        )

    hours = figures["arrivals"]
    days = figures["by_day"]
    return {
        "arrivals": charts.series_chart(
            "bar",
            _("Arrivals per hour"),
            [h["hour"] for h in hours],
            [(_("First entries"), [h["count"] for h in hours])],
            category_name=_("Hour"),
            value_name=_("Visitors"),
        ),
        "by_day": charts.series_chart(
            "bar",
            _("Arrivals per day"),
            [d["day"] for d in days],
            [(_("First entries"), [d["count"] for d in days])],
            category_name=_("Day"),
            value_name=_("Visitors"),
        ),
        "by_gate": by("by_gate", _("First entries by gate"), _("Gate")),
        "by_category": by("by_category", _("By category"), _("Category")),
        "by_industry": by("by_industry", _("By industry"), _("Industry")),
        "by_country": by("by_country", _("By country or region"), _("Country or region")),
    }


# The live endpoint's answer is shared for this long per show and language. Staff pages poll
# it every 15 s, several at once, and at opening time each computation costs a few hundred ms
# of the same workers the gates need; shared, a new scan still shows within these seconds.
LIVE_MAX_AGE = timedelta(seconds=5)


class _LiveAnswers:
    """The live JSON per (show, language) with the time it was computed, in this process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.computing: dict[tuple[int, str], threading.Lock] = {}
        self.answers: dict[tuple[int, str], tuple[datetime, str]] = {}


def live_json(show: Show) -> str:
    """The live endpoint's JSON text (figures and charts in the reader's language, when they
    were computed and how old they may be), computed at most once per `LIVE_MAX_AGE` per show
    and language in this process; a request that finds it being computed waits for it. The
    text is kept, not the figures, so each language's labels stay as they were rendered."""
    key = (show.id, str(get_locale()))
    shared = current_app.extensions.setdefault("attendance.live", _LiveAnswers())
    with shared.lock:
        computing = shared.computing.setdefault(key, threading.Lock())
    with computing:
        found = shared.answers.get(key)
        now = clock.now()
        if found is None or not found[0] <= now < found[0] + LIVE_MAX_AGE:
            data = figures(show)
            data["charts"] = chart_specs(data)
            data["as_of"] = now.isoformat()
            data["max_age_seconds"] = int(LIVE_MAX_AGE.total_seconds())
            found = shared.answers[key] = (now, current_app.json.dumps(data) + "\n")
        return found[1]


@value_source("checked_in_visitors")
def checked_in_visitors() -> list[tuple[int, int, str]]:
    """(visitor_id, show_id, category label) of every registration that came."""
    return [
        (visitor_id, show_id, category.label if category is not None else "")
        for visitor_id, show_id, category in db.session.execute(
            sa.select(Registration.visitor_id, Registration.show_id, Registration.category).where(
                Registration.first_checked_in_at.is_not(None)
            )
        )
    ]


@value_source("attendance_query")
def attendance_query() -> sa.Select:
    """(visitor_id, show_id, category code as segment) of every registration that came, as a
    query the nightly run builds on."""
    category = sa.type_coerce(Registration.category, sa.String)
    return sa.select(
        Registration.visitor_id, Registration.show_id, category.label("segment")
    ).where(Registration.first_checked_in_at.is_not(None))


@value_source("referral_query")
def referral_query() -> sa.Select:
    """(show_id) of every registration made through a referral code."""
    return sa.select(Registration.show_id).where(Registration.referral_code_id.is_not(None))


@value_source("registration_categories")
def registration_categories() -> dict[str, str]:
    """Each category code with its label in the reader's language."""
    return {category.value: category.label for category in RegistrationCategory}


def _survey_recipients(show_id: int) -> list[Recipient]:
    found: list[Recipient] = []
    seen: set[int] = set()
    for registration in checked_in_registrations(show_id):
        category = getattr(registration.category, "value", registration.category)
        if category == "exhibitor_staff" or registration.visitor_id in seen:
            continue  # exhibitor staff answer through their company
        seen.add(registration.visitor_id)
        visitor = registration.visitor
        found.append(
            Recipient(
                SubjectKind.visitor,
                visitor.id,
                visitor.email,
                visitor.name,
                language_of(visitor.locale),
                Segment.visitor,
                category,
            )
        )
    return found


def _category_label(key: str) -> str | None:
    return RegistrationCategory(key).label if key in RegistrationCategory.__members__ else None


register_audience(
    Segment.visitor,
    Audience(recipients=_survey_recipients, category_label=_category_label),
)
