"""Staff pages: the company list and export, company create/edit, detail, contacts, invitations."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from expo_crm.actions import user_action
from expo_crm.auth.models import StaffUser
from expo_crm.auth.permissions import Role, requires
from expo_crm.db import db
from expo_crm.documents.excel import xlsx_response
from expo_crm.exhibitors import accounts as portal_services
from expo_crm.exhibitors.booths import halls
from expo_crm.exhibitors.companies import (
    CompanyFilters,
    add_contact,
    company_query,
    create_company,
    find_duplicates,
    get_company_or_404,
    lifecycle_stages,
    normalize_tax_id,
    update_company,
)
from expo_crm.exhibitors.contracts import contracts_of
from expo_crm.exhibitors.forms import CompanyForm, ContactForm, SimpleActionForm
from expo_crm.exhibitors.models import (
    Application,
    ApplicationState,
    Booth,
    BoothAssignment,
    Company,
    Contact,
    Payment,
)
from expo_crm.exhibitors.payments import outstanding
from expo_crm.exhibitors.views import bp
from expo_crm.relationships.models import LifecycleStage
from expo_crm.shows import services as shows

PER_PAGE = 50
EXPORT_LIMIT = 100_000


def _filters() -> CompanyFilters:
    args = request.args
    return CompanyFilters(
        q=args.get("q", "").strip()[:100],
        show_id=args.get("show", type=int),
        state=args.get("state", ""),
        hall=args.get("hall", "").strip()[:20],
        owner_id=args.get("owner", type=int),
        stage=args.get("stage", ""),
        sort=args.get("sort", "name"),
    )


def _owners() -> list[StaffUser]:
    return list(
        db.session.scalars(
            sa.select(StaffUser)
            .where(StaffUser.active.is_(True), StaffUser.role.in_([Role.sales, Role.admin]))
            .order_by(StaffUser.name)
        )
    )


@bp.route("/")
@requires("exhibitors.view")
def company_list():
    filters = _filters()
    pagination = db.paginate(company_query(filters), per_page=PER_PAGE, max_per_page=PER_PAGE)
    ids = [c.id for c in pagination.items]
    states, booths = {}, {}
    if ids and filters.show_id:
        states = dict(
            db.session.execute(
                sa.select(Application.company_id, Application.state).where(
                    Application.company_id.in_(ids), Application.show_id == filters.show_id
                )
            ).all()
        )
        for company_id, number in db.session.execute(
            sa.select(BoothAssignment.company_id, Booth.number)
            .join(Booth)
            .where(BoothAssignment.company_id.in_(ids), BoothAssignment.show_id == filters.show_id)
        ):
            booths.setdefault(company_id, []).append(number)
    return render_template(
        "exhibitors/company_list.html",
        pagination=pagination,
        filters=filters,
        states=states,
        booths=booths,
        shows=shows.list_shows(),
        halls=halls(filters.show_id),
        owners=_owners(),
        application_states=ApplicationState,
        lifecycle=lifecycle_stages(ids),
        lifecycle_stages=LifecycleStage,
    )


@bp.route("/export.xlsx")
@requires("exhibitors.view")
def company_export():
    filters = _filters()
    owners = {u.id: u.name for u in db.session.scalars(sa.select(StaffUser))}
    header = [
        _("Id"),
        _("Name (Chinese)"),
        _("Name (English)"),
        _("Unified social credit code / tax id"),
        _("Country"),
        _("Province"),
        _("City"),
        _("Industry"),
        _("Product categories"),
        _("Size"),
        _("Website"),
        _("Owner"),
        _("Primary contact"),
        _("Email"),
        _("Phone"),
    ]

    def rows():
        query = company_query(filters).limit(EXPORT_LIMIT)
        primary = {
            c.company_id: c
            for c in db.session.scalars(
                sa.select(Contact).where(
                    Contact.is_primary.is_(True),
                    Contact.company_id.in_(query.with_only_columns(Company.id).order_by(None)),
                )
            )
        }
        for company in db.session.scalars(query.execution_options(yield_per=1000)):
            contact = primary.get(company.id)
            yield [
                company.id,
                company.name_zh,
                company.name_en,
                company.tax_id or "",
                company.country,
                company.province,
                company.city,
                company.industry,
                company.product_categories,
                company.size.label if company.size else "",
                company.website,
                owners.get(company.owner_id, ""),
                contact.name if contact else "",
                contact.email if contact else "",
                contact.phone if contact else "",
            ]

    return xlsx_response("exhibitors.xlsx", header, rows(), title=_("Exhibitors"))


def _save_company(form: CompanyForm, company: Company | None):
    """Create or update; on a likely duplicate show the existing records instead (unless confirmed)."""
    values = form.values()
    duplicates = find_duplicates(
        values["name_zh"],
        values["name_en"],
        values["tax_id"],
        exclude_id=company.id if company else None,
    )
    tax = normalize_tax_id(values["tax_id"])
    same_tax = [d for d in duplicates if tax and d.tax_id == tax]
    if same_tax or (duplicates and form.confirm_new.data != "1"):
        form.confirm_new.data = "" if same_tax else "1"
        return None, duplicates, bool(same_tax)
    with user_action() as action:
        if company is None:
            company = create_company(**values)
            action.succeeded_with(_("Company %(name)s created.", name=company.name))
        else:
            update_company(company, **values)
            action.succeeded_with(_("Company saved."))
    return (company if action.done else None), [], False


@bp.route("/new", methods=["GET", "POST"])
@requires("exhibitors.manage")
def company_create():
    form = CompanyForm(owners=_owners())
    if request.method == "GET":
        form.owner_id.data = current_user.id
    duplicates, blocked = [], False
    if form.validate_on_submit():
        company, duplicates, blocked = _save_company(form, None)
        if company is not None:
            return redirect(url_for("exhibitors.company_detail", company_id=company.id))
    return render_template(
        "exhibitors/company_form.html",
        form=form,
        company=None,
        duplicates=duplicates,
        blocked=blocked,
    )


@bp.route("/<int:company_id>/edit", methods=["GET", "POST"])
@requires("exhibitors.manage")
def company_edit(company_id: int):
    company = get_company_or_404(company_id)
    form = CompanyForm(obj=company, owners=_owners())
    if request.method == "GET":
        form.size.data = company.size.value if company.size else ""
    duplicates, blocked = [], False
    if form.validate_on_submit():
        saved, duplicates, blocked = _save_company(form, company)
        if saved is not None:
            return redirect(url_for("exhibitors.company_detail", company_id=company.id))
    return render_template(
        "exhibitors/company_form.html",
        form=form,
        company=company,
        duplicates=duplicates,
        blocked=blocked,
    )


@bp.route("/<int:company_id>")
@requires("exhibitors.view")
def company_detail(company_id: int):
    company = get_company_or_404(company_id)
    applications = list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.company_id == company.id)
            .order_by(Application.created_at.desc())
        )
    )
    assignments = list(
        db.session.scalars(
            sa.select(BoothAssignment)
            .where(BoothAssignment.company_id == company.id)
            .order_by(BoothAssignment.assigned_at.desc())
        )
    )
    contracts = contracts_of(company.id)
    payments = (
        list(
            db.session.scalars(
                sa.select(Payment)
                .where(Payment.contract_id.in_([c.id for c in contracts]))
                .order_by(Payment.paid_at.desc())
            )
        )
        if contracts
        else []
    )
    from expo_crm.relationships.services import timeline

    return render_template(
        "exhibitors/company_detail.html",
        company=company,
        applications=applications,
        assignments=assignments,
        contracts=contracts,
        payments=payments,
        outstanding={c.id: outstanding(c) for c in contracts},
        interactions=timeline("exhibitor", company.id, limit=10),
        portal_users={u.contact_id: u for u in portal_services.portal_users_of(company.id)},
        contact_form=ContactForm(formdata=None),
        action_form=SimpleActionForm(),
        timeline_url=_timeline_url(company.id),
    )


def _timeline_url(company_id: int) -> str | None:
    """The relationships area's full timeline page, if it offers one."""
    from werkzeug.routing import BuildError

    for endpoint, args in (
        ("relationships.timeline", {"kind": "exhibitor", "subject_id": company_id}),
        ("relationships.exhibitor_timeline", {"company_id": company_id}),
    ):
        try:
            return url_for(endpoint, **args)
        except BuildError:
            continue
    return None


