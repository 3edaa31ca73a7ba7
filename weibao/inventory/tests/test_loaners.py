"""Loaner units (备用机, INV-1): lent to a customer during a repair with a due date, returned to the
shelf or into repair, never lent twice at once, overdue ones chased daily; pages and API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.json_api import JsonApi
from weibao.accounts.tests.conftest import _english  # noqa: F401
from weibao.accounts.tests.factories import staff_user
from weibao.core.errors import Conflict, PermissionDenied, ValidationFailed
from weibao.customers.tests.factories import CustomerFactory
from weibao.inventory.choices import LoanerStatus
from weibao.inventory.models import Loan, LoanerUnit
from weibao.inventory.services import (
    loan_lend,
    loan_return,
    loaner_create,
    loaner_set_status,
    loans_remind_overdue,
)
from weibao.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper() -> Any:
    return staff_user(role_codes=["service_manager"])


@pytest.fixture
def engineer() -> Any:
    return staff_user(role_codes=["support_engineer"])


@pytest.fixture
def unit(keeper: Any) -> LoanerUnit:
    return loaner_create(actor=keeper, code="BY-01", name="备用打印机", model="LQ-730K")


def test_a_unit_is_lent_returned_damaged_repaired_and_lent_again(
    keeper: Any, engineer: Any, unit: LoanerUnit
) -> None:
    hospital = CustomerFactory.create()
    due = timezone.localdate() + timedelta(days=7)
    loan = loan_lend(
        actor=engineer, unit_id=unit.pk, customer_id=hospital.pk, due_on=due, contact_name="张主任"
    )
    unit.refresh_from_db()
    assert unit.status == LoanerStatus.LENT and not loan.is_overdue
    with pytest.raises(Conflict) as busy:
        loan_lend(actor=engineer, unit_id=unit.pk, customer_id=hospital.pk, due_on=due)
    assert busy.value.code == "loaner_not_available"

    loan_return(actor=engineer, loan_id=loan.pk, condition="外壳划伤", needs_repair=True)
    unit.refresh_from_db()
    assert unit.status == LoanerStatus.IN_REPAIR
    with pytest.raises(Conflict):
        loan_return(actor=engineer, loan_id=loan.pk)
    with pytest.raises(PermissionDenied):
        loaner_set_status(actor=engineer, unit_id=unit.pk, status="available")
    loaner_set_status(actor=keeper, unit_id=unit.pk, status="available")
    loan_lend(actor=engineer, unit_id=unit.pk, customer_id=hospital.pk, due_on=due)
    assert Loan.objects.filter(unit=unit).count() == 2


def test_bad_lending_is_refused_and_the_database_allows_one_open_loan(
    keeper: Any, engineer: Any, unit: LoanerUnit
) -> None:
    hospital = CustomerFactory.create()
    with pytest.raises(ValidationFailed) as past:
        loan_lend(
            actor=engineer,
            unit_id=unit.pk,
            customer_id=hospital.pk,
            due_on=timezone.localdate() - timedelta(days=1),
        )
    assert past.value.field == "due_on"
    with pytest.raises(PermissionDenied):
        loan_lend(
            actor=staff_user(role_codes=["agent"]), unit_id=unit.pk, customer_id=hospital.pk,
            due_on=timezone.localdate(),
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        loaner_create(actor=engineer, code="BY-02", name="x")
    Loan.objects.create(unit=unit, customer=hospital, due_on=timezone.localdate())
    with pytest.raises(IntegrityError):
        Loan.objects.create(unit=unit, customer=hospital, due_on=timezone.localdate())


def test_overdue_loans_are_chased_once_a_day(keeper: Any, engineer: Any, unit: LoanerUnit) -> None:
    hospital = CustomerFactory.create(name="示范医院")
    loan = loan_lend(actor=engineer, unit_id=unit.pk, customer_id=hospital.pk, due_on=timezone.localdate())
    assert loans_remind_overdue() == 0
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert Loan.objects.get(pk=loan.pk).due_on < tomorrow
    assert loans_remind_overdue(today=tomorrow) == 1
    loans_remind_overdue(today=tomorrow)
    notes = Notification.objects.filter(title__contains="BY-01")
    assert {n.recipient_id for n in notes} == {keeper.pk, engineer.pk} and notes.count() == 2


def test_loaners_on_the_pages_and_in_the_api(keeper: Any, engineer: Any, unit: LoanerUnit) -> None:
    hospital = CustomerFactory.create(name="示范医院")
    client = Client()
    client.force_login(engineer)
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    lent = client.post(reverse("inventory:lend"), {"unit": unit.pk, "customer": hospital.pk, "due_on": due})
    assert lent.status_code == 302
    page = client.get(reverse("inventory:loaners")).content.decode()
    assert "示范医院" in page and 'data-testid="return-form"' in page
    again = client.post(reverse("inventory:lend"), {"unit": unit.pk, "customer": hospital.pk, "due_on": due})
    assert again.status_code == 400 and 'data-testid="error-unit"' in again.content.decode()
    loan = Loan.objects.get()
    assert client.post(reverse("inventory:return", args=[loan.pk]), {"condition": "完好"}).status_code == 302
    unit.refresh_from_db()
    assert unit.status == LoanerStatus.AVAILABLE

    api = JsonApi(keeper)
    created = api.post("/loaners", {"code": "BY-02", "name": "备用工作站"})
    assert created.status_code == 201
    body = api.post(
        f"/loaners/{created.json()['id']}/lend", {"customer_id": hospital.pk, "due_on": due}
    ).json()
    assert body["is_overdue"] is False
    units = {u["code"]: u for u in api.get("/loaners").json()}
    assert units["BY-02"]["status"] == "lent" and units["BY-02"]["open_loan"]["customer_id"] == hospital.pk
    assert api.post(f"/loans/{body['id']}/return", {"needs_repair": True}).json()["returned_at"]
    assert JsonApi(staff_user(role_codes=["agent"])).get("/loaners").status_code == 403
