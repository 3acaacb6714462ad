"""Suppliers: directory, documents and their alerts, catalogue, orders with deadlines, evaluations."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import load_workbook

from expo_crm import clock
from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.suppliers import documents, evaluations, jobs, services
from expo_crm.suppliers.models import DocumentKind, OrderState, ServiceOrder, SupplierDocument
from expo_crm.tasks.models import Task, TaskKind
from tests.factories import (
    PDF_BYTES,
    create_catalogue_item,
    create_contracted_company,
    create_service_order,
    create_show,
    create_staff,
    create_supplier,
    create_supplier_document,
)
from tests.helpers import login, post_form, text_of


def test_orders_for_and_total_skip_cancelled_orders(app):
    show = create_show()
    company = create_contracted_company(show)
    item = create_catalogue_item(show, price="120.50")
    first = create_service_order(company, item, 2)
    create_service_order(company, item, 1)
    services.move_order(first, OrderState.cancelled)
    db.session.commit()
    assert [o.quantity for o in services.orders_for(company.id, show.id)] == [2, 1]
    assert services.orders_total(company.id, show.id) == Decimal("120.50")
    assert services.orders_total(company.id, show.id + 1) == Decimal("0.00")


def test_an_order_after_the_deadline_carries_the_surcharge(app):
    show = create_show()
    company = create_contracted_company(show)
    item = create_catalogue_item(
        show, price="100", deadline=clock.now().date() - timedelta(days=2), surcharge="30"
    )
    order = create_service_order(company, item, 3)
    assert order.late and order.surcharge_pct == Decimal(30) and order.amount == Decimal("390.00")


def test_an_order_after_the_deadline_is_refused_when_late_orders_are_not_accepted(app):
    show = create_show()
    company = create_contracted_company(show)
    item = create_catalogue_item(
        show, deadline=clock.now().date() - timedelta(days=2), late_allowed=False
    )
    with pytest.raises(services.SupplierError, match="截止日期"):
        services.place_order(company.id, item, 1)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(ServiceOrder.id))) == 0


def test_an_order_moves_forward_only_and_each_move_is_audited(app):
    from expo_crm.audit.models import AuditEvent

    show = create_show()
    order = create_service_order(create_contracted_company(show), create_catalogue_item(show))
    for state in ("confirmed", "delivered", "invoiced"):
        services.move_order(order, state)
    db.session.commit()
    with pytest.raises(services.SupplierError):
        services.move_order(order, OrderState.cancelled)
    db.session.rollback()
    actions = db.session.scalars(
        sa.select(AuditEvent.after).where(
            AuditEvent.entity_type == "service_orders", AuditEvent.action == "service_order.state"
        )
    ).all()
    assert [a["state"] for a in actions] == ["confirmed", "delivered", "invoiced"]


def test_a_document_expiring_during_a_served_show_raises_one_task(app):
    owner = create_staff(Role.service)
    show = create_show(open_from=clock.now().date() + timedelta(days=30))
    supplier = create_supplier(owner=owner)
    create_catalogue_item(show, supplier)
    create_supplier_document(supplier, DocumentKind.business_licence, expires_on=show.open_from)
    create_supplier_document(supplier, DocumentKind.insurance)
    create_supplier_document(supplier, DocumentKind.safety_certificate)
    assert jobs.document_expiry_alerts(clock.now()) == 1
    assert jobs.document_expiry_alerts(clock.now()) == 0
    task = db.session.scalar(sa.select(Task))
    assert (
        task.kind is TaskKind.document_expiry
        and task.owner_id == owner.id
        and task.supplier_id == supplier.id
    )
    # Stored as an event; each reader gets the title in their own language.
    assert task.title == "" and task.params["doc"] == "business_licence"
    with force_locale("en"):
        assert "Business licence" in task.heading
    with force_locale("zh"):
        assert "营业执照" in task.heading


def test_a_missing_document_is_an_alert_too(app):
    show = create_show()
    supplier = create_supplier()
    create_catalogue_item(show, supplier)
    kinds = {a.kind for a in documents.document_alerts(supplier) if a.missing}
    assert kinds == set(DocumentKind)


def test_upload_refuses_a_file_that_is_not_pdf_png_or_jpeg_and_keeps_nothing(app, client):
    staff = create_staff(Role.service)
    supplier = create_supplier()
    login(client, staff.email)
    url = f"/suppliers/{supplier.id}/documents"
    response = post_form(
        client,
        url,
        {
            "kind": "insurance",
            "expires_on": "2030-01-01",
            "file": (BytesIO(b"MZ\x90\x00 not a pdf"), "x.pdf"),
        },
        page=f"/suppliers/{supplier.id}",
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Only PDF, PNG and JPEG files can be uploaded." in text_of(response)
    response = post_form(
        client,
        url,
        {"kind": "insurance", "expires_on": "", "file": (BytesIO(PDF_BYTES), "x.pdf")},
        page=f"/suppliers/{supplier.id}",
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "expiry date" in text_of(response)
    response = post_form(
        client,
        url,
        {"kind": "insurance", "expires_on": "2030-01-01"},
        page=f"/suppliers/{supplier.id}",
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Choose the document" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count(SupplierDocument.id))) == 0


def test_upload_refuses_a_file_over_ten_megabytes(app):
    supplier = create_supplier()
    with pytest.raises(services.SupplierError, match="10 MB"):
        documents.add_document(
            supplier,
            kind="insurance",
            expires_on=clock.now().date(),
            filename="big.pdf",
            content=b"%PDF-" + b"0" * (10 * 1024 * 1024),
        )


def test_upload_and_download_a_document(app, client):
    staff = create_staff(Role.service)
    supplier = create_supplier()
    login(client, staff.email)
    response = post_form(
        client,
        f"/suppliers/{supplier.id}/documents",
        {
            "kind": "safety_certificate",
            "expires_on": "2031-05-01",
            "number": "SC-1",
            "file": (BytesIO(PDF_BYTES), "cert.pdf"),
        },
        page=f"/suppliers/{supplier.id}",
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Document uploaded." in text_of(response) and "cert.pdf" in text_of(response)
    document = db.session.scalar(sa.select(SupplierDocument))
    download = client.get(f"/suppliers/{supplier.id}/documents/{document.id}")
    assert download.data == PDF_BYTES and download.mimetype == "application/pdf"
    assert client.get(f"/suppliers/{supplier.id + 1}/documents/{document.id}").status_code == 404


def test_supplier_page_shows_the_expiry_alert(app, client):
    show = create_show(open_from=clock.now().date() + timedelta(days=20))
    supplier = create_supplier(name_en="Bright Booths")
    create_catalogue_item(show, supplier)
    create_supplier_document(
        supplier, DocumentKind.insurance, expires_on=show.open_from - timedelta(days=1)
    )
    login(client, create_staff(Role.sales).email)
    page = text_of(client.get(f"/suppliers/{supplier.id}"))
    assert "Insurance expires on" in page and "Business licence is missing" in page


def test_staff_create_a_supplier_and_find_it_in_the_list_and_the_export(app, client):
    login(client, create_staff(Role.service).email)
    response = post_form(
        client,
        "/suppliers/new",
        {
            "name_zh": "华展搭建",
            "name_en": "Huazhan Builders",
            "category": "booth_builder",
            "locale": "zh",
            "owner_id": "0",
            "active": "y",
        },
        follow_redirects=True,
    )
    assert "Supplier Huazhan Builders added." in text_of(response)
    assert "Huazhan Builders" in text_of(client.get("/suppliers/?q=huazhan&category=booth_builder"))
    assert "Huazhan Builders" not in text_of(client.get("/suppliers/?category=catering"))
    export = client.get("/suppliers/?q=huazhan&export=xlsx")
    sheet = load_workbook(BytesIO(export.data)).active
    assert [c.value for c in sheet[2]][:2] == ["华展搭建", "Huazhan Builders"]


def test_a_supplier_needs_a_name(app, client):
    login(client, create_staff(Role.service).email)
    response = post_form(
        client,
        "/suppliers/new",
        {"name_zh": "", "name_en": "", "category": "av", "locale": "zh", "owner_id": "0"},
    )
    assert "Give the supplier a Chinese or English name." in text_of(response)


def test_staff_order_shows_the_surcharge_before_confirming(app, client):
    show = create_show()
    company = create_contracted_company(show, name_en="Acme Tools")
    item = create_catalogue_item(
        show,
        price="200",
        deadline=clock.now().date() - timedelta(days=1),
        surcharge="50",
        name_en="Extra spotlight",
    )
    login(client, create_staff(Role.service).email)
    url = f"/suppliers/orders/new/{show.id}"
    preview = post_form(client, url, {"company_id": company.id, "item_id": item.id, "quantity": 2})
    assert "a late surcharge of 50.00%" in text_of(preview) and "600.00" in text_of(preview)
    assert db.session.scalar(sa.select(sa.func.count(ServiceOrder.id))) == 0
    stale = post_form(
        client,
        url,
        {
            "company_id": company.id,
            "item_id": item.id,
            "quantity": 2,
            "confirm": "1",
            "accepted_amount": "400.00",
        },
    )
    assert "The price changed" in text_of(stale)
    done = post_form(
        client,
        url,
        {
            "company_id": company.id,
            "item_id": item.id,
            "quantity": 2,
            "confirm": "1",
            "accepted_amount": "600.00",
        },
        follow_redirects=True,
    )
    assert "placed" in text_of(done)
    order = db.session.scalar(sa.select(ServiceOrder))
    assert order.amount == Decimal("600.00") and order.channel == "staff"


def test_work_list_shows_the_suppliers_orders_and_moves_them(app, client):
    show = create_show()
    supplier = create_supplier(name_en="Power Co")
    other = create_supplier(name_en="Other Co")
    mine = create_service_order(
        create_contracted_company(show, name_en="Acme"), create_catalogue_item(show, supplier)
    )
    create_service_order(
        create_contracted_company(show, name_en="Zeta"), create_catalogue_item(show, other)
    )
    login(client, create_staff(Role.service).email)
    page = text_of(client.get(f"/suppliers/{supplier.id}/work?show_id={show.id}"))
    assert "Acme" in page and "Zeta" not in page
    response = post_form(
        client,
        f"/suppliers/orders/{mine.id}/state",
        {"state": "confirmed"},
        page=f"/suppliers/{supplier.id}/work?show_id={show.id}",
        follow_redirects=True,
    )
    assert f"Order {mine.id} is now Confirmed." in text_of(response)
    response = post_form(
        client,
        f"/suppliers/orders/{mine.id}/state",
        {"state": "invoiced"},
        page=f"/suppliers/orders/{mine.id}",
        follow_redirects=True,
    )
    assert "cannot become Invoiced" in text_of(response)
    db.session.refresh(mine)
    assert mine.state is OrderState.confirmed


def test_evaluation_score_counts_complaints_and_shows_in_supplier_choice(app, client):
    from expo_crm.relationships.models import (
        Complaint,
        ComplaintCategory,
        ComplaintSource,
        Severity,
    )

    show = create_show()
    supplier = create_supplier(name_en="Clean Co")
    db.session.add(
        Complaint(
            supplier_id=supplier.id,
            show_id=show.id,
            category=next(iter(ComplaintCategory)),
            severity=next(iter(Severity)),
            source=ComplaintSource.staff,
            description="late cleaning",
            opened_at=clock.now(),
            sla_due_at=clock.now() + timedelta(days=1),
        )
    )
    db.session.commit()
    login(client, create_staff(Role.service).email)
    response = post_form(
        client,
        f"/suppliers/{supplier.id}/evaluate/{show.id}",
        {"quality": 5, "punctuality": 4, "price": 3},
        follow_redirects=True,
    )
    assert "Evaluation saved." in text_of(response)
    evaluation = evaluations.evaluation_history(supplier.id)[0]
    assert evaluation.complaints == 1 and evaluation.score == Decimal("3.75")
    form = text_of(client.get(f"/suppliers/catalogue/new/{show.id}"))
    assert "Clean Co" in form and "score 3.75 over 1 shows" in form


def test_rating_out_of_range_is_refused(app):
    with pytest.raises(services.SupplierError):
        evaluations.evaluate(create_supplier(), create_show(), quality=6, punctuality=1, price=1)


def test_catalogue_item_form_and_list(app, client):
    show = create_show()
    supplier = create_supplier(name_en="Seat Rental")
    login(client, create_staff(Role.service).email)
    response = post_form(
        client,
        f"/suppliers/catalogue/new/{show.id}",
        {
            "supplier_id": supplier.id,
            "name_zh": "折叠椅",
            "name_en": "Folding chair",
            "unit": "pcs",
            "price": "25",
            "order_deadline": (show.move_in_date - timedelta(days=7)).isoformat(),
            "late_surcharge_pct": "20",
            "late_orders_allowed": "y",
            "active": "y",
        },
        follow_redirects=True,
    )
    assert "Service Folding chair added to the catalogue." in text_of(response)
    assert "Folding chair" in text_of(client.get(f"/suppliers/catalogue?show_id={show.id}&q=chair"))
    export = client.get(f"/suppliers/catalogue?show_id={show.id}&export=xlsx")
    assert load_workbook(BytesIO(export.data)).active["B2"].value == "Folding chair"


def test_missing_ids_are_404(app, client):
    login(client, create_staff(Role.service).email)
    for url in (
        "/suppliers/999",
        "/suppliers/999/work",
        "/suppliers/orders/999",
        "/suppliers/catalogue/999/edit",
        "/suppliers/catalogue/new/999",
        "/suppliers/999/documents/1",
    ):
        assert client.get(url).status_code == 404, url