@bp.route("/<int:company_id>/contacts", methods=["POST"])
@requires("exhibitors.manage")
def contact_add(company_id: int):
    company = get_company_or_404(company_id)
    form = ContactForm()
    if not form.validate_on_submit():
        flash(
            _(
                "The contact was not added: %(problems)s",
                problems="; ".join(
                    f"{form[k].label.text}: {', '.join(map(str, v))}"
                    for k, v in form.errors.items()
                ),
            ),
            "error",
        )
    else:
        with user_action(_("Contact added.")):
            add_contact(
                company,
                name=form.name.data,
                email=form.email.data or "",
                phone=form.phone.data or "",
                title=form.title.data or "",
                locale=form.locale.data,
                is_primary=form.is_primary.data,
            )
    return redirect(url_for("exhibitors.company_detail", company_id=company.id) + "#contacts")


@bp.route("/<int:company_id>/contacts/<int:contact_id>/invite", methods=["POST"])
@requires("exhibitors.manage")
def contact_invite(company_id: int, contact_id: int):
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.company_id != company_id:
        abort(404)
    if not SimpleActionForm().validate_on_submit():
        abort(400)
    with user_action() as action:
        portal_services.invite_contact(contact, invited_by_id=current_user.id)
        login_email = portal_services.portal_login_of(contact).email
        action.succeeded_with(
            _("An invitation to the exhibitor portal was sent to %(email)s.", email=login_email)
        )
    return redirect(url_for("exhibitors.company_detail", company_id=company_id) + "#contacts")
