"""OpenAPI 3.0 description of the JSON API, written by hand from docs/contracts.md (check-in API).

Kept beside the code it describes and checked against it by the schemathesis run in
tests/attack/test_openapi.py: a route that answers something this file does not promise
fails the suite. Add every new route under /api/ here.
"""

from __future__ import annotations

import copy

from expo_crm.visitors.checkin import MAX_GATE, MAX_NONCE
from expo_crm.visitors.models import RegistrationCategory

# Printable text with at least one character that is not white space (no control characters).
_PRINTABLE = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _answer(description: str, schema: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


_VISITOR = {
    "name": {"type": "string", "description": "The visitor's name as registered."},
    "company": {
        "type": "string",
        "description": "The visitor's company; empty when none was given.",
    },
    "category": {"type": "string", "enum": [c.value for c in RegistrationCategory]},
    "category_label": {"type": "string", "description": "The category in the server's language."},
}
_FIRST_ENTRY = {
    "first_entry_at": {
        "type": "string",
        "format": "date-time",
        "description": "First admission, ISO 8601 UTC.",
    },
    "first_entry_gate": {"type": "string", "description": "Gate of the first admission."},
}


_BADGE_SHOW = {
    "badge_show_id": {
        "type": "integer",
        "description": "When the badge is for another show: that show's id.",
    },
    "badge_show": {
        "type": "string",
        "description": "When the badge is for another show: that show's name, in the server's language.",
    },
}


def _found(
    results: list[str], *, first_entry_required: bool = False, other_show: bool = False
) -> dict:
    """An answer for a badge that was found: the visitor is named, never anything more."""
    required = ["result", "name", "company", "category"] + (
        list(_FIRST_ENTRY) if first_entry_required else []
    )
    return {
        "type": "object",
        "required": required,
        "additionalProperties": False,
        "properties": {"result": {"type": "string", "enum": results}}
        | _VISITOR
        | _FIRST_ENTRY
        | (_BADGE_SHOW if other_show else {}),
    }


_SPEC: dict = {
    "openapi": "3.0.3",
    "info": {
        "title": "expo-crm API",
        "version": "1.0.0",
        "description": (
            "JSON API of expo-crm. Gate devices authenticate with a bearer token created by "
            "`expo-crm tokens create --role gate --show ID`; the token belongs to one show."
        ),
    },
    "paths": {
        "/api/v1/checkins": {
            "post": {
                "operationId": "createCheckin",
                "summary": "Record one gate scan and answer whether the visitor may pass.",
                "description": (
                    "Every scan is stored, refused ones too. A request repeated with the same nonce "
                    "from the same device returns the first answer and records nothing new. An unknown, "
                    "malformed or forged code is answered 404 `unknown` and never says which. "
                    "A scan queued offline carries `scanned_at` and is stored at that time; one "
                    "older than the badge's last entry or exit is stored and answered as the "
                    "badge's current state answers it, but changes nothing."
                ),
                "security": [{"gateToken": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/CheckinRequest"}
                        }
                    },
                },
                "responses": {
                    "201": _answer(
                        "`admitted` (first entry), `readmitted` (entry after an exit, where the "
                        "show allows re-entry) or `exited`.",
                        "CheckinRecorded",
                    ),
                    "400": _answer(
                        "The request itself is malformed (not the code), its JSON nests more "
                        "than 8 levels deep, or `scanned_at` is unreadable or outside the "
                        "accepted window; nothing is stored.",
                        "BadRequest",
                    ),
                    "401": _error("Missing, unknown or revoked gate token."),
                    "403": _answer(
                        "`not_valid_now`: another show's badge (the body then names that show "
                        "in `badge_show`), outside the open days, or a re-entry the show does not "
                        "allow.",
                        "CheckinNotValidNow",
                    ),
                    "404": _answer(
                        "`unknown`: no such badge, or a malformed or forged code.", "CheckinUnknown"
                    ),
                    "409": {
                        "description": (
                            "`already_inside`: an entry scan while the visitor is inside; "
                            "`not_inside`: an exit scan while the visitor is not inside."
                        ),
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        {"$ref": "#/components/schemas/CheckinAlreadyInside"},
                                        {"$ref": "#/components/schemas/CheckinNotInside"},
                                    ]
                                }
                            }
                        },
                    },
                    "410": _answer(
                        "`revoked`: the badge was cancelled or replaced.", "CheckinRevoked"
                    ),
                    "413": _error("The request body is larger than 4 KB; nothing is stored."),
                    "503": _error(
                        "The database is busy or unreachable; nothing was stored. Send the same "
                        "request (same nonce) again after `Retry-After` seconds."
                    )
                    | {"headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 0}}}},
                },
            },
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This description.",
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                },
            },
        },
    },
    "components": {
        "securitySchemes": {
            "gateToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "A gate device token (`expo-crm tokens create --role gate`).",
            },
        },
        "schemas": {
            "CheckinRequest": {
                "type": "object",
                "required": ["code", "gate", "nonce"],
                "properties": {
                    "code": {"type": "string", "description": "The QR text read from the badge."},
                    "gate": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": MAX_GATE,
                        "pattern": _PRINTABLE,
                        "example": "W1",
                    },
                    "direction": {"type": "string", "enum": ["in", "out"], "default": "in"},
                    "nonce": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": MAX_NONCE,
                        "pattern": _PRINTABLE,
                        "description": "Unique per scan on this device, e.g. a UUID.",
                        "example": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
                    },
                    "scanned_at": {
                        "type": "string",
                        "format": "date-time",
                        "nullable": True,
                        "description": (
                            "For a scan queued offline: when it was scanned (ISO 8601; UTC when "
                            "no zone is given). Accepted from 24 hours before to 2 minutes after "
                            "the server's time, otherwise 400. Omit it for a scan sent at once."
                        ),
                        "example": "2026-05-12T09:30:00+08:00",
                    },
                },
            },
            "CheckinRecorded": _found(["admitted", "readmitted", "exited"]),
            "CheckinAlreadyInside": _found(["already_inside"], first_entry_required=True),
            "CheckinNotInside": _found(["not_inside"]),
            "CheckinRevoked": _found(["revoked"]),
            "CheckinNotValidNow": _found(["not_valid_now"], other_show=True),
            "CheckinUnknown": {
                "type": "object",
                "required": ["result"],
                "additionalProperties": False,
                "properties": {"result": {"type": "string", "enum": ["unknown"]}},
            },
            "BadRequest": {
                "type": "object",
                "required": ["error", "detail"],
                "properties": {
                    "error": {"type": "string", "enum": ["bad_request"]},
                    "detail": {"type": "string"},
                },
            },
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
            },
        },
    },
}


def openapi_document() -> dict:
    """A fresh copy, so a caller can never change what the next request is served."""
    return copy.deepcopy(_SPEC)
