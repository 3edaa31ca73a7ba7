"""Excel import and export of the installed base (AST-1): preview, every bad row reported, all or
nothing, updates matched on the asset tag, relations, and a file exported then imported back."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from weibao.accounts.tests.conftest import _english  # noqa: F401
from weibao.accounts.tests.factories import staff_user
from weibao.assets import selectors
from weibao.assets.choices import ImportStatus
from weibao.assets.excel import COLUMNS, write_sheet
from weibao.assets.models import ConfigurationItem, ItemImport, ItemRelation
from weibao.assets.services import (
    item_create,
    item_import_apply,
    item_import_check,
    item_import_confirm,
    item_import_start,
    supplier_create,
)
from weibao.assets.tasks import import_apply_task, import_check_task
from weibao.core.errors import Conflict, PermissionDenied, ValidationFailed
from weibao.customers.tests.factories import CustomerFactory, DeliveredSystemFactory, SiteFactory

HEADER = [
    "资产编号",
    "名称",
    "类型",
    "所属系统",
    "站点",
    "序列号",
    "供应商",
    "购买日期",
    "保修截止",
    "运行于",
]


def xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("设备清单.xlsx", out.getvalue())


@pytest.fixture
def manager() -> Any:
    return staff_user(role_codes=["project_manager"])


@pytest.fixture
def customer() -> Any:
    customer = CustomerFactory(name="市第一人民医院")
    DeliveredSystemFactory(customer=customer, name="HIS")
    SiteFactory(customer=customer, name="门诊楼")
    return customer


def run(manager: Any, customer: Any, upload: SimpleUploadedFile) -> ItemImport:
    job = item_import_start(actor=manager, customer_id=customer.pk, upload=upload)
    item_import_check(import_id=job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_a_good_file_is_previewed_then_imported_with_relations(manager: Any, customer: Any) -> None:
    supplier_create(actor=manager, name="华为")
    job = run(
        manager,
        customer,
        xlsx(
            [
                [
                    "SRV-01",
                    "数据库服务器",
                    "服务器",
                    "HIS",
                    "门诊楼",
                    2102311,
                    "华为",
                    date(2024, 3, 1),
                    "2027-03-01",
                    None,
                ],
                ["HIS-APP", "HIS 应用", "module", "HIS", None, None, None, None, None, "SRV-01"],
                [None, None, None, None, None, None, None, None, None, None],  # blank rows are skipped
                [
                    "SW-01",
                    "核心交换机",
                    "Network device",
                    None,
                    "门诊楼",
                    "SN-9",
                    None,
                    "2024/05/01",
                    None,
                    None,
                ],
            ]
        ),
    )
    assert job.status == ImportStatus.READY, job.errors
    assert (job.total_rows, job.to_create, job.to_update, job.errors) == (3, 3, 0, [])
    assert [p["code"] for p in job.preview] == ["SRV-01", "HIS-APP", "SW-01"]
    assert ConfigurationItem.objects.count() == 0  # the check writes nothing

    item_import_confirm(actor=manager, import_id=job.pk)
    item_import_apply(import_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    server = ConfigurationItem.objects.get(code="SRV-01")
    assert server.serial_number == "2102311" and server.kind == "server"  # 2102311.0 from Excel, as typed
    assert server.supplier and server.system and server.site
    assert (server.supplier.name, server.system.name, server.site.name) == ("华为", "HIS", "门诊楼")
    assert server.warranty_end == date(2027, 3, 1)
    assert ConfigurationItem.objects.get(code="SW-01").purchase_date == date(2024, 5, 1)
    assert ItemRelation.objects.get().source.code == "HIS-APP"


@pytest.mark.django_db
def test_a_file_with_bad_rows_changes_nothing_and_reports_every_bad_row(manager: Any, customer: Any) -> None:
    existing = item_create(
        actor=manager, customer_id=customer.pk, values={"kind": "server", "code": "SRV-01", "name": "旧名"}
    )
    job = run(
        manager,
        customer,
        xlsx(
            [
                ["SRV-01", "新名", "server", None, None, None, None, None, None, None],  # fine: an update
                ["SRV-02", "", "server", None, None, None, None, None, None, None],  # row 3: no name
                [
                    "SRV-03",
                    "x",
                    "toaster",
                    "ERP",
                    None,
                    None,
                    "无此供应商",
                    None,
                    None,
                    None,
                ],  # row 4: three errors
                ["SRV-04", "x", "server", None, None, None, None, "2025-01-01", "2024-01-01", None],  # row 5
                [
                    "SRV-01",
                    "again",
                    "server",
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                ],  # row 6: duplicate tag
                ["SRV-06", "x", "server", None, None, None, None, "not a date", None, "NOPE"],  # row 7
            ]
        ),
    )
    assert job.status == ImportStatus.INVALID
    by_row: dict[int, set[str]] = {}
    for error in job.errors:
        by_row.setdefault(error["row"], set()).add(error["column"])
    assert by_row == {
        3: {"名称"},
        4: {"类型", "所属系统", "供应商"},
        5: {"保修截止"},
        6: {"资产编号"},
        7: {"购买日期", "运行于"},
    }
    assert "5" in job.message
    assert list(ConfigurationItem.objects.values_list("code", "name")) == [("SRV-01", "旧名")]
    assert existing.row_version == 1
    with pytest.raises(Conflict):
        item_import_confirm(actor=manager, import_id=job.pk)


@pytest.mark.django_db
def test_the_import_checks_again_before_writing(manager: Any, customer: Any) -> None:
    job = run(manager, customer, xlsx([["A", "a", "server", "HIS", None, None, None, None, None, None]]))
    assert job.status == ImportStatus.READY
    customer.systems.update(name="HIS 6.0")  # renamed between the check and the confirmation
    item_import_confirm(actor=manager, import_id=job.pk)
    item_import_apply(import_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID and job.errors[0]["column"] == "所属系统"
    assert not ConfigurationItem.objects.exists()


@pytest.mark.django_db
def test_the_tasks_do_nothing_when_run_twice(manager: Any, customer: Any) -> None:
    job = item_import_start(
        actor=manager,
        customer_id=customer.pk,
        upload=xlsx([["A", "a", "server", None, None, None, None, None, None, None]]),
    )
    assert import_check_task(job.pk) == ImportStatus.READY
    assert import_check_task(job.pk) is None
    item_import_confirm(actor=manager, import_id=job.pk)
    assert import_apply_task(job.pk) == ImportStatus.DONE
    assert import_apply_task(job.pk) is None
    assert ConfigurationItem.objects.count() == 1


@pytest.mark.django_db
def test_files_that_are_not_a_sheet_of_items_are_refused(manager: Any, customer: Any) -> None:
    with pytest.raises(ValidationFailed) as not_xlsx:
        item_import_start(
            actor=manager, customer_id=customer.pk, upload=SimpleUploadedFile("a.xlsx", b"hello")
        )
    assert not_xlsx.value.code == "invalid_file_type"
    with pytest.raises(ValidationFailed):
        item_import_start(actor=manager, customer_id=customer.pk, upload=SimpleUploadedFile("a.csv", b"a,b"))
    with pytest.raises(PermissionDenied):
        item_import_start(actor=staff_user(role_codes=["agent"]), customer_id=customer.pk, upload=xlsx([]))
    unknown = run(manager, customer, xlsx([["A"]], header=["资产编号", "名称", "类型", "颜色"]))
    assert unknown.status == ImportStatus.INVALID and "颜色" in unknown.message
    missing = run(manager, customer, xlsx([["A"]], header=["资产编号"]))
    assert missing.status == ImportStatus.INVALID and "名称" in missing.message
    empty = run(manager, customer, xlsx([]))
    assert empty.status == ImportStatus.INVALID


@pytest.mark.django_db
def test_an_exported_file_imports_back_as_updates(manager: Any, customer: Any) -> None:
    server = item_create(
        actor=manager,
        customer_id=customer.pk,
        values={"kind": "server", "code": "SRV-01", "name": "服务器", "warranty_end": "2027-01-01"},
    )
    app = item_create(
        actor=manager, customer_id=customer.pk, values={"kind": "module", "code": "APP", "name": "应用"}
    )
    from weibao.assets.services import item_relate

    item_relate(actor=manager, source_id=app.pk, kind="runs_on", target_id=server.pk)
    content = write_sheet(
        rows=selectors.item_export_rows(
            actor=manager, filters=selectors.ItemFilters(customer_id=customer.pk)
        ),
        lang="zh-hans",
    )
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == [c.zh for c in COLUMNS]
    assert values[1][0] == "APP" and values[1][list(values[0]).index("运行于")] == "SRV-01"

    job = run(manager, customer, SimpleUploadedFile("export.xlsx", content))
    assert job.status == ImportStatus.READY and (job.to_create, job.to_update) == (0, 2), job.errors


@pytest.mark.django_db
def test_reimporting_writes_only_the_rows_that_changed(manager: Any, customer: Any) -> None:
    rows = [
        ["A", "a", "server", "HIS", None, None, None, None, None, None],
        ["B", "b", "server", None, None, None, None, None, None, None],
    ]
    for sheet in (rows, [rows[0], ["B", "b 改名", "server", None, None, None, None, None, None, None]]):
        job = run(manager, customer, xlsx(sheet))
        item_import_confirm(actor=manager, import_id=job.pk)
        item_import_apply(import_id=job.pk)
    versions = dict(ConfigurationItem.objects.values_list("code", "row_version"))
    assert versions == {"A": 1, "B": 2}
    assert ConfigurationItem.objects.get(code="B").name == "b 改名"
    assert ConfigurationItem.objects.get(code="A").system is not None
