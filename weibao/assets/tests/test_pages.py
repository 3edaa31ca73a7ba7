"""Installed-base pages and API, the items on tickets and work orders, and who may do what."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.json_api import JsonApi
from weibao.accounts.tests.conftest import _english  # noqa: F401
from weibao.accounts.tests.factories import staff_user
from weibao.assets.models import ConfigurationItem, HandoverDocument, ItemImport
from weibao.assets.services import item_create, supplier_create
from weibao.assets.tasks import import_apply_task, import_check_task
from weibao.assets.tests.test_import import xlsx
from weibao.customers.tests.factories import (
    CustomerFactory,
    DeliveredSystemFactory,
    portal_user,
)

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager() -> Any:
    return staff_user(role_codes=["project_manager"])


@pytest.fixture
def customer() -> Any:
    customer = CustomerFactory.create(name="市第一人民医院")
    DeliveredSystemFactory.create(customer=customer, name="HIS", warranty_end=date(2020, 1, 1))
    return customer


def item(manager: Any, customer: Any, code: str, **values: Any) -> ConfigurationItem:
    return item_create(
        actor=manager,
        customer_id=customer.pk,
        values={"kind": "server", "code": code, "name": code, **values},
    )


def test_an_item_is_created_edited_and_shown_on_the_pages(manager: Any, customer: Any) -> None:
    client = login(manager)
    assert "choose-customer" in client.get(reverse("assets:create")).content.decode()
    form = {
        "customer": customer.pk,
        "kind": "server",
        "code": "SRV-01",
        "name": "数据库服务器",
        "status": "in_use",
        "warranty_end": "2099-01-01",
    }
    created = client.post(reverse("assets:create") + f"?customer={customer.pk}", form)
    assert created.status_code == 302
    server = ConfigurationItem.objects.get(code="SRV-01")

    again = client.post(reverse("assets:create") + f"?customer={customer.pk}", form)
    assert again.status_code == 400 and 'data-testid="error-code"' in again.content.decode()

    edit = reverse("assets:edit", args=[server.pk])
    assert client.post(edit, {**form, "location": "3F", "row_version": 1}).status_code == 302
    stale = client.post(edit, {**form, "location": "4F", "row_version": 1})
    assert stale.status_code == 400 and "Someone else changed this item" in stale.content.decode()

    page = client.get(reverse("assets:detail", args=[server.pk])).content.decode()
    assert "Free under warranty" in page and "SRV-01" in page
    listing = client.get(
        reverse("assets:list"), {"customer": customer.pk, "warranty": "active"}
    ).content.decode()
    assert 'data-testid="item"' in listing and "SRV-01" in listing

    client.post(
        reverse("assets:components", args=[server.pk]), {"components": "硬盘 | SN1 | 2030-01-01\n电源"}
    )
    assert list(server.components.values_list("name", flat=True)) == ["电源", "硬盘"]
    app = item(manager, customer, "APP")
    client.post(reverse("assets:relate", args=[app.pk]), {"kind": "runs_on", "target": "SRV-01"})
    assert app.relations_out.get().target == server
    unknown = client.post(reverse("assets:relate", args=[app.pk]), {"kind": "runs_on", "target": "NOPE"})
    assert unknown.status_code == 400 and 'data-testid="error-target"' in unknown.content.decode()


def test_an_import_runs_from_upload_to_done_on_the_pages(manager: Any, customer: Any) -> None:
    client = login(manager)
    upload = xlsx([["SRV-01", "服务器", "server", "HIS", None, None, None, None, None, None]])
    response = client.post(reverse("assets:imports"), {"customer": customer.pk, "file": upload})
    job = ItemImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("assets:import", args=[job.pk])
    polling = client.get(
        reverse("assets:import", args=[job.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert 'hx-trigger="every 1s"' in polling  # the progress bar polls while the worker checks

    import_check_task(job.pk)
    ready = client.get(reverse("assets:import", args=[job.pk])).content.decode()
    assert 'data-testid="confirm-import"' in ready and 'data-testid="import-preview"' in ready
    assert client.post(reverse("assets:import_confirm", args=[job.pk])).status_code == 302
    import_apply_task(job.pk)
    done = client.get(reverse("assets:import", args=[job.pk])).content.decode()
    assert 'data-status="done"' in done and ConfigurationItem.objects.filter(code="SRV-01").exists()


def test_a_bad_import_shows_its_errors_and_offers_the_report(manager: Any, customer: Any) -> None:
    client = login(manager)
    client.post(
        reverse("assets:imports"),
        {"customer": customer.pk, "file": xlsx([["A", "", "server"], ["B", "b", "toaster"]])},
    )
    job = ItemImport.objects.get()
    import_check_task(job.pk)
    page = client.get(reverse("assets:import", args=[job.pk])).content.decode()
    assert 'data-testid="import-errors"' in page and 'data-testid="confirm-import"' not in page
    report = client.get(reverse("assets:import_errors", args=[job.pk]))
    rows = list(load_workbook(io.BytesIO(report.content)).worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [2, 3]
    bad = client.post(
        reverse("assets:imports"), {"customer": customer.pk, "file": SimpleUploadedFile("a.txt", b"x")}
    )
    assert bad.status_code == 400 and 'data-testid="error-file"' in bad.content.decode()


def test_export_and_template_are_excel_files(manager: Any, customer: Any) -> None:
    item(manager, customer, "SRV-01")
    client = login(manager)
    exported = client.get(reverse("assets:export"), {"customer": customer.pk})
    rows = list(load_workbook(io.BytesIO(exported.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == "SRV-01"
    template = client.get(reverse("assets:import_template"))
    assert len(list(load_workbook(io.BytesIO(template.content)).worksheets[0].iter_rows())) == 1


def test_handover_page_uploads_waives_and_lists_what_is_missing(manager: Any, customer: Any) -> None:
    system = customer.systems.get()
    client = login(manager)
    upload = SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4", content_type="application/pdf")
    assert (
        client.post(
            reverse("assets:handover_upload", args=[system.pk]), {"kind": "acceptance", "file": upload}
        ).status_code
        == 302
    )
    client.post(reverse("assets:handover_waive", args=[system.pk]), {"kind": "drawing", "reason": "纯软件"})
    page = client.get(reverse("assets:handover", args=[system.pk])).content.decode()
    assert "4 kinds missing" in page
    document = HandoverDocument.objects.get()
    assert client.get(reverse("assets:handover_download", args=[document.pk])).status_code == 200
    stranger = login(portal_user(customer=CustomerFactory.create()))
    assert stranger.get(reverse("assets:handover_download", args=[document.pk])).status_code == 404
    owner = login(portal_user(customer=customer))
    assert owner.get(reverse("assets:handover", args=[system.pk])).status_code == 200


def test_the_api_scopes_items_and_refuses_stale_updates(manager: Any, customer: Any) -> None:
    api = JsonApi(manager)
    created = api.post(
        "/items", {"customer_id": customer.pk, "kind": "network", "code": "SW-1", "name": "交换机"}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["row_version"] == 1 and body["effective_warranty_end"] == "2020-01-01") or body[
        "system_id"
    ] is None
    patched = api.send("patch", f"/items/{body['id']}", {"row_version": 1, "location": "机房"})
    assert patched.status_code == 200 and patched.json()["row_version"] == 2
    stale = api.send("patch", f"/items/{body['id']}", {"row_version": 1, "location": "x"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    bad = api.post("/items", {"customer_id": customer.pk, "kind": "network", "code": "SW-1", "name": "again"})
    assert bad.status_code == 422 and bad.json()["field"] == "code"

    other = item(manager, CustomerFactory.create(), "OTHER")
    portal = JsonApi(portal_user(customer=customer))
    assert [i["code"] for i in portal.get("/items").json()["items"]] == ["SW-1"]
    assert portal.get(f"/items/{other.pk}").status_code == 404
    assert portal.get("/entitlement", customer_id=other.customer_id).status_code == 404
    decided = portal.get("/entitlement", customer_id=customer.pk, item_ids=str(body["id"])).json()
    assert decided["service_type"] == "paid" and "SW-1" in decided["reason"]
    assert (
        portal.post(
            "/items", {"customer_id": customer.pk, "kind": "server", "code": "X", "name": "x"}
        ).status_code
        == 403
    )


def test_the_import_api(manager: Any, customer: Any) -> None:
    api = JsonApi(manager)
    upload = xlsx([["SRV-01", "服务器", "server", None, None, None, None, None, None, None]])
    started = api.client.post(
        "/api/v1/items/imports", {"customer_id": customer.pk, "file": upload}, headers=api.headers
    )
    assert started.status_code == 201, started.content
    job_id = started.json()["id"]
    import_check_task(job_id)
    assert api.get(f"/items/imports/{job_id}").json()["status"] == "ready"
    assert api.post(f"/items/imports/{job_id}/confirm").status_code == 202
    import_apply_task(job_id)
    assert api.get(f"/items/imports/{job_id}").json()["status"] == "done"
    assert api.post(f"/items/imports/{job_id}/confirm").status_code == 409


# --------------------------------------------------------------------------- the permission matrix

ROLES = [
    "agent",
    "support_engineer",
    "ops_engineer",
    "project_manager",
    "service_manager",
    "finance",
    "admin",
]
# role -> (sees items, manages items, sees stock, manages stock)
MATRIX = {
    "agent": (True, False, False, False),
    "support_engineer": (True, False, True, False),
    "ops_engineer": (True, True, True, False),
    "project_manager": (True, True, True, False),
    "service_manager": (True, True, True, True),
    "finance": (True, False, False, False),
    "admin": (True, True, True, True),
}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_items_and_stock(role: str, customer: Any) -> None:
    user = staff_user(role_codes=[role])
    sees_items, manages_items, sees_stock, manages_stock = MATRIX[role]
    client = login(user)
    api = JsonApi(user)
    assert (client.get(reverse("assets:list")).status_code == 200) is sees_items
    assert (client.get(reverse("assets:imports")).status_code == 200) is manages_items
    created = api.post(
        "/items", {"customer_id": customer.pk, "kind": "server", "code": f"S-{role}", "name": "x"}
    )
    assert created.status_code == (201 if manages_items else 403)
    assert (client.get(reverse("inventory:list")).status_code == 200) is sees_stock
    part = api.post("/parts", {"code": f"P-{role}", "name": "x"})
    assert part.status_code == (201 if manages_stock else 403)
    supplier = api.post("/suppliers", {"name": f"供应商 {role}"})
    assert supplier.status_code == (201 if manages_items else 403)


def test_portal_users_read_their_items_and_change_nothing(manager: Any, customer: Any) -> None:
    mine = item(manager, customer, "MINE")
    theirs = item(manager, CustomerFactory.create(), "THEIRS")
    user = portal_user(customer=customer)
    client = login(user)
    listing = client.get(reverse("assets:list")).content.decode()
    assert "MINE" in listing and "THEIRS" not in listing
    assert client.get(reverse("assets:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("assets:edit", args=[mine.pk])).status_code == 403
    assert client.get(reverse("assets:imports")).status_code == 403
    assert client.get(reverse("inventory:list")).status_code == 403
    supplier_create(actor=manager, name="华为")
    assert JsonApi(user).post("/suppliers", {"name": "x"}).status_code == 403
