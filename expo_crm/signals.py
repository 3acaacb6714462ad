"""Signals by which lower layers tell higher ones what happened, without knowing who listens.

Receivers run in the sender's transaction: what they write commits or rolls back with the
event itself. Each signal's sender is the id of the thing it is about."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# A mail was handed over to the SMTP server (expo_crm.mail.jobs). Keyword arguments:
# subject_ref (SubjectKind, id) or None, subject, notes, show_id, at.
mail_handed_over = _signals.signal("mail-handed-over")

# The SMTP server refused a mail after it was handed over, or staff resent it: the hand-over
# no longer stands. No keyword arguments.
mail_handover_undone = _signals.signal("mail-handover-undone")

# A badge was admitted for the first time at a gate (expo_crm.visitors.checkin). Keyword
# arguments: visitor_id, show_id, gate, at, and execute(statement, params), which runs a
# statement in the scan's own transaction (receivers write with it, not with the session).
badge_admitted = _signals.signal("badge-admitted")

# A contract was cancelled (expo_crm.exhibitors.contracts). Keyword arguments: contract,
# reason (as the person typed it).
contract_cancelled = _signals.signal("contract-cancelled")

# A contract's amounts were taken in again (expo_crm.exhibitors.contracts). Keyword arguments:
# contract, before_total (the total before), after_total.
contract_repriced = _signals.signal("contract-repriced")

# An exhibitor scanned a visitor's badge at its booth (expo_crm.exhibitors.leads), a first
# scan or a repeat. Keyword arguments: company_id, show_id, visitor_id, at.
lead_scanned = _signals.signal("lead-scanned")
