"""Customer value and loyalty: the value pyramid, CLV, word of mouth, loyalty measures; Excel exports."""

from __future__ import annotations

from flask import abort, jsonify, render_template, request
from flask_babel import gettext as _

from expo_crm.auth.permissions import requires
from expo_crm.documents.excel import xlsx_response
from expo_crm.i18n import localtime
from expo_crm.relationships import edition_loyalty, loyalty, matrix
from expo_crm.relationships import value as values
from expo_crm.relationships.models import ValueClass, ValueTier
from expo_crm.relationships.subjects import segment_label
from expo_crm.relationships.views import bp


@bp.route("/value")
@requires("reports.view")
def value_report():
    pyramid = values.stored_pyramid()
    return render_template(
        "relationships/value.html",
        pyramid=pyramid,
        top=pyramid.customers,
        referrals=values.partner_word_of_mouth(),
        tiers=list(ValueTier),
    )


@bp.route("/value.xlsx")
@requires("reports.view")
def value_export():
    pyramid = values.stored_pyramid(top=None)
    headers = [
        _("Company"),
        _("Tier"),
        _("Historical value"),
        _("Current value"),
        _("Editions"),
        _("Margin per edition"),
        _("Potential value (CLV)"),
        _("Word of mouth"),
    ]
    rows = [
        (
            c.name,
            c.tier.label,
            c.historical,
            c.current,
            c.editions,
            c.margin_per_edition,
            c.potential,
            c.word_of_mouth,
        )
        for c in pyramid.customers
    ]
    return xlsx_response("customer-value", headers, rows, title=_("Customer value"))


@bp.route("/loyalty")
@requires("reports.view")
def loyalty_report():
    held = edition_loyalty.editions()
    return render_template(
        "relationships/loyalty.html",
        editions=held,
        editions_computed_at=edition_loyalty.computed_at(),
        retention_chart=edition_loyalty.retention_chart(held),
        segments=edition_loyalty.segments(),
        measures=loyalty.by_segment(),
        computed_at=loyalty.computed_at(),
        definitions=loyalty.DEFINITIONS,
    )


@bp.route("/loyalty.xlsx")
@requires("reports.view")
def loyalty_export():
    headers = [
        _("Show"),
        _("Audience"),
        _("Participants"),
        _("At the previous edition"),
        _("Came back"),
        _("Retention rate"),
        _("Churn rate"),
        _("Up-selling (larger booth)"),
        _("Cross-selling (exhibitors with service orders)"),
        _("Service orders"),
        _("Service order amount"),
        _("Average satisfaction"),
        _("Average NPS"),
        _("Survey answers"),
        _("Referred registrations"),
        _("Computed at"),
    ]
    rows = [
        (
            edition.show.name,
            row.audience.label,
            row.participants,
            row.previous_participants,
            row.repeat,
            row.retention,
            row.churn,
            row.up_selling,
            row.cross_selling,
            row.orders,
            row.order_amount,
            row.satisfaction,
            row.nps,
            row.answers,
            row.referrals,
            localtime(row.computed_at),
        )
        for edition in edition_loyalty.editions()
        for row in (edition.exhibitors, edition.visitors)
        if row is not None
    ]
    return xlsx_response("loyalty", headers, rows, title=_("Loyalty"))


def _kind_and_class():
    kind = matrix.SubjectKind(request.args.get("kind", "exhibitor"))
    if kind not in matrix.VALUE_KINDS:
        abort(404)
    code = request.args.get("class") or None
    return kind, ValueClass(code) if code else None


def _matrix_args():
    try:
        return _kind_and_class()
    except ValueError:
        abort(404)


@bp.route("/value/matrix")
@requires("reports.view")
def value_matrix():
    kind, value_class = _matrix_args()
    return render_template(
        "relationships/value_matrix.html",
        kind=kind,
        kinds=matrix.VALUE_KINDS,
        chosen=value_class,
        classes=list(ValueClass),
        counts=matrix.class_counts(kind),
        limits=matrix.thresholds(kind),
        strategy=matrix.STRATEGY,
        rows=matrix.customers(kind, value_class, limit=200),
    )


@bp.route("/value/matrix.json")
@requires("reports.view")
def value_matrix_data():
    kind, _value_class = _matrix_args()
    return jsonify(matrix.scatter(kind))


@bp.route("/value/matrix.xlsx")
@requires("reports.view")
def value_matrix_export():
    kind, value_class = _matrix_args()
    headers = [
        _("Customer"),
        _("Value class"),
        _("Tier"),
        _("Segment"),
        _("Historical value"),
        _("Current value"),
        _("Potential value (CLV)"),
        _("Profit per edition"),
        _("Retention rate"),
        _("Cost to serve"),
        _("Estimated"),
    ]
    rows = [
        (
            name,
            str(row.value_class.label),
            str(row.tier.label),
            segment_label(row.kind, row.segment),
            row.historical,
            row.current,
            row.potential,
            row.margin_per_edition,
            row.retention,
            row.cost_historical + row.cost_current,
            _("yes") if row.estimated else _("no"),
        )
        for row, name in matrix.customers(kind, value_class, limit=None)
    ]
    return xlsx_response(f"value-matrix-{kind.value}", headers, rows, title=_("Value matrix"))
