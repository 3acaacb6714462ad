from datetime import datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from expo_crm import clock
from expo_crm.actions import user_action
from expo_crm.auth.permissions import public, requires
from expo_crm.db import db
from expo_crm.extensions import limiter
from expo_crm.navigation import nav_item
from expo_crm.shows.models import Show
from expo_crm.shows.services import list_shows
from expo_crm.surveys import analysis, campaigns, reports, responses, services
from expo_crm.surveys.forms import (
    ActionForm,
    CampaignForm,
    QuestionForm,
    QuestionPropertiesForm,
    SurveyForm,
)
from expo_crm.surveys.models import Segment, Survey, SurveyCampaign, SurveyQuestion
from expo_crm.surveys.results import campaign_results

bp = Blueprint("surveys", __name__)
nav_item(_l("Surveys"), "surveys.index", "surveys.view", order=70, group="service")


@bp.route("/surveys/")
@requires("surveys.view")
def index():
    return render_template(
        "surveys/index.html",
        surveys=services.surveys(),
        campaigns=campaigns.campaigns(),
        form=ActionForm(),
    )


@bp.route("/surveys/new", methods=["GET", "POST"])
@requires("surveys.manage")
def survey_create():
    form = SurveyForm()
    if form.validate_on_submit():
        with user_action() as action:
            survey = services.create_survey(
                form.title_zh.data, form.title_en.data, form.intro_zh.data, form.intro_en.data
            )
        if action.done:
            return redirect(url_for("surveys.survey_detail", survey_id=survey.id))
    return render_template("surveys/survey_form.html", form=form)


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
@requires("surveys.view")
def survey_detail(survey_id: int):
    survey = db.get_or_404(Survey, survey_id)
    form = QuestionForm(survey=survey)
    if request.method == "POST":
        if not current_user.can("surveys.manage"):
            abort(403)
        if form.validate_on_submit():
            with user_action(_("Question added.")) as action:
                options = services.parse_options(
                    form.options_zh.data or "", form.options_en.data or ""
                )
                services.add_question(
                    survey,
                    form.kind.data,
                    form.text_zh.data,
                    form.text_en.data,
                    options,
                    form.required.data,
                    role=form.role.data,
                    level=form.level.data or None,
                    pairs_with=form.pairs_with(survey),
                )
            if action.done:
                return redirect(url_for("surveys.survey_detail", survey_id=survey.id))
    return render_template(
        "surveys/survey.html",
        survey=survey,
        form=form,
        action_form=ActionForm(),
        answer_counts=services.answer_counts(survey),
        property_forms={
            q.id: QuestionPropertiesForm(
                formdata=None, prefix=f"q{q.id}", survey=survey, question=q
            )
            for q in survey.questions
        },
    )


@bp.route("/surveys/<int:survey_id>/questions/<int:question_id>/properties", methods=["POST"])
@requires("surveys.manage")
def question_properties(survey_id: int, question_id: int):
    question = db.get_or_404(SurveyQuestion, question_id)
    if question.survey_id != survey_id:
        abort(404)
    survey = question.survey
    form = QuestionPropertiesForm(prefix=f"q{question.id}", survey=survey)
    if not form.validate_on_submit():
        flash(_("The form expired or a choice was not valid. Please try again."), "error")
    else:
        with user_action(_("Question updated.")):
            services.set_analysis_properties(
                question, form.role.data, form.level.data or None, form.pairs_with(survey)
            )
    return redirect(
        url_for("surveys.survey_detail", survey_id=survey_id, _anchor=f"q{question.id}")
    )


@bp.route("/surveys/<int:survey_id>/questions/<int:question_id>/delete", methods=["POST"])
@requires("surveys.manage")
def question_delete(survey_id: int, question_id: int):
    question = db.get_or_404(SurveyQuestion, question_id)
    if question.survey_id != survey_id or not ActionForm().validate_on_submit():
        abort(404)
    with user_action(_("Question removed.")):
        services.remove_question(question)
    return redirect(url_for("surveys.survey_detail", survey_id=survey_id))


@bp.route("/surveys/campaigns/new", methods=["GET", "POST"])
@requires("surveys.manage")
def campaign_create():
    form = CampaignForm(surveys=services.surveys(), shows=list_shows())
    if form.validate_on_submit():
        survey = db.get_or_404(Survey, form.survey_id.data)
        show = db.get_or_404(Show, form.show_id.data)
        closes_at = datetime.combine(form.closes_on.data, time(23, 59), tzinfo=show.tz)
        with user_action(_("Campaign created. Check it, then send it.")) as action:
            campaign = campaigns.create_campaign(
                survey,
                show,
                form.audience.data,
                closes_at,
                at=clock.now(),
                created_by_id=current_user.id,
            )
        if action.done:
            return redirect(url_for("surveys.campaign_detail", campaign_id=campaign.id))
    return render_template("surveys/campaign_form.html", form=form)


