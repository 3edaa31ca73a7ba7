"""weibao.core.api_errors: every error answers {"detail", "code"} (+ "field") with its status."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from ninja import Router, Schema

from weibao.accounts.tests.api_client import api_client
from weibao.core.errors import Conflict, NotFound, PermissionDenied, Throttled, ValidationFailed

router = Router()


class Payload(Schema):
    name: str
    count: int


ERRORS: dict[str, Exception] = {
    "validation": ValidationFailed("Bad name.", field="name"),
    "denied": PermissionDenied("No."),
    "missing": NotFound("Gone."),
    "conflict": Conflict("Closed.", code="already_closed"),
    "throttled": Throttled("Slow down."),
    "http404": Http404("x"),
    "dne": ObjectDoesNotExist("x"),
    "django403": DjangoPermissionDenied("x"),
}


@router.get("/raise/{kind}")
def raise_(request: Any, kind: str) -> None:
    raise ERRORS[kind]


@router.post("/payload")
def payload(request: Any, data: Payload) -> dict[str, Any]:
    return {"ok": True}


@router.get("/query")
def query(request: Any, limit: int) -> dict[str, Any]:
    return {"limit": limit}


@pytest.fixture
def client() -> Any:
    return api_client(("", router))


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        ("validation", 422, {"detail": "Bad name.", "code": "validation_error", "field": "name"}),
        ("denied", 403, {"detail": "No.", "code": "permission_denied"}),
        ("missing", 404, {"detail": "Gone.", "code": "not_found"}),
        ("conflict", 409, {"detail": "Closed.", "code": "already_closed"}),
        ("throttled", 429, {"detail": "Slow down.", "code": "throttled"}),
    ],
)
def test_domain_errors(client: Any, kind: str, status: int, body: dict[str, Any]) -> None:
    response = client.get(f"/raise/{kind}")
    assert response.status_code == status
    assert response.json() == body


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [("http404", 404, "not_found"), ("dne", 404, "not_found"), ("django403", 403, "permission_denied")],
)
def test_django_errors(client: Any, kind: str, status: int, code: str) -> None:
    response = client.get(f"/raise/{kind}")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_body_validation_is_422_with_field(client: Any) -> None:
    response = client.post("/payload", json={"name": "x", "count": "many"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["field"] == "count"
    assert body["detail"]
    assert body["errors"][0]["field"] == "count"


def test_missing_body_field(client: Any) -> None:
    response = client.post("/payload", json={"count": 1})
    assert response.status_code == 422
    assert response.json()["field"] == "name"


def test_query_validation(client: Any) -> None:
    response = client.get("/query?limit=abc")
    assert response.status_code == 422
    assert response.json()["field"] == "limit"
