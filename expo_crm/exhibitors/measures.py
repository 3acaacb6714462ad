"""The exhibitors' figures of a show: for comparing editions (`dashboard.edition_measure`) and
for the sales dashboard's chart of booth area by hall."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from expo_crm import charts
from expo_crm.dashboard import edition_measure
from expo_crm.db import db
from expo_crm.exhibitors.models import Booth, BoothStatus, Contract, ContractState, Payment


@edition_measure("exhibitors_signed", _l("Exhibitors with a signed contract"), order=10)
def exhibitors_signed(show_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Contract.company_id))).where(
            Contract.show_id == show_id, Contract.state == ContractState.signed
        )
    )


def _sum(column, *conditions, join=None) -> Decimal:
    query = sa.select(sa.func.coalesce(sa.func.sum(column), 0))
    if join is not None:
        query = query.join(*join)
    return Decimal(str(db.session.scalar(query.where(*conditions))))


@edition_measure("area_sold", _l("Booth area sold"), _l("m²"), order=20)
def area_sold(show_id: int) -> Decimal:
    return _sum(Booth.area_m2, Booth.show_id == show_id, Booth.status == BoothStatus.sold)


@edition_measure("contract_revenue", _l("Revenue of signed contracts"), _l("CNY"), order=30)
def contract_revenue(show_id: int) -> Decimal:
    return _sum(
        Contract.total_amount, Contract.show_id == show_id, Contract.state == ContractState.signed
    )


@edition_measure("payments_received", _l("Payments received"), _l("CNY"), order=31)
def payments_received(show_id: int) -> Decimal:
    return _sum(
        Payment.amount,
        Contract.show_id == show_id,
        Contract.state == ContractState.signed,
        join=(Contract, Contract.id == Payment.contract_id),
    )


def area_by_hall_chart(show_id: int) -> dict:
    """Booth area per hall, sold, reserved and still available (stacked), in m²."""
    rows = db.session.execute(
        sa.select(Booth.hall, Booth.status, sa.func.coalesce(sa.func.sum(Booth.area_m2), 0))
        .where(Booth.show_id == show_id, Booth.status != BoothStatus.blocked)
        .group_by(Booth.hall, Booth.status)
    ).all()
    halls = sorted({hall for hall, _status, _area in rows})
    area = {(hall, BoothStatus(status)): Decimal(str(value)) for hall, status, value in rows}
    shown = (BoothStatus.sold, BoothStatus.reserved, BoothStatus.available)
    return charts.series_chart(
        "bar",
        _("Booth area by hall"),
        halls,
        [
            (status.label, [area.get((hall, status), Decimal(0)) for hall in halls])
            for status in shown
        ],
        category_name=_("Hall"),
        value_name=_("m²"),
        stacked=True,
    )
