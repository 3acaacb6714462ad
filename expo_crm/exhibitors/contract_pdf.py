"""The contract as a PDF, for staff and for the exhibitor in its portal alike."""

from __future__ import annotations

from expo_crm.documents.pdf import render_pdf
from expo_crm.exhibitors.booths import assigned_booths
from expo_crm.exhibitors.contracts import service_orders
from expo_crm.exhibitors.models import Contract, ContractState
from expo_crm.exhibitors.payments import outstanding, paid_amount


def render_contract_pdf(contract: Contract, language: str) -> bytes:
    """The contract in one language (zh or en)."""
    return render_pdf(
        "exhibitors/contract.html",
        language=language,
        pdf_language=language,
        contract=contract,
        booths=assigned_booths(contract.company_id, contract.show_id),
        orders=service_orders(contract.company_id, contract.show_id),
        paid=paid_amount(contract),
        outstanding=outstanding(contract),
        contract_state=ContractState,
    )
