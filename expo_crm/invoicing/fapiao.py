"""Fapiao requests: the exhibitor says what its fapiao (发票) must show; finance issues it in
the tax system and records its number and date here, and the exhibitor sees them."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from expo_crm import audit, clock, taxids
from expo_crm.db import db
from expo_crm.errors import UserError
from expo_crm.exhibitors.models import Contract, ContractState
from expo_crm.invoicing.accounts import contract_account
from expo_crm.invoicing.models import FapiaoKind, FapiaoRequest, FapiaoState
from expo_crm.invoicing.services import organiser_today

SPECIAL_FIELDS = ("address", "phone", "bank", "account")


class FapiaoError(UserError):
    """A fapiao request refused; `fields` names the message for each field that is wrong."""

    def __init__(self, fields: dict[str, str]):
        super().__init__(" ".join(fields.values()))
        self.fields = fields


def _field_labels() -> dict[str, str]:
    return {
        "address": _("Address"),
        "phone": _("Phone"),
        "bank": _("Bank"),
        "account": _("Account number"),
    }


def tax_id_message(code: str) -> str | None:
    problem = taxids.problem_with(code)
    if problem == "length":
        return _("A unified social credit code has 18 characters; this one has %(n)d.", n=len(code))
    if problem == "characters":
        return _(
            "A unified social credit code uses digits and capital letters other than I, O, S, V and Z."
        )
    if problem == "check":
        return _("The last character does not match the others: please check the code for typos.")
    return None


def check_request(values: dict) -> dict:
    """The values cleaned, or a FapiaoError naming every field that is wrong."""
    cleaned = {k: (values.get(k) or "").strip() for k in ("title", *SPECIAL_FIELDS)}
    cleaned["tax_id"] = taxids.normalize(values.get("tax_id"))
    errors: dict[str, str] = {}
    try:
        cleaned["kind"] = FapiaoKind(values.get("kind") or "")
    except ValueError:
        errors["kind"] = _("Choose the kind of fapiao.")
    if not cleaned["title"]:
        errors["title"] = _("Give the invoice title (抬头): the company's registered name.")
    if not cleaned["tax_id"]:
        errors["tax_id"] = _("Give the tax id (税号).")
    elif message := tax_id_message(cleaned["tax_id"]):
        errors["tax_id"] = message
    if cleaned.get("kind") is FapiaoKind.special:
        labels = _field_labels()
        for name in SPECIAL_FIELDS:
            if not cleaned[name]:
                errors[name] = _(
                    "%(field)s is required for a special VAT fapiao (专票).", field=labels[name]
                )
    if errors:
        raise FapiaoError(errors)
    return cleaned


def request_fapiao(
    company_id: int, contract_id: int, values: dict, portal_user_id: int | None
) -> FapiaoRequest:
    contract = db.session.get(Contract, contract_id)
    if contract is None or contract.company_id != company_id:
        raise FapiaoError({"contract": _("No such contract.")})
    cleaned = check_request(values)
    if contract.state is ContractState.cancelled:
        raise FapiaoError({"contract": _("A cancelled contract gets no fapiao.")})
    amount = contract_account(contract, organiser_today()).net_invoiced
    if amount <= 0:
        raise FapiaoError({"contract": _("Nothing has been invoiced on this contract yet.")})
    if open_request(contract.id) is not None:
        raise FapiaoError(
            {"contract": _("A fapiao request for this contract is already with our finance team.")}
        )
    request = FapiaoRequest(
        company_id=company_id,
        contract_id=contract.id,
        amount=amount,
        requested_by_id=portal_user_id,
        state=FapiaoState.requested,
        **cleaned,
    )
    db.session.add(request)
    db.session.flush()
    audit.record("fapiao.request", request, after={"contract_id": contract.id, "amount": amount})
    return request


def open_request(contract_id: int) -> FapiaoRequest | None:
    return db.session.scalar(
        sa.select(FapiaoRequest).where(
            FapiaoRequest.contract_id == contract_id,
            FapiaoRequest.state == FapiaoState.requested,
        )
    )


def record_issued(
    request_id: int, fapiao_number: str, issued_on: date | None, staff_id: int | None
) -> FapiaoRequest:
    request = db.session.scalar(
        sa.select(FapiaoRequest).where(FapiaoRequest.id == request_id).with_for_update()
    )
    if request is None:
        raise FapiaoError({"request": _("No such fapiao request.")})
    number = "".join((fapiao_number or "").split())
    errors = {}
    if not number.isdigit() or not 8 <= len(number) <= 20:
        errors["fapiao_number"] = _("A fapiao number is 8 to 20 digits.")
    if issued_on is None:
        errors["issued_on"] = _("Give the date the fapiao was issued.")
    elif issued_on > organiser_today():
        errors["issued_on"] = _("The date issued cannot be in the future.")
    if errors:
        raise FapiaoError(errors)
    if request.state is FapiaoState.issued:
        raise FapiaoError({"request": _("This fapiao has already been recorded.")})
    request.state = FapiaoState.issued
    request.fapiao_number = number
    request.fapiao_issued_on = issued_on
    request.recorded_by_id = staff_id
    request.recorded_at = clock.now()
    audit.record(
        "fapiao.issued", request, {"state": "requested"}, {"state": "issued", "number": number}
    )
    return request


def requests_of_company(company_id: int) -> list[FapiaoRequest]:
    return list(
        db.session.scalars(
            sa.select(FapiaoRequest)
            .where(FapiaoRequest.company_id == company_id)
            .order_by(FapiaoRequest.id.desc())
        )
    )


def requests_for_finance(state: FapiaoState | None) -> list[FapiaoRequest]:
    query = sa.select(FapiaoRequest).order_by(FapiaoRequest.id.desc()).limit(500)
    if state is not None:
        query = query.where(FapiaoRequest.state == state)
    return list(db.session.scalars(query))
