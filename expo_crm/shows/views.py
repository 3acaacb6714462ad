from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from expo_crm import clock
from expo_crm.actions import user_action
from expo_crm.auth.permissions import public, requires
from expo_crm.auth.views import safe_next
from expo_crm.navigation import nav_item
from expo_crm.shows import branding, choice, services
from expo_crm.shows.forms import (
    BrandingForm,
    ChooseShowForm,
    CloseForSaleForm,
    ReopenForSaleForm,
    ShowForm,
)

bp = Blueprint("shows", __name__, url_prefix="/shows")
nav_item(_l("Shows"), "shows.show_list", "shows.view", order=20)


@bp.route("/")
@requires("shows.view")
def show_list():
    return render_template("shows/list.html", shows=services.list_shows())


@bp.route("/choose", methods=["POST"])
@requires("shows.view")
def choose():
    """The menu's show picker: remembers the edition for this session and returns to the page."""
    form = ChooseShowForm()
    if form.validate_on_submit():
        show = services.get_show_or_404(form.show_id.data)
        choice.choose_show(show)
        flash(_("You are working on %(name)s.", name=show.name), "success")
    else:
        flash(_("Please choose a show."), "error")
    referrer = request.referrer and urlsplit(request.referrer).path
    return redirect(safe_next(form.next.data or referrer, "/"))


@bp.route("/<int:show_id>")
@requires("shows.view")
def show_detail(show_id: int):
    show = services.get_show_or_404(show_id)
    return render_template(
        "shows/detail.html",
        show=show,
        over=show.is_over_at(clock.now()),
        reopen_form=ReopenForSaleForm(),
        close_form=CloseForSaleForm(),
    )


@bp.route("/<int:show_id>/sales/reopen", methods=["POST"])
@requires("shows.manage")
def reopen_for_sale(show_id: int):
    show = services.get_show_or_404(show_id)
    form = ReopenForSaleForm()
    if not form.validate_on_submit():
        flash(_("Please give a reason for reopening the show for sale."), "error")
    else:
        with user_action(_("The show is open for sale again.")):
            services.reopen_for_sale(show, form.reason.data, current_user.id)
    return redirect(url_for("shows.show_detail", show_id=show.id))


@bp.route("/<int:show_id>/sales/close", methods=["POST"])
@requires("shows.manage")
def close_for_sale(show_id: int):
    show = services.get_show_or_404(show_id)
    if CloseForSaleForm().validate_on_submit():
        with user_action(_("The show is closed for sale.")):
            services.close_for_sale(show)
    return redirect(url_for("shows.show_detail", show_id=show.id))


@bp.route("/new", methods=["GET", "POST"])
@requires("shows.manage")
def show_create():
    form = ShowForm()
    if form.validate_on_submit():
        with user_action() as action:
            show = services.create_show(**form.values())
            action.succeeded_with(_("Show %(name)s created.", name=show.name))
        if action.done:
            return redirect(url_for("shows.show_detail", show_id=show.id))
    return render_template("shows/form.html", form=form, show=None)


@bp.route("/<int:show_id>/edit", methods=["GET", "POST"])
@requires("shows.manage")
def show_edit(show_id: int):
    show = services.get_show_or_404(show_id)
    form = ShowForm(obj=show)
    if form.validate_on_submit():
        with user_action(_("Show saved.")) as action:
            services.update_show(show, **form.values())
        if action.done:
            return redirect(url_for("shows.show_detail", show_id=show.id))
    return render_template("shows/form.html", form=form, show=show)


@bp.route("/<int:show_id>/branding", methods=["GET", "POST"])
@requires("shows.manage")
def show_branding(show_id: int):
    show = services.get_show_or_404(show_id)
    current = branding.branding_of(show)
    form = BrandingForm(colour=current.colour if current else branding.DEFAULT_COLOUR)
    if form.validate_on_submit():
        upload = form.logo.data
        with user_action(
            _("The public pages of %(name)s carry the new look.", name=show.name)
        ) as action:
            branding.set_branding(
                show,
                colour=form.colour.data,
                logo=upload.read() if upload else None,
                remove_logo=form.remove_logo.data,
            )
        if action.done:
            return redirect(url_for("shows.show_branding", show_id=show.id))
    return render_template("shows/branding.html", show=show, form=form, branding=current)


@bp.route("/<int:show_id>/logo")
@public
def show_logo(show_id: int):
    """The logo on the public pages. An SVG is served so that nothing in it could run."""
    show = services.get_show_or_404(show_id)
    current = branding.branding_of(show)
    if current is None or current.logo is None:
        abort(404)
    response = make_response(current.logo)
    response.headers["Content-Type"] = current.logo_type
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
