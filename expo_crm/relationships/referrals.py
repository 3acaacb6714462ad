"""Word of mouth for customers (口碑): every exhibitor and trade visitor can share a referral
link for a show; the registrations and applications it brings are attributed to them.

The link carries a token signed with the application's secret, bound to the customer and the
show, so nothing is stored when a page shows it (a GET never writes). A token of another
show, a forged or damaged one, or one naming a customer that no longer exists attributes
nothing. The nightly valuation turns the attributions into the seeds' word-of-mouth value
影响力 × 影响范围 × 平均购买价 (valuation.py)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from expo_crm.relationships.subjects import get_subject
from expo_crm.subjects import SubjectKind

SALT = "relationships.referral"
# The kinds that hand out referral links, and the letter naming each inside a token.
REFERRING_KINDS = {SubjectKind.exhibitor: "e", SubjectKind.visitor: "v"}
_BY_LETTER = {letter: kind for kind, letter in REFERRING_KINDS.items()}
# The columns of a registration or application that say who referred it.
REFERRER_COLUMNS = {
    SubjectKind.exhibitor: "referrer_company_id",
    SubjectKind.visitor: "referrer_visitor_id",
}


@dataclass(frozen=True)
class Referrer:
    kind: SubjectKind
    subject_id: int

    @property
    def column(self) -> str:
        return REFERRER_COLUMNS[self.kind]

    def attribution(self) -> dict[str, int]:
        """The referrer column of a registration or application, set to this customer."""
        return {self.column: self.subject_id}


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def referral_token(kind: SubjectKind | str, subject_id: int, show_id: int) -> str:
    """The token of a customer's referral link for one show (the same every time)."""
    kind = SubjectKind(kind)
    if kind not in REFERRING_KINDS:
        raise ValueError(f"{kind.value} customers do not hand out referral links")
    return _serializer().dumps([REFERRING_KINDS[kind], int(subject_id), int(show_id)])


def referrer_for(token: str | None, show_id: int) -> Referrer | None:
    """Who a token refers for, if it is genuine, of this show and its customer exists."""
    if not token or len(token) > 200:
        return None
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return None
    if not (isinstance(payload, list) and len(payload) == 3):
        return None
    letter, subject_id, token_show_id = payload
    kind = _BY_LETTER.get(letter)
    if kind is None or not isinstance(subject_id, int) or token_show_id != show_id:
        return None
    if not 0 < subject_id < 2**31:
        return None
    if get_subject(kind, subject_id) is None:
        return None
    return Referrer(kind, subject_id)
