"""Invoicing: the organiser's details and issued invoices."""

from __future__ import annotations

from decimal import Decimal

from expo_crm.db import db, writing
from expo_crm.invoicing import services

__all__ = ["create_issuer", "create_invoice", "VALID_TAX_ID"]

# A unified social credit code whose check character is right (GB 32100-2015).
VALID_TAX_ID = "91350100M000100Y43"


def create_issuer(code: str = "EXPO", commit: bool = True):
    with writing():
        issuer = services.save_issuer(
            code=code,
            name_zh="上海国际展览有限公司",
            name_en="Shanghai International Exhibition Co., Ltd.",
            tax_id="91310000MA1FL0000N",
            address="上海市浦东新区龙阳路2345号",
            phone="021-12345678",
            bank="中国银行上海分行",
            account="4500 1234 5678",
            tax_rate=Decimal("0.06"),
        )
        if commit:
            db.session.commit()
    return issuer


def create_invoice(contract, amount=None, due_on=None, commit: bool = True):
    with writing():
        invoice = services.issue_invoice(contract.id, amount=amount, due_on=due_on)
        if commit:
            db.session.commit()
    return invoice