@bp.route("/surveys/campaigns/<int:campaign_id>")
@requires("surveys.view")
def campaign_detail(campaign_id: int):
    campaign = db.get_or_404(SurveyCampaign, campaign_id)
    segment = request.args.get("segment", "")
    if segment not in Segment._value2member_map_:
        segment = ""
    results = campaign_results(campaign, segment or None)
    return render_template(
        "surveys/campaign.html",
        campaign=campaign,
        results=results,
        segment=segment,
        segments=list(Segment),
        form=ActionForm(),
        pending=campaigns.pending_recipients(campaign) if campaign.state.value != "closed" else [],
    )


@bp.route("/surveys/campaigns/<int:campaign_id>/analysis")
@requires("surveys.view")
def campaign_analysis(campaign_id: int):
    campaign = db.get_or_404(SurveyCampaign, campaign_id)
    choices = analysis.segment_choices(campaign)
    segment = request.args.get("segment", "")
    category = request.args.get("category", "")
    if (segment, category) not in {(s, c) for s, c, _ in choices}:
        segment, category = "", ""
    method = request.args.get("importance", "")
    if method not in analysis.ImportanceMethod._value2member_map_:
        method = ""
    result = analysis.analyse(campaign, segment or None, category or None, method or None)

    def here(segment: str, category: str, method: str) -> str:
        args = {"segment": segment, "category": category, "importance": method}
        return url_for(
            "surveys.campaign_analysis",
            campaign_id=campaign.id,
            **{k: v for k, v in args.items() if v},
        )

    return render_template(
        "surveys/analysis.html",
        campaign=campaign,
        analysis=result,
        choices=choices,
        segment=segment,
        category=category,
        methods=list(analysis.ImportanceMethod),
        method_arg=method,
        quadrants=list(analysis.Quadrant),
        here=here,
    )


@bp.route("/surveys/campaigns/<int:campaign_id>/report.pdf")
@requires("surveys.view")
def campaign_report(campaign_id: int):
    campaign = db.get_or_404(SurveyCampaign, campaign_id)
    from flask_babel import get_locale

    pdf = reports.report_pdf(campaign, get_locale().language if get_locale() else "zh")
    return (
        pdf,
        200,
        {
            "Content-Type": "application/pdf",
            "Content-Disposition": f'inline; filename="survey-report-{campaign.show.code}.pdf"',
        },
    )


@bp.route("/surveys/campaigns/<int:campaign_id>/<any(send, remind, close):step>", methods=["POST"])
@requires("surveys.manage")
def campaign_step(campaign_id: int, step: str):
    campaign = db.get_or_404(SurveyCampaign, campaign_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    at = clock.now()
    with user_action() as action:
        if step == "send":
            count = campaigns.send_campaign(campaign, at)
            action.succeeded_with(_("%(n)d invitations queued.", n=count))
        elif step == "remind":
            count = campaigns.remind(campaign, at)
            action.succeeded_with(_("%(n)d reminders queued.", n=count))
        else:
            campaigns.close_campaign(campaign, at)
            from expo_crm.surveys.jobs import email_report

            email_report(campaign)
            action.succeeded_with(_("Campaign closed; the report was sent to service staff."))
    return redirect(url_for("surveys.campaign_detail", campaign_id=campaign.id))


# --- the public answer page ----------------------------------------------------------------------


@bp.route("/s/<token>", methods=["GET", "POST"])
@public
@limiter.limit("60/minute")
def respond(token: str):
    at = clock.now()
    invitation = campaigns.invitation_from_token(token)
    problem = campaigns.link_problem(invitation, at)
    if problem:
        return render_template(
            "surveys/respond_closed.html", problem=problem
        ), 404 if invitation is None else 410
    campaign = invitation.campaign
    form = ActionForm()
    answers = {k: request.form.getlist(k) for k in request.form if k.startswith("q")}
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("The form expired. Please answer again."), "error")
        else:
            with user_action() as action:
                responses.submit_response(invitation, answers, at)
            if action.done:
                return render_template("surveys/respond_thanks.html", show=campaign.show)
    return render_template(
        "surveys/respond.html",
        campaign=campaign,
        survey=campaign.survey,
        show=campaign.show,
        invitation=invitation,
        form=form,
        answers=answers,
    )
