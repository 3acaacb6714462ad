from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from expo_crm import clock, lists
from expo_crm.actions import user_action
from expo_crm.auth import services as auth_services
from expo_crm.auth import throttle
from expo_crm.auth.permissions import Role, public, requires
from expo_crm.dashboard import dashboard_panel, panels_for
from expo_crm.db import db
from expo_crm.documents.excel import xlsx_response
from expo_crm.navigation import nav_item
from expo_crm.shows import services as shows
from expo_crm.shows.choice import chosen_show
from expo_crm.staff import editions, services
from expo_crm.staff.forms import (
    ActiveForm,
    CompleteTaskForm,
    PasswordResetForm,
    StaffCreateForm,
    StaffEditForm,
    TaskForm,
    UnlockForm,
)
from expo_crm.tasks import services as task_services
from expo_crm.tasks.models import Task, TaskKind, TaskState

bp = Blueprint("staff", __name__)
nav_item(_l("Dashboard"), "staff.dashboard", "dashboard.view", order=10)
nav_item(_l("My work"), "staff.my_work", "tasks.view", order=12)
nav_item(_l("Editions compared"), "staff.editions_page", "reports.view", order=14)
nav_item(_l("Tasks"), "staff.task_list", "tasks.view", order=80, group="service")
nav_item(_l("Team"), "staff.team", "team.view", order=85, group="admin")
nav_item(_l("Staff"), "staff.staff_list", "staff.manage", order=90, group="admin")


@bp.route("/")
@public
def index():
    if current_user.is_authenticated and getattr(current_user, "kind", None) == "exhibitor":
        return redirect(url_for("portal.home"))
    if current_user.is_authenticated:
        return redirect(url_for("staff.dashboard"))
    return redirect(url_for("auth.login"))


@bp.route("/dashboard")
@requires("dashboard.view")
def dashboard():
    return render_template("staff/dashboard.html", panels=panels_for(current_user))


@bp.route("/editions")
@requires("reports.view")
def editions_page():
    show = chosen_show()
    before, rows = editions.compare(show) if show else (None, [])
    return render_template(
        "staff/editions.html",
        show=show,
        before=before,
        rows=rows,
        trends=editions.trend_charts(show) if show else [],
    )


@dashboard_panel(
    "staff/panels/comparison.html", "reports.view", order=8, lead_for=("admin", "marketing")
)
def _comparison_panel() -> dict:
    show = chosen_show()
    if show is None:
        return {"show": None}
    before, rows = editions.compare(show)
    return {"show": show, "before": before, "rows": rows}


@dashboard_panel("staff/panels/shows.html", "shows.view", order=10)
def _shows_panel() -> dict:
    moment = clock.now()
    return {"shows": [(s, s.stage_at(moment)) for s in shows.list_shows()[:6]]}


@dashboard_panel("staff/panels/my_tasks.html", "tasks.view", order=5)
def _my_tasks_panel() -> dict:
    today = clock.now().date()
    tasks = db.session.scalars(
        task_services.task_query(owner_id=current_user.id, state="open").limit(8)
    )
    return {
        "tasks": list(tasks),
        "counts": task_services.task_counts(current_user.id, today),
        "today": today,
    }


@dashboard_panel("staff/panels/overdue.html", "tasks.view", order=6, lead_for=("service",))
def _overdue_panel() -> dict:
    today = clock.now().date()
    stmt = task_services.task_query(state="open", due="overdue", today=today)
    if not current_user.can("team.view"):
        stmt = stmt.where(Task.owner_id == current_user.id)
    return {"tasks": list(db.session.scalars(stmt.limit(8))), "today": today}


# --- tasks --------------------------------------------------------------------------------


def _task_rows(tasks):
    return [
        (
            t.id,
            t.heading,
            t.kind.label,
            t.state.label,
            t.owner.name if t.owner else "",
            t.due_date,
            t.completed_at,
            t.outcome,
        )
        for t in tasks
    ]


