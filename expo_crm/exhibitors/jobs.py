"""Exhibitor steps of the service plan. Each is idempotent per exhibitor through the outbox
dedupe_key: a step that runs twice, or is restarted half way, sends nothing twice."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from expo_crm.exhibitors import return_report, returns
from expo_crm.exhibitors.contracts import primary_contacts
from expo_crm.mail.models import MailCategory
from expo_crm.mail.services import enqueue_email
from expo_crm.scheduler.registry import plan_action
from expo_crm.shows.models import Show


@plan_action(
    "exhibitors.return_report",
    label=_l("Post-show performance report to exhibitors (link to the portal)"),
    audience="exhibitors",
    anchor="open_to",
    offset_days=3,
    until=("open_to", 30),
    hour=10,
)
def send_return_reports(show: Show, at: datetime) -> int:
    """Each signed exhibitor's figures, in its language, with the link to its report."""
    if not returns.is_over(show, at):
        return 0
    found = {r.company_id: r for r in returns.show_returns(show)}
    base_url = current_app.config["BASE_URL"]
    sent = 0
    for company, contact in primary_contacts(show.id):
        result = found.get(company.id)
        if result is None or not contact.email:
            continue
        message = enqueue_email(
            contact.email,
            "exhibitors/return_report",
            language=return_report.language_of(company, contact),
            to_name=contact.name,
            context={
                "name": contact.name,
                "company": company,
                "show": show,
                "r": result,
                "url": f"{base_url}/portal/returns?show={show.id}",
            },
            category=MailCategory.service,
            dedupe_key=f"exhibitors.return_report:{show.id}:{company.id}",
            subject_ref=("exhibitor", company.id),
            show_id=show.id,
        )
        sent += message is not None
    return sent
