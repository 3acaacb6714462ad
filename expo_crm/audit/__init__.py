"""The audit log of state changes: who, what, when, before and after.

`record()` adds the event to the current transaction, so it is written exactly when the
change it describes is committed, and vanishes with it on rollback.
"""

from __future__ import annotations

from typing import Any

from expo_crm.audit.models import AuditEvent


def _actor() -> tuple[str, int | None, str]:
    try:
        from flask import has_request_context
        from flask_login import current_user

        if has_request_context() and current_user and current_user.is_authenticated:
            kind = getattr(current_user, "kind", "user")
            return kind, current_user.id, getattr(current_user, "email", "")
    except Exception:
        pass
    return "system", None, ""


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def record(
    action: str,
    entity: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    *,
    entity_type: str | None = None,
    entity_id: int | str | None = None,
    actor: tuple[str, int | None, str] | None = None,
) -> AuditEvent:
    from flask import has_request_context, request

    from expo_crm import clock
    from expo_crm.db import db

    kind, actor_id, label = actor or _actor()
    if entity is not None:
        entity_type = entity_type or getattr(entity, "__tablename__", type(entity).__name__)
        entity_id = entity_id if entity_id is not None else getattr(entity, "id", None)
    event = AuditEvent(
        at=clock.now(),
        actor_kind=kind,
        actor_id=actor_id,
        actor_label=label,
        action=action,
        entity_type=entity_type or "",
        entity_id=str(entity_id) if entity_id is not None else None,
        before=_json_safe(before) if before else None,
        after=_json_safe(after) if after else None,
        ip=(request.remote_addr if has_request_context() else None),
    )
    db.session.add(event)
    return event


def snapshot(obj: Any, *fields: str) -> dict:
    """The named attributes of obj, ready to pass as before= or after=."""
    return {f: _json_safe(getattr(obj, f)) for f in fields}
