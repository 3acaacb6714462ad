"""Thresholds of the life cycle, health score, complaints and value rules (docs/domain.md).

Defaults live here; an administrator overrides them on the settings page (table
lifecycle_settings). Every rule reads them through `current()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm import clock
from expo_crm.db import db
from expo_crm.errors import UserError
from expo_crm.relationships.models import LifecycleSetting


@dataclass(frozen=True)
class Setting:
    key: str
    default: Decimal
    label: object
    minimum: Decimal = Decimal(0)
    maximum: Decimal | None = None
    optional: bool = False  # blank means "measure it" (retention rate)


def _d(text: str) -> Decimal:
    return Decimal(text)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "satisfaction_min",
        _d("3.5"),
        _l("Satisfaction below this is a warning (1–5)"),
        _d(1),
        _d(5),
    ),
    Setting("nps_min", _d("7"), _l("NPS answer below this is a warning (0–10)"), _d(0), _d(10)),
    Setting(
        "no_contact_days",
        _d("180"),
        _l("Days without any interaction before it is a warning"),
        _d(1),
        _d(3650),
    ),
    Setting(
        "benefit_cost_ratio",
        _d("2.5"),
        _l(
            "Benefit small, cost large: an exhibitor's cost per qualified lead at this multiple"
            " of its hall's median or more is a warning"
        ),
        _d(1),
        _d(100),
    ),
    Setting(
        "benefit_min_peers",
        _d("3"),
        _l("Exhibitors with qualified leads a hall needs before costs are compared"),
        _d(2),
        _d(1000),
    ),
    Setting(
        "churn_risk_min",
        _d("0.6"),
        _l("Predicted churn probability from which it is an early warning (0–1)"),
        _d(0),
        _d(1),
    ),
    Setting("trust_editions", _d("2"), _l("Editions attended to reach trust"), _d(2), _d(20)),
    Setting(
        "loss_missed_editions",
        _d("2"),
        _l("Editions missed in a row that mean loss"),
        _d(1),
        _d(10),
    ),
    Setting(
        "sla_hours_low", _d("168"), _l("Complaint SLA in hours: low severity"), _d(1), _d(2000)
    ),
    Setting(
        "sla_hours_medium", _d("72"), _l("Complaint SLA in hours: medium severity"), _d(1), _d(2000)
    ),
    Setting(
        "sla_hours_high", _d("24"), _l("Complaint SLA in hours: high severity"), _d(1), _d(2000)
    ),
    Setting(
        "sla_hours_critical",
        _d("8"),
        _l("Complaint SLA in hours: critical severity"),
        _d(1),
        _d(2000),
    ),
    Setting(
        "behaviour_weight",
        _d("0.5"),
        _l("Weight of behaviour in the health score (the rest is feeling)"),
        _d(0),
        _d(1),
    ),
    Setting(
        "spend_reference",
        _d("200000"),
        _l("Spend per customer that scores full marks (CNY)"),
        _d(1),
    ),
    Setting(
        "margin_rate",
        _d("0.35"),
        _l("Margin on booth fees net of discounts (m of the CLV)"),
        _d(0),
        _d(1),
    ),
    Setting(
        "service_margin_rate",
        _d("0.15"),
        _l("Margin on exhibitors' service orders"),
        _d(0),
        _d(1),
    ),
    Setting(
        "visitor_edition_value",
        _d("300"),
        _l("Profit a trade visitor brings per edition attended (CNY)"),
        _d(0),
    ),
    Setting(
        "meeting_value",
        _d("100"),
        _l("Profit each business meeting a trade visitor held adds to that edition (CNY)"),
        _d(0),
    ),
    Setting(
        "partner_edition_value",
        _d("5000"),
        _l("Profit a partner's agreement brings per edition (CNY)"),
        _d(0),
    ),
    Setting("complaint_cost", _d("500"), _l("Cost to serve: one complaint handled (CNY)"), _d(0)),
    Setting(
        "contact_cost",
        _d("60"),
        _l("Cost to serve: one contact staff logged on the timeline (CNY)"),
        _d(0),
    ),
    Setting(
        "discount_rate", _d("0.10"), _l("Discount rate i of the CLV (below 1)"), _d(0), _d("0.99")
    ),
    Setting(
        "retention_rate",
        _d("0"),
        _l("Retention rate r of the CLV (blank: measured per customer and segment)"),
        _d(0),
        _d("0.99"),
        True,
    ),
    Setting(
        "retention_prior",
        _d("0.5"),
        _l("Retention rate assumed before any edition has been measured"),
        _d(0),
        _d("0.99"),
    ),
    Setting(
        "retention_credibility",
        _d("5"),
        _l("Credibility k: editions of evidence that weigh as much as the segment"),
        _d("0.1"),
        _d(1000),
    ),
    Setting(
        "current_window_days",
        _d("365"),
        _l("Days an edition's value stays current after it closes"),
        _d(30),
        _d(1095),
    ),
    Setting(
        "visitor_value", _d("800"), _l("Average purchase value of a referred visitor (CNY)"), _d(0)
    ),
    Setting(
        "pyramid_key_share", _d("0.5"), _l("Value share held by key customers"), _d("0.01"), _d(1)
    ),
    Setting(
        "pyramid_major_share",
        _d("0.8"),
        _l("Value share held by key and major customers together"),
        _d("0.01"),
        _d(1),
    ),
    Setting(
        "pyramid_ordinary_share",
        _d("0.95"),
        _l("Value share held by key, major and ordinary customers"),
        _d("0.01"),
        _d(1),
    ),
)

# The value matrix: from these values on, a customer's current / potential value counts as high.
CLASS_THRESHOLDS = {
    "exhibitor": (_d("10000"), _d("20000")),
    "visitor": (_d("300"), _d("600")),
    "partner": (_d("5000"), _d("10000")),
}
KIND_LABELS = {"exhibitor": _l("exhibitors"), "visitor": _l("visitors"), "partner": _l("partners")}
SETTINGS += tuple(
    Setting(
        f"class_{part}_{kind}",
        default,
        label,
        _d(0),
    )
    for kind, (current, potential) in CLASS_THRESHOLDS.items()
    for part, default, label in (
        (
            "current",
            current,
            _l("Value matrix: high current value of %(kind)s from (CNY)", kind=KIND_LABELS[kind]),
        ),
        (
            "potential",
            potential,
            _l("Value matrix: high potential value of %(kind)s from (CNY)", kind=KIND_LABELS[kind]),
        ),
    )
)
# Complaint SLA by tier of the value pyramid: the severity's hours times this factor.
SETTINGS += tuple(
    Setting(f"sla_factor_{tier}", default, label, _d("0.1"), _d(2))
    for tier, default, label in (
        ("key", _d("0.5"), _l("Complaint SLA factor for key customers")),
        ("major", _d("0.75"), _l("Complaint SLA factor for major customers")),
        ("ordinary", _d("1"), _l("Complaint SLA factor for ordinary customers")),
        ("small", _d("1"), _l("Complaint SLA factor for small customers")),
    )
)

BY_KEY = {s.key: s for s in SETTINGS}


class SettingError(UserError):
    pass


def current() -> dict[str, Decimal | None]:
    stored = {row.key: row.value for row in db.session.scalars(sa.select(LifecycleSetting))}
    values: dict[str, Decimal | None] = {}
    for setting in SETTINGS:
        raw = stored.get(setting.key)
        if raw is None:
            values[setting.key] = None if setting.optional else setting.default
        elif raw == "":
            values[setting.key] = None
        else:
            values[setting.key] = Decimal(raw)
    return values


def parse(key: str, text: str | None) -> Decimal | None:
    setting = BY_KEY[key]
    text = (text or "").strip()
    if text == "":
        if setting.optional:
            return None
        raise SettingError(str(_l("%(label)s: a number is required.", label=setting.label)))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise SettingError(
            str(_l("%(label)s: %(value)s is not a number.", label=setting.label, value=text))
        ) from None
    if value < setting.minimum or (setting.maximum is not None and value > setting.maximum):
        raise SettingError(
            str(
                _l(
                    "%(label)s: must lie between %(low)s and %(high)s.",
                    label=setting.label,
                    low=setting.minimum,
                    high=setting.maximum if setting.maximum is not None else "∞",
                )
            )
        )
    return value


def save(values: dict[str, str | None], staff_id: int | None) -> dict[str, Decimal | None]:
    """Validate every value first, then write them all: nothing is saved half-way."""
    from expo_crm import audit

    parsed = {key: parse(key, values.get(key)) for key in BY_KEY}
    if not (
        parsed["pyramid_key_share"]
        <= parsed["pyramid_major_share"]
        <= parsed["pyramid_ordinary_share"]
    ):
        raise SettingError(str(_l("The pyramid shares must grow from key to ordinary customers.")))
    retention, discount = parsed["retention_rate"], parsed["discount_rate"]
    if discount >= 1:
        raise SettingError(str(_l("The discount rate must be below 1.")))
    if retention is not None and retention >= 1 + discount:
        raise SettingError(
            str(
                _l("The retention rate must be below 1 + the discount rate, or the CLV is endless.")
            )
        )
    before = current()
    for key, value in parsed.items():
        row = db.session.get(LifecycleSetting, key) or LifecycleSetting(key=key)
        row.value = "" if value is None else str(value)
        row.updated_at = clock.now()
        row.updated_by_id = staff_id
        db.session.add(row)
    changed = {k: str(v) for k, v in parsed.items() if before.get(k) != v}
    if changed:
        audit.record(
            "lifecycle.settings", entity_type="lifecycle_settings", entity_id="all", after=changed
        )
    return parsed
