"""One way to perform what a user asked for in a view.

    with user_action(_("Partner saved.")) as action:
        services.update_partner(partner, **form.values())
    if action.done:
        return redirect(...)

The message may be set inside the block when it names what was made
(`action.succeeded_with(...)`); a view that shows the refusal next to a field instead of as a
flash message passes `flash_refusal=False` and reads `action.refused`.

On success the transaction is committed and the message flashed; a UserError rolls the
transaction back and flashes its message instead; any other exception propagates and becomes
a server error (the request's session is rolled back at teardown)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import flash

from expo_crm.db import db
from expo_crm.errors import UserError


@dataclass
class Action:
    message: str | None = None
    category: str = "success"
    done: bool = False
    refused: UserError | None = field(default=None)

    def succeeded_with(self, message: str, category: str = "success") -> None:
        """The success message, when it names what the action made (or is only "info")."""
        self.message, self.category = message, category


@contextmanager
def user_action(message: str | None = None, *, flash_refusal: bool = True) -> Iterator[Action]:
    action = Action(message=message)
    try:
        yield action
    except UserError as refused:
        db.session.rollback()
        action.refused = refused
        if flash_refusal:
            flash(str(refused), "error")
        return
    db.session.commit()
    action.done = True
    if action.message:
        flash(action.message, action.category)
