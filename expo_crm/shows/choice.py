"""The show a staff member works on: chosen once in the menu, remembered for the session.

Pages that show one edition (attendance, the gate, the booth plan, visitor lists) ask
`chosen_show()`; without a choice, or when the chosen show is gone, it is the show staff most
likely work on now (`services.current_show()`).
"""

from __future__ import annotations

from flask import session

from expo_crm.db import db
from expo_crm.shows import services
from expo_crm.shows.models import Show

SESSION_KEY = "show_id"


def chosen_show() -> Show | None:
    show_id = session.get(SESSION_KEY)
    if isinstance(show_id, int):
        show = db.session.get(Show, show_id)
        if show is not None:
            return show
    return services.current_show()


def choose_show(show: Show) -> None:
    session[SESSION_KEY] = show.id
