"""Word of mouth for customers (issue 15 item 6): an exhibitor's or a visitor's referral link
attributes the registrations and applications it brings; a link of another show or a forged
one attributes nothing; the nightly valuation turns them into 影响力 × 影响范围 × 平均购买价,
explained on the value panel, and referrals make a repeat customer an advocate."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from expo_crm import clock
from expo_crm.db import db
from expo_crm.exhibitors.applications import create_application
from expo_crm.exhibitors.models import Application, Contract
from expo_crm.relationships import loyalty, matrix
from expo_crm.relationships.models import CustomerValueState
from expo_crm.relationships.referrals import referral_token, referrer_for
from expo_crm.relationships.services import evaluate_values
from expo_crm.visitors import services as visitor_services
from expo_crm.visitors.models import Registration
from tests.factories import (
    create_lc_company,
    create_lc_visitor,
    create_participation,
    create_show,
)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=3, tzinfo=UTC)


def register_through(show, token: str | None, *, came: bool = False) -> Registration:
    registration = visitor_services.register(
        show,
        email=f"{uuid.uuid4().hex[:10]}@example.com",
        details={"name": "Referred visitor", "company": "Buyer Ltd", "locale": "en"},
        terms_accepted=True,
        referral_code=token,
        send_email=False,
        check_open=False,
    ).registration
    if came:
        registration.first_checked_in_at = show.local_start(show.open_from) + timedelta(hours=2)
    db.session.commit()
    return registration


def apply_through(show, token: str | None, *, fee: str | None = None) -> Application:
    """A company applies through the link; with a fee, it then signs a contract."""
    company = create_lc_company()
    application = create_application(
        company, show.id, requested_area_m2="36", booth_type="raw_space", referral_token=token
    )
    if fee is not None:
        db.session.add(
            Contract(
                number=f"WM-{uuid.uuid4().hex[:8]}",
                company_id=company.id,
                show_id=show.id,
                application_id=application.id,
                state="signed",
                signed_at=clock.now(),
                booth_fee=Decimal(fee),
                total_amount=Decimal(fee),
                booth_area_m2=Decimal(36),
            )
        )
    db.session.commit()
    return application


def value_row(column: str, subject_id: int) -> CustomerValueState:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(CustomerValueState).where(getattr(CustomerValueState, column) == subject_id)
    )


def test_word_of_mouth_worked_example(app):
    clock.freeze(at("2026-01-10"))
    earlier = create_show(open_from=date(2025, 4, 1), series="WM", code="WM2025")
    show = create_show(open_from=date(2026, 4, 1), series="WM", code="WM2026")
    exhibitor = create_lc_company("Referrer Co")
    for edition in (earlier, show):
        create_participation(exhibitor, edition)
    token = referral_token("exhibitor", exhibitor.id, show.id)
    # The exhibitor's link brings three visitors (two come) and one applicant who signs a
    # contract for a 40,000 booth.
    for came in (True, True, False):
        register_through(show, token, came=came)
    apply_through(show, token, fee="40000")

    evaluate_values(at("2026-04-10"))

    row = value_row("company_id", exhibitor.id)
    # Reach 影响范围 = 4 brought; influence 影响力 = 3 of 4 bought = 0.75; average purchase
    # 平均购买价 = (300 + 300 per visitor edition + 0.35 × 40,000 booth margin) / 3 = 4,866.67;
    # word of mouth = 0.75 × 4 × 4,866.67 = 14,600.
    assert (row.referrals, row.referrals_converted) == (4, 3)
    assert row.word_of_mouth == Decimal("14600.00")
    with force_locale("en"):
        line = matrix.word_of_mouth_line(row)
    assert "0.75" in line and "3 of 4" in line and "4866.67" in line and "14600.00" in line
    # Two editions and referrals: an advocate (拥护者), and the referrals are its recommendations.
    measures = loyalty.measures_of("exhibitor", exhibitor.id)
    assert measures.referrals == 4 and measures.loyalty == "advocate"


def test_a_visitors_link_attributes_an_application_and_a_repeat_customer_without_one_follows(app):
    clock.freeze(at("2026-01-10"))
    earlier = create_show(open_from=date(2025, 4, 1), series="WV", code="WV2025")
    show = create_show(open_from=date(2026, 4, 1), series="WV", code="WV2026")
    visitor = create_lc_visitor("Ada Referrer")
    quiet = create_lc_company("Quiet Co")
    for edition in (earlier, show):
        create_participation(quiet, edition)
    application = apply_through(show, referral_token("visitor", visitor.id, show.id), fee="50000")
    assert application.referrer_visitor_id == visitor.id
    assert application.referrer_company_id is None

    evaluate_values(at("2026-04-10"))

    row = value_row("visitor_id", visitor.id)
    # 1 brought, 1 bought: 1 × 1 × 0.35 × 50,000 = 17,500.
    assert (row.referrals, row.referrals_converted, row.word_of_mouth) == (
        1,
        1,
        Decimal("17500.00"),
    )
    assert loyalty.measures_of("exhibitor", quiet.id).loyalty == "follower"
    assert value_row("company_id", quiet.id).word_of_mouth == Decimal("0.00")


def test_a_link_of_another_show_or_a_forged_one_attributes_nothing(app):
    clock.freeze(at("2026-01-10"))
    show = create_show(open_from=date(2026, 4, 1), series="WF", code="WF2026")
    other = create_show(open_from=date(2026, 6, 1), series="WG", code="WG2026")
    exhibitor = create_lc_company("Honest Co")
    genuine = referral_token("exhibitor", exhibitor.id, show.id)
    of_other_show = referral_token("exhibitor", exhibitor.id, other.id)
    forged_payload = genuine.split(".")[0] + "." + "A" * len(genuine.split(".")[1])
    someone_else = referral_token("exhibitor", exhibitor.id + 999, show.id)

    assert referrer_for(genuine, show.id) is not None
    for token in (of_other_show, forged_payload, someone_else, "garbage", "", None, "x" * 500):
        assert referrer_for(token, show.id) is None
        registration = register_through(show, token)
        assert (registration.referrer_company_id, registration.referrer_visitor_id) == (None, None)
    assert apply_through(show, of_other_show).referrer_company_id is None
    assert apply_through(show, forged_payload).referrer_company_id is None
    # One's own link brings no one.
    own = apply_through(show, None)
    company_token = referral_token("exhibitor", own.company_id, show.id)
    db.session.delete(own)
    db.session.commit()
    company = db.session.get(type(exhibitor), own.company_id)
    again = create_application(
        company,
        show.id,
        requested_area_m2="9",
        booth_type="raw_space",
        referral_token=company_token,
    )
    assert again.referrer_company_id is None

    evaluate_values(at("2026-04-10"))
    row = value_row("company_id", exhibitor.id)
    assert (row.referrals, row.word_of_mouth) == (0, Decimal("0.00"))
    with force_locale("en"):
        assert "nobody" in matrix.word_of_mouth_line(row)


@pytest.mark.parametrize("kind", ["supplier", "partner"])
def test_only_exhibitors_and_visitors_hand_out_links(app, kind):
    with pytest.raises(ValueError):
        referral_token(kind, 1, 1)
