"""What exhibitors add to the churn model: participation history, booth area and spend trends,
and payment delays, each as it stood at the edition's cut-off (see relationships.churn_features)."""

from __future__ import annotations

from datetime import UTC, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from expo_crm.db import db
from expo_crm.exhibitors.models import Contract, Payment
from expo_crm.relationships.churn_features import Edition, churn_feature, percent
from expo_crm.shows.models import Show


def _signed(edition: Edition, ids: list[int], show_ids) -> list:
    """(company_id, show_id, open_from, area, amount, total, balance_due, contract_id) of the
    contracts signed by the cut-off for the given editions."""
    rows = []
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        rows += db.session.execute(
            sa.select(
                Contract.company_id,
                Contract.show_id,
                Show.open_from,
                Contract.booth_area_m2,
                Contract.total_amount,
                Contract.balance_due,
                Contract.id,
            )
            .join(Show, Show.id == Contract.show_id)
            .where(
                Contract.company_id.in_(chunk),
                Contract.show_id.in_(show_ids),
                Contract.state == "signed",
                Contract.signed_at <= edition.cutoff,
            )
            .order_by(Contract.company_id, Show.open_from)
        ).all()
    return rows


@churn_feature("editions", "exhibitor", text=_l("Only %(value)s edition(s) exhibited so far"))
def editions_exhibited(edition: Edition, ids: list[int]) -> dict[int, float]:
    found: dict[int, float] = {}
    for row in _signed(edition, ids, list(edition.series_so_far)):
        found[row.company_id] = found.get(row.company_id, 0) + 1
    return found


def _change(edition: Edition, ids: list[int], index: int) -> dict[int, float]:
    """The relative change from the previous edition to this one (of the series so far)."""
    previous = edition.previous_show_id
    if previous is None:
        return {}
    by_company: dict[int, dict[int, float]] = {}
    for row in _signed(edition, ids, [previous, edition.show_id]):
        by_company.setdefault(row.company_id, {})[row.show_id] = float(row[index] or 0)
    found = {}
    for company, amounts in by_company.items():
        before, now = amounts.get(previous), amounts.get(edition.show_id)
        if before and now is not None:
            found[company] = now / before - 1
    return found


@churn_feature(
    "area_change",
    "exhibitor",
    text=_l("Booth area changed by %(value)s against the edition before"),
    display=percent,
)
def area_change(edition: Edition, ids: list[int]) -> dict[int, float]:
    return _change(edition, ids, 3)


@churn_feature(
    "spend_change",
    "exhibitor",
    text=_l("Spend changed by %(value)s against the edition before"),
    display=percent,
)
def spend_change(edition: Edition, ids: list[int]) -> dict[int, float]:
    return _change(edition, ids, 4)


@churn_feature(
    "payment_delay",
    "exhibitor",
    text=_l("Paid the balance %(value)s day(s) after it was due"),
)
def payment_delay(edition: Edition, ids: list[int]) -> dict[int, float]:
    """Days between the balance's due date and the payment that settled the contract (or the
    cut-off, when it was still unpaid then); 0 when paid on time."""
    contracts = [
        row for row in _signed(edition, ids, [edition.show_id]) if row.balance_due is not None
    ]
    if not contracts:
        return {}
    paid: dict[int, list] = {}
    for start in range(0, len(contracts), 5000):
        chunk = [row.id for row in contracts[start : start + 5000]]
        for contract_id, amount, paid_at in db.session.execute(
            sa.select(Payment.contract_id, Payment.amount, Payment.paid_at)
            .where(Payment.contract_id.in_(chunk), Payment.paid_at <= edition.cutoff)
            .order_by(Payment.contract_id, Payment.paid_at)
        ):
            paid.setdefault(contract_id, []).append((amount, paid_at))
    found = {}
    for row in contracts:
        total, settled_at, running = row.total_amount or 0, None, 0
        for amount, at in paid.get(row.id, []):
            running += amount
            if running >= total:
                settled_at = at
                break
        settled = settled_at or edition.cutoff
        due = datetime.combine(row.balance_due, time.max, tzinfo=UTC)
        found[row.company_id] = max(0, (settled - due).days)
    return found
