"""Customers' history for the life cycle: participations, check-ins, survey answers, complaints,
interactions. Where the owning area has no factory yet, rows are made through its models."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from expo_crm import clock
from expo_crm.db import db
from expo_crm.relationships import complaints, services

_seq = itertools.count(1)

__all__ = [
    "churn_reason",
    "create_checkin",
    "create_complaint",
    "create_interaction",
    "create_lc_company",
    "create_lc_partner",
    "create_lc_visitor",
    "create_participation",
    "create_survey_answer",
    "create_withdrawn_application",
]


def create_lc_company(name: str | None = None, owner=None, commit: bool = True):
    from expo_crm.exhibitors.models import Company

    n = next(_seq)
    company = Company(
        name_zh=name or f"测试公司{n}",
        name_en=name or f"Test Company {n}",
        owner_id=owner.id if owner else None,
    )
    db.session.add(company)
    db.session.flush()
    if commit:
        db.session.commit()
    return company


def create_lc_visitor(name: str | None = None, owner=None, commit: bool = True):
    from expo_crm.visitors.models import Visitor

    n = next(_seq)
    visitor = Visitor(
        name=name or f"Visitor {n}",
        email=f"lc-visitor{n}-{uuid.uuid4().hex[:6]}@example.com",
        owner_id=owner.id if owner else None,
    )
    db.session.add(visitor)
    db.session.flush()
    if commit:
        db.session.commit()
    return visitor


def create_lc_partner(name: str | None = None, owner=None, commit: bool = True):
    from expo_crm.partners.models import Partner

    n = next(_seq)
    partner = Partner(
        name_zh=name or f"合作伙伴{n}",
        name_en=name or f"Partner {n}",
        owner_id=owner.id if owner else None,
    )
    db.session.add(partner)
    db.session.flush()
    if commit:
        db.session.commit()
    return partner


def create_participation(
    company,
    show,
    *,
    area: str | Decimal = "18",
    amount: str | Decimal = "36000",
    signed_at: datetime | None = None,
    commit: bool = True,
):
    """A signed contract of the company for the show (an approved application behind it)."""
    from expo_crm.exhibitors.models import Application, Contract

    n = next(_seq)
    application = Application(
        company_id=company.id,
        show_id=show.id,
        state="approved",
        requested_area_m2=Decimal(area),
        booth_type="shell_scheme",
    )
    db.session.add(application)
    db.session.flush()
    contract = Contract(
        number=f"LC-{n}-{uuid.uuid4().hex[:6]}",
        company_id=company.id,
        show_id=show.id,
        application_id=application.id,
        state="signed",
        signed_at=signed_at or show.local_start(show.open_from) - timedelta(days=60),
        booth_fee=Decimal(amount),
        total_amount=Decimal(amount),
        booth_area_m2=Decimal(area),
    )
    db.session.add(contract)
    db.session.flush()
    if commit:
        db.session.commit()
    return contract


def create_withdrawn_application(company, show, commit: bool = True):
    from expo_crm.exhibitors.models import Application

    application = Application(
        company_id=company.id,
        show_id=show.id,
        state="withdrawn",
        requested_area_m2=Decimal(9),
        booth_type="shell_scheme",
    )
    db.session.add(application)
    if commit:
        db.session.commit()
    return application


def create_checkin(visitor, show, at: datetime | None = None, commit: bool = True):
    """A registration of the visitor for the show, checked in at the gate."""
    from expo_crm.visitors.models import Registration

    registration = Registration(
        visitor_id=visitor.id,
        show_id=show.id,
        category="professional",
        state="active",
        first_checked_in_at=at or show.local_start(show.open_from) + timedelta(hours=10),
    )
    db.session.add(registration)
    db.session.flush()
    if commit:
        db.session.commit()
    return registration


def create_survey_answer(
    subject,
    show,
    *,
    satisfaction: str | None = None,
    nps: int | None = None,
    at: datetime | None = None,
    commit: bool = True,
):
    """A submitted survey response of an exhibitor company or a visitor."""
    from expo_crm.exhibitors.models import Company
    from expo_crm.surveys.models import Survey, SurveyCampaign, SurveyInvitation, SurveyResponse

    n = next(_seq)
    is_company = isinstance(subject, Company)
    segment = "exhibitor" if is_company else "visitor"
    at = at or show.local_end(show.open_to) + timedelta(days=2)
    survey = Survey(title_zh=f"问卷{n}", title_en=f"Survey {n}")
    db.session.add(survey)
    db.session.flush()
    campaign = SurveyCampaign(
        survey_id=survey.id,
        show_id=show.id,
        audience="both",
        state="open",
        closes_at=at + timedelta(days=14),
    )
    db.session.add(campaign)
    db.session.flush()
    subject_column = "company_id" if is_company else "visitor_id"
    invitation = SurveyInvitation(
        campaign_id=campaign.id,
        email=f"s{n}@example.com",
        segment=segment,
        nonce=uuid.uuid4().hex,
        **{subject_column: subject.id},
    )
    db.session.add(invitation)
    db.session.flush()
    response = SurveyResponse(
        campaign_id=campaign.id,
        invitation_id=invitation.id,
        show_id=show.id,
        submitted_at=at,
        segment=segment,
        nps=nps,
        satisfaction=Decimal(satisfaction) if satisfaction is not None else None,
        **{subject_column: subject.id},
    )
    db.session.add(response)
    db.session.flush()
    if commit:
        db.session.commit()
    return response


def create_interaction(
    kind: str,
    subject_id: int,
    *,
    subject: str = "Call",
    tone: str = "neutral",
    channel: str = "phone",
    occurred_at: datetime | None = None,
    commit: bool = True,
    **values,
):
    interaction = services.log_interaction(
        kind,
        subject_id,
        channel=channel,
        subject=subject,
        tone=tone,
        occurred_at=occurred_at or clock.now(),
        **values,
    )
    db.session.flush()
    if commit:
        db.session.commit()
    return interaction


def create_complaint(
    kind: str,
    subject_id: int,
    *,
    description: str = "The booth carpet was torn.",
    severity: str = "medium",
    commit: bool = True,
    **values,
):
    complaint = complaints.open_complaint(
        kind, subject_id, description=description, severity=severity, **values
    )
    if commit:
        db.session.commit()
    return complaint


# The reasons migration 0007 seeds (PostgreSQL tests truncate every table between tests).
SEEDED_REASONS = {
    "price": ("价格太高", "Price too high"),
    "competitor": ("转向竞争展会", "Went to a competing show"),
    "budget": ("预算削减", "Budget cut"),
    "other": ("其他", "Other"),
}


def churn_reason(code: str, commit: bool = True):
    """The seeded churn reason with this code, made again where the test database lost it."""
    import sqlalchemy as sa

    from expo_crm.relationships.models import ChurnReason

    found = db.session.scalar(sa.select(ChurnReason).where(ChurnReason.code == code))
    if found is None:
        zh, en = SEEDED_REASONS[code]
        found = ChurnReason(code=code, label_zh=zh, label_en=en, active=True, position=0)
        db.session.add(found)
        db.session.flush()
        if commit:
            db.session.commit()
    return found