@bp.route("/tasks")
@requires("tasks.view")
def task_list():
    args = request.args
    mine = args.get("owner", "me") == "me"
    stmt = task_services.task_query(
        visible_for=current_user,
        owner_id=current_user.id if mine else args.get("owner", type=int),
        state=args.get("state", "open"),
        kind=args.get("kind", ""),
        due=args.get("due", ""),
        q=args.get("q", ""),
        sort=args.get("sort", "due"),
    )
    if lists.wants_excel():
        return xlsx_response(
            _("tasks"),
            [
                _("Task"),
                _("Title"),
                _("Kind"),
                _("State"),
                _("Owner"),
                _("Due date"),
                _("Completed at"),
                _("Outcome"),
            ],
            _task_rows(lists.all_rows(stmt)),
            title=_("Tasks"),
        )
    return render_template(
        "staff/tasks.html",
        pagination=lists.page_of(stmt),
        args=lists.args(),
        kinds=TaskKind,
        states=TaskState,
        owners=auth_services.staff_choices()[1:],
        today=clock.now().date(),
        owner=args.get("owner", "me"),
        state=args.get("state", "open"),
    )


@bp.route("/tasks/new", methods=["GET", "POST"])
@requires("tasks.view")
def task_create():
    form = TaskForm()
    form.owner_id.choices = auth_services.staff_choices()[1:]
    if request.method == "GET":
        form.owner_id.data = current_user.id
    if form.validate_on_submit():
        if form.owner_id.data not in {uid for uid, _name in form.owner_id.choices}:
            form.owner_id.errors.append(_("Choose an active staff member."))
        else:
            with user_action(_("Task created.")) as action:
                task = task_services.create_task(
                    form.title.data.strip(),
                    owner_id=form.owner_id.data,
                    kind=TaskKind.manual,
                    description=form.description.data or "",
                    due_date=form.due_date.data,
                    created_by_id=current_user.id,
                )
            if action.done:
                return redirect(url_for("staff.task_detail", task_id=task.id))
    return render_template("staff/task_form.html", form=form)


@bp.route("/tasks/<int:task_id>")
@requires("tasks.view")
def task_detail(task_id: int):
    task = task_services.visible_task(task_id, current_user) or abort(404)
    return render_template(
        "staff/task.html", task=task, form=CompleteTaskForm(), today=clock.now().date()
    )


@bp.route("/tasks/<int:task_id>/complete", methods=["POST"])
@requires("tasks.view")
def task_complete(task_id: int):
    task = task_services.visible_task(task_id, current_user) or abort(404)
    form = CompleteTaskForm()
    if not form.validate_on_submit():
        return render_template(
            "staff/task.html", task=task, form=form, today=clock.now().date()
        ), 400
    with user_action(_("Task closed.")):
        task_services.close_task(
            task, form.outcome.data.strip(), cancel=form.action.data == "cancel"
        )
    return redirect(url_for("staff.task_detail", task_id=task.id))


@bp.route("/my-work")
@requires("tasks.view")
def my_work():
    today = clock.now().date()
    open_tasks = list(
        db.session.scalars(
            task_services.task_query(owner_id=current_user.id, state="open", today=today).limit(200)
        )
    )
    return render_template(
        "staff/my_work.html",
        accounts=services.my_accounts(current_user.id),
        today=today,
        overdue=[t for t in open_tasks if t.due_date and t.due_date < today],
        due_today=[t for t in open_tasks if t.due_date == today],
        later=[t for t in open_tasks if not t.due_date or t.due_date > today],
    )


@bp.route("/team")
@requires("team.view")
def team():
    today = clock.now().date()
    days = request.args.get("days", 30, type=int)
    days = days if days in (7, 30, 90, 365) else 30
    rows = services.team_stats(today - timedelta(days=days - 1), today)
    rows = services.sort_team(
        rows,
        q=request.args.get("q", ""),
        role=request.args.get("role", ""),
        sort=request.args.get("sort", "name"),
    )
    if lists.wants_excel():
        return xlsx_response(
            _("team"),
            [
                _("Name"),
                _("Role"),
                _("Open tasks"),
                _("Overdue"),
                _("Tasks closed"),
                _("Closed on time"),
                _("Interactions logged"),
                _("Average satisfaction"),
            ],
            [
                (
                    r["user"].name,
                    r["user"].role.label,
                    r["open"],
                    r["overdue"],
                    r["closed"],
                    r["on_time"],
                    r["interactions"],
                    r["satisfaction"],
                )
                for r in rows
            ],
            title=_("Team"),
        )
    return render_template(
        "staff/team.html",
        pagination=lists.page_of_list(rows),
        days=days,
        args=lists.args(),
        roles=Role,
    )


