"""The exhibitors panel on the staff dashboard."""

from expo_crm.dashboard import dashboard_panel
from expo_crm.exhibitors import measures
from expo_crm.exhibitors.booths import booth_totals
from expo_crm.exhibitors.payments import outstanding_balances
from expo_crm.shows.choice import chosen_show


@dashboard_panel("exhibitors/panels/sales.html", "exhibitors.view", order=30, lead_for=("sales",))
def sales_panel() -> dict:
    show = chosen_show()
    if show is None:
        return {"show": None}
    return {
        "show": show,
        "totals": booth_totals(show.id),
        "balances": outstanding_balances(show.id, limit=5),
        "by_hall": measures.area_by_hall_chart(show.id),
    }
