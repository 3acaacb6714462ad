"""Booths of a show: create, block, assign to an approved application, release; halls and totals."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from expo_crm import audit, clock
from expo_crm.db import db
from expo_crm.exhibitors.models import (
    Application,
    ApplicationState,
    Booth,
    BoothAssignment,
    BoothStatus,
    BoothType,
    Company,
    Contract,
    ContractState,
)
from expo_crm.exhibitors.services import ExhibitorError, money
from expo_crm.shows.services import ensure_open_for_sale


def create_booth(
    show_id: int,
    *,
    hall: str,
    number: str,
    area_m2,
    booth_type: BoothType | str,
    price_per_m2,
    corner: bool = False,
    island: bool = False,
    status: BoothStatus | str = BoothStatus.available,
) -> Booth:
    hall, number = hall.strip().upper(), number.strip().upper()
    if not hall or not number:
        raise ExhibitorError(_("A booth needs a hall and a number."))
    area, price = Decimal(str(area_m2 or 0)), money(price_per_m2)
    if area <= 0:
        raise ExhibitorError(_("The booth area must be more than 0 m²."))
    if price < 0:
        raise ExhibitorError(_("The price per m² cannot be negative."))
    taken = db.session.scalar(
        sa.select(Booth.id).where(Booth.show_id == show_id, Booth.number == number)
    )
    if taken:
        raise ExhibitorError(_("Booth %(number)s already exists in this show.", number=number))
    booth = Booth(
        show_id=show_id,
        hall=hall,
        number=number,
        area_m2=area,
        booth_type=BoothType(booth_type),
        price_per_m2=price,
        corner=corner,
        island=island,
        status=BoothStatus(status),
    )
    db.session.add(booth)
    db.session.flush()
    audit.record(
        "booth.create", booth, after={"show_id": show_id, "number": number, "area_m2": area}
    )
    return booth


def set_booth_blocked(booth: Booth, blocked: bool) -> None:
    if booth.status in (BoothStatus.reserved, BoothStatus.sold, BoothStatus.held):
        raise ExhibitorError(_("Booth %(number)s is taken; release it first.", number=booth.number))
    old = booth.status
    booth.status = BoothStatus.blocked if blocked else BoothStatus.available
    audit.record("booth.status", booth, {"status": old.value}, {"status": booth.status.value})


def booths_for_show(
    show_id: int, hall: str = "", status: str = ""
) -> list[tuple[Booth, Company | None]]:
    return [tuple(row) for row in db.session.execute(booths_query(show_id, hall, status))]


def booths_query(show_id: int, hall: str = "", status: str = "") -> sa.Select:
    """The show's booths (by hall and number), each with the company it is assigned to."""
    query = (
        sa.select(Booth, Company)
        .outerjoin(BoothAssignment, BoothAssignment.booth_id == Booth.id)
        .outerjoin(Company, Company.id == BoothAssignment.company_id)
        .where(Booth.show_id == show_id)
        .order_by(Booth.hall, Booth.number)
    )
    if hall:
        query = query.where(Booth.hall == hall)
    if status in BoothStatus.__members__:
        query = query.where(Booth.status == BoothStatus(status))
    return query


def assign_booth(
    application: Application, booth_id: int, assigned_by_id: int | None = None
) -> BoothAssignment:
    """Give a booth to an approved application. The UNIQUE(booth_id) key settles any race."""
    if application.state is not ApplicationState.approved:
        raise ExhibitorError(_("Only an approved application can get a booth."))
    ensure_open_for_sale(application.show)
    booth = db.session.scalar(sa.select(Booth).where(Booth.id == booth_id).with_for_update())
    if booth is None or booth.show_id != application.show_id:
        raise ExhibitorError(_("This booth does not belong to the show of the application."))
    if booth.status is not BoothStatus.available:
        raise ExhibitorError(
            _(
                "Booth %(number)s is not available (%(status)s).",
                number=booth.number,
                status=booth.status.label,
            )
        )
    assignment = BoothAssignment(
        booth_id=booth.id,
        application_id=application.id,
        company_id=application.company_id,
        show_id=application.show_id,
        assigned_at=clock.now(),
        assigned_by_id=assigned_by_id,
    )
    db.session.add(assignment)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ExhibitorError(
            _("Booth %(number)s has just been given to another exhibitor.", number=booth.number)
        ) from None
    booth.status = BoothStatus.reserved
    audit.record(
        "booth.assign",
        booth,
        after={"application_id": application.id, "company_id": application.company_id},
    )
    return assignment


def release_booth(assignment: BoothAssignment) -> None:
    booth = assignment.booth
    signed = db.session.scalar(
        sa.select(Contract.id).where(
            Contract.application_id == assignment.application_id,
            Contract.state == ContractState.signed,
        )
    )
    if signed:
        raise ExhibitorError(_("The contract is signed: cancel it before releasing the booth."))
    booth.status = BoothStatus.available
    audit.record("booth.release", booth, before={"company_id": assignment.company_id})
    db.session.delete(assignment)
    db.session.flush()


def assigned_booths(company_id: int, show_id: int) -> list[Booth]:
    return list(
        db.session.scalars(
            sa.select(Booth)
            .join(BoothAssignment)
            .where(BoothAssignment.company_id == company_id, BoothAssignment.show_id == show_id)
            .order_by(Booth.hall, Booth.number)
        )
    )


def halls(show_id: int | None = None) -> list[str]:
    query = sa.select(Booth.hall).distinct().order_by(Booth.hall)
    if show_id:
        query = query.where(Booth.show_id == show_id)
    return list(db.session.scalars(query))


def booth_totals(show_id: int) -> dict:
    rows = db.session.execute(
        sa.select(
            Booth.status, sa.func.count(Booth.id), sa.func.coalesce(sa.func.sum(Booth.area_m2), 0)
        )
        .where(Booth.show_id == show_id)
        .group_by(Booth.status)
    )
    totals = {s: (0, Decimal(0)) for s in BoothStatus}
    for status, count, area in rows:
        totals[BoothStatus(status)] = (count, Decimal(str(area)))
    return {
        "booths": sum(c for c, _ in totals.values()),
        "area": sum((a for _, a in totals.values()), Decimal(0)),
        "sold": totals[BoothStatus.sold][0],
        "sold_area": totals[BoothStatus.sold][1],
        "reserved": totals[BoothStatus.reserved][0],
        "available": totals[BoothStatus.available][0],
    }
