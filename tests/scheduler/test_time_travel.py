"""A show's whole service plan, from T−60 days to T+14 days, run-due at every step's time."""

from __future__ import annotations

import subprocess
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from expo_crm import clock
from expo_crm.db import db
from expo_crm.mail.models import MailState, OutboxMessage
from expo_crm.relationships.models import Complaint
from expo_crm.scheduler import services
from expo_crm.surveys import responses
from expo_crm.surveys.models import CampaignState, QuestionKind, SurveyCampaign, SurveyInvitation
from expo_crm.tasks.models import Task
from expo_crm.visitors.models import TrafficSnapshot
from tests.factories import (
    create_checked_in_visitors,
    create_company,
    create_contact,
    create_contract,
    create_show,
    create_staff,
    run_due_at,
)


def _plan_times(show, start, end) -> list[datetime]:
    times = set()
    for step in services.plan_of(show):
        first = services.due_at(step, show)
        if step.repeat_hourly:
            day = show.open_from
            times.update(
                datetime.combine(day, time(h), tzinfo=show.tz).astimezone(UTC) for h in (9, 10, 11)
            )
        elif step.repeat_daily:
            # Daily steps of the months before (payment reminders) are run on the days of the
            # show only: their own plan test runs them on the days they remind.
            day = max(show.local_date(first), show.move_in_date)
            while day <= show.open_to:
                times.add(datetime.combine(day, time(step.hour), tzinfo=show.tz).astimezone(UTC))
                day += timedelta(days=1)
        else:
            times.add(first)
    return sorted(t + timedelta(minutes=1) for t in times if start <= t <= end)


def _answer(invitation, nps: str, rating: str, comment: str = ""):
    form = {}
    for q in invitation.campaign.survey.questions:
        value = {
            QuestionKind.nps: nps,
            QuestionKind.rating: rating,
            QuestionKind.single: "1",
            QuestionKind.multiple: "0",
            QuestionKind.text: comment,
        }[q.kind]
        form[f"q{q.id}"] = [value]
    return responses.submit_response(invitation, form, clock.now())


def test_a_whole_show_plan_runs_once_and_every_mail_arrives_once(app, smtp_server, tmp_path):
    real_today = clock.now()
    show = create_show(open_from=(real_today + timedelta(days=70)).date(), days=3)
    service = create_staff("service", email="service-tt@example.com")
    create_staff("admin", email="admin-tt@example.com")
    company = create_company(name_en="Hinge Works")
    create_contact(company, email="boss@hinge.example", is_primary=True)
    create_contract(company, show, signed=True)
    visitors = create_checked_in_visitors(show, 6, prefix="tt")
    db.session.commit()

    t0 = show.local_start(show.open_from).astimezone(UTC)
    times = _plan_times(show, t0 - timedelta(days=60), t0 + timedelta(days=17))
    outputs = []
    survey_done = False
    for at in times:
        if not survey_done and at >= show.local_start(show.open_to + timedelta(days=2)):
            # Between the survey and its reminder two visitors answer; one is unhappy.
            campaign = db.session.scalar(
                sa.select(SurveyCampaign).where(SurveyCampaign.show_id == show.id)
            )
            invites = db.session.scalars(
                sa.select(SurveyInvitation)
                .where(
                    SurveyInvitation.campaign_id == campaign.id,
                    SurveyInvitation.visitor_id.in_(visitors[:2]),
                )
                .order_by(SurveyInvitation.visitor_id)
            ).all()
            _answer(invites[0], "10", "5")
            _answer(invites[1], "2", "1", "The aisles were blocked.")
            db.session.commit()
            survey_done = True
        outputs.extend(run_due_at(at))
    assert survey_done
    mine = (
        "\tsurveys.",
        "\tstaff.attendance_digest",
        "\tshow.traffic_snapshot",
        "\tmail.send_outbox",
    )
    assert not [line for line in outputs if "\tfailed" in line and any(m in line for m in mine)], (
        outputs
    )

    # Running the whole plan again changes nothing.
    before = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
    for at in times:
        run_due_at(at + timedelta(minutes=5))
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == before

    mails = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.show_id == show.id)
    ).all()
    by_template = Counter(m.template for m in mails)
    assert by_template["surveys/invitation"] == 7  # six visitors and one exhibitor contact
    assert by_template["surveys/reminder"] == 5  # all but the two who answered
    assert by_template["surveys/report"] == 2  # service staff and the administrator
    assert (
        by_template["staff_digest/attendance"] == 2 * 4
    )  # two staff, move-in day and three open days
    assert {m.state for m in mails if m.template.startswith(("surveys/", "staff_digest/"))} == {
        MailState.sent
    }
    # Every message arrived exactly once.
    received = Counter(str(m["Message-ID"]) for m in smtp_server.messages)
    assert received and max(received.values()) == 1
    assert {m.message_id for m in mails if m.state is MailState.sent} <= set(received)

    report = next(
        m for m in mails if m.template == "surveys/report" and m.to_address == service.email
    )
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report.attachments[0].content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "NPS" in text and "The aisles were blocked." in text

    campaign = db.session.scalar(sa.select(SurveyCampaign).where(SurveyCampaign.show_id == show.id))
    assert campaign.state is CampaignState.closed
    complaint = db.session.scalars(sa.select(Complaint).where(Complaint.show_id == show.id)).one()
    assert complaint.visitor_id == visitors[1]
    assert db.session.scalar(sa.select(sa.func.count(Task.id)).where(Task.show_id == show.id)) >= 1
    # One snapshot per open hour in which the scheduler ran, never two for the same hour.
    taken = db.session.scalars(
        sa.select(TrafficSnapshot.taken_at).where(TrafficSnapshot.show_id == show.id)
    ).all()
    assert len(taken) == len(set(taken))
    first_day = {
        datetime.combine(show.open_from, time(h), tzinfo=show.tz).astimezone(UTC)
        for h in (9, 10, 11)
    }
    assert first_day <= {t.astimezone(UTC) for t in taken}