# --- staff and roles ----------------------------------------------------------------------


@bp.route("/staff/users")
@requires("staff.manage")
def staff_list():
    args = request.args
    stmt = services.staff_query(
        q=args.get("q", ""),
        role=args.get("role", ""),
        active=args.get("active", ""),
        sort=args.get("sort", "name"),
    )
    if lists.wants_excel():
        return xlsx_response(
            _("staff"),
            [_("Name"), _("Email"), _("Role"), _("Active"), _("Last sign-in")],
            [
                (u.name, u.email, u.role.label, _("Yes") if u.active else _("No"), u.last_login_at)
                for u in lists.all_rows(stmt)
            ],
            title=_("Staff"),
        )
    return render_template(
        "staff/users.html", pagination=lists.page_of(stmt), args=lists.args(), roles=Role
    )


@bp.route("/staff/users/new", methods=["GET", "POST"])
@requires("staff.manage")
def staff_create():
    form = StaffCreateForm()
    if form.validate_on_submit():
        with user_action() as action:
            user = services.add_staff(
                form.email.data,
                form.name.data,
                form.password.data,
                form.role.data,
                locale=form.locale.data,
            )
            action.succeeded_with(_("%(name)s can now sign in.", name=user.name))
        if action.done:
            return redirect(url_for("staff.staff_edit", user_id=user.id))
    return render_template("staff/user_form.html", form=form, user=None)


@bp.route("/staff/users/<int:user_id>", methods=["GET", "POST"])
@requires("staff.manage")
def staff_edit(user_id: int):
    user = services.get_staff_or_404(user_id)
    form = StaffEditForm(obj=user)
    if request.method == "GET":
        form.role.data = user.role.value
    if form.validate_on_submit():
        with user_action(_("Staff member saved.")) as action:
            services.update_staff(
                user,
                name=form.name.data,
                role=form.role.data,
                locale=form.locale.data,
                acting_user_id=current_user.id,
            )
        if action.done:
            return redirect(url_for("staff.staff_edit", user_id=user.id))
    return render_template(
        "staff/user_form.html",
        form=form,
        user=user,
        active_form=ActiveForm(),
        password_form=PasswordResetForm(),
        unlock_form=UnlockForm(),
        failed_sign_ins=throttle.recent_failures("staff", user.id),
    )


@bp.route("/staff/users/<int:user_id>/active", methods=["POST"])
@requires("staff.manage")
def staff_active(user_id: int):
    user = services.get_staff_or_404(user_id)
    form = ActiveForm()
    if form.validate_on_submit() and form.active.data in ("0", "1"):
        with user_action() as action:
            services.set_staff_active(user, form.active.data == "1", acting_user_id=current_user.id)
            action.succeeded_with(
                _("%(name)s is active again.", name=user.name)
                if user.active
                else _("%(name)s is deactivated and can no longer sign in.", name=user.name)
            )
    return redirect(url_for("staff.staff_edit", user_id=user.id))


@bp.route("/staff/users/<int:user_id>/password", methods=["POST"])
@requires("staff.manage")
def staff_password(user_id: int):
    user = services.get_staff_or_404(user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        flash(_("Give a new password."), "error")
        return redirect(url_for("staff.staff_edit", user_id=user.id))
    with user_action(
        _("The password of %(name)s was reset; their open sessions have ended.", name=user.name)
    ):
        services.reset_password(user, form.password.data)
    return redirect(url_for("staff.staff_edit", user_id=user.id))


@bp.route("/staff/users/<int:user_id>/unlock", methods=["POST"])
@requires("staff.manage")
def staff_unlock(user_id: int):
    user = services.get_staff_or_404(user_id)
    if UnlockForm().validate_on_submit():
        with user_action(_("%(name)s can sign in again from any address.", name=user.name)):
            auth_services.unlock_staff(user)
    return redirect(url_for("staff.staff_edit", user_id=user.id))
