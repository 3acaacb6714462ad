"""The PDF report of a campaign (one document, charts as SVG)."""

from __future__ import annotations

from contextlib import nullcontext

from flask import current_app, has_request_context
from flask_babel import force_locale

from expo_crm.documents.pdf import render_pdf
from expo_crm.surveys.models import SurveyCampaign
from expo_crm.surveys.results import campaign_results


def report_pdf(campaign: SurveyCampaign, language: str = "zh") -> bytes:
    # Jobs render outside any request; the page context processors expect one.
    context = nullcontext() if has_request_context() else current_app.test_request_context()
    with context, force_locale(language):
        results = campaign_results(campaign)
        return render_pdf(
            "surveys/report.html",
            language=language,
            results=results,
            campaign=campaign,
            show=campaign.show,
            survey=campaign.survey,
        )
