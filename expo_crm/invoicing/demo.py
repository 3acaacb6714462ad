"""Demo invoicing: the organiser's details, invoices of the signed contracts of the shows to
come (some paid with receipts, some overdue), a credit note and a fapiao request."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from expo_crm.db import db
from expo_crm.exhibitors.models import Contract, ContractState, Payment
from expo_crm.invoicing import fapiao, services
from expo_crm.invoicing.models import CreditCause, FapiaoKind, Invoice

# A unified social credit code with a right check character (GB 32100-2015).
ORGANISER_TAX_ID = "91310000MA1FL0000N"


def seed(ctx) -> None:
    services.save_issuer(
        code="CIHF",
        name_zh="上海国际五金展览有限公司",
        name_en="Shanghai International Hardware Exhibitions Co., Ltd.",
        tax_id=ORGANISER_TAX_ID,
        address="上海市浦东新区龙阳路2345号",
        phone="021-2890 6666",
        bank="中国银行上海市浦东分行",
        account="4388 5821 0093",
        tax_rate=Decimal("0.06"),
    )
    invoiced = []
    for show in (ctx.current, ctx.future):
        contracts = db.session.scalars(
            sa.select(Contract)
            .where(Contract.show_id == show.id, Contract.state == ContractState.signed)
            .order_by(Contract.id)
            .limit(12)
        ).all()
        for contract in contracts:
            invoice = services.issue_invoice(contract.id)
            invoiced.append(invoice)
            for payment in db.session.scalars(
                sa.select(Payment).where(Payment.contract_id == contract.id)
            ):
                services.issue_receipt(payment.id)
    if invoiced:
        services.credit_invoice(
            invoiced[0].id, CreditCause.corrected, "公司名称有误，重新开具", Decimal("100.00")
        )
    _fapiao_request(invoiced)
    ctx.notes.append(
        f"invoiced {len(invoiced)} contracts "
        f"({db.session.scalar(sa.select(sa.func.count(Invoice.id)))} documents)"
    )


def _fapiao_request(invoiced: list[Invoice]) -> None:
    for invoice in invoiced:
        company = invoice.company
        if company.tax_id and company.name_zh:
            try:
                fapiao.check_request(
                    {"kind": "normal", "title": company.name_zh, "tax_id": company.tax_id}
                )
            except fapiao.FapiaoError:
                continue
            fapiao.request_fapiao(
                company.id,
                invoice.contract_id,
                {
                    "kind": FapiaoKind.normal.value,
                    "title": company.name_zh,
                    "tax_id": company.tax_id,
                },
                None,
            )
            return
