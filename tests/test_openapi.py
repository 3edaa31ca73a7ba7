"""docs/api/openapi.json matches the API (drift check), and the API has the shape the issue promises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from weibao.core.management.commands.export_openapi import default_output_path, render_openapi

ACTIONS = (
    "assign", "start", "pend", "resume", "resolve", "verify", "close", "reopen", "cancel", "merge", "rate",
    "escalate", "collaborators", "progress",
)  # fmt: skip
# The promise to integrations: these paths and methods exist (DESIGN.md, API conventions).
REQUIRED = {
    "/api/v1/tickets": {"get", "post"},
    "/api/v1/tickets/counts": {"get"},
    "/api/v1/tickets/{ticket_id}": {"get", "patch"},
    "/api/v1/tickets/by-number/{number}": {"get"},
    "/api/v1/tickets/{ticket_id}/comments": {"get", "post"},
    "/api/v1/tickets/{ticket_id}/events": {"get"},
    "/api/v1/tickets/{ticket_id}/attachments": {"get", "post"},
    "/api/v1/attachments/{attachment_id}/download": {"get"},
    "/api/v1/categories": {"get"},
    "/api/v1/priority-matrix": {"get"},
    **{f"/api/v1/tickets/{{ticket_id}}/{action}": {"post"} for action in ACTIONS},
}
# Mounted by the accounts and customers apps.
REQUIRED_ELSEWHERE = {"/api/v1/customers": {"get"}, "/api/v1/users": {"get"}}

TICKET_FIELDS = {
    "id", "number", "status", "priority", "category", "urgency", "impact", "customer", "assignee",
    "reported_at", "created_at", "updated_at", "version", "allowed_actions",
}  # fmt: skip


def _schema() -> dict:
    return json.loads(render_openapi())


def test_committed_openapi_matches_the_api() -> None:
    path = default_output_path()
    assert path.exists(), "docs/api/openapi.json is missing: run `python manage.py export_openapi`"
    committed = path.read_text(encoding="utf-8")
    assert committed == render_openapi(), (
        "docs/api/openapi.json has drifted from the API: run `python manage.py export_openapi` and commit it"
    )


def test_rendering_is_deterministic() -> None:
    first = render_openapi()
    assert first == render_openapi()
    assert first.endswith("}\n")
    assert "servers" not in json.loads(first)


@pytest.mark.parametrize(("path", "methods"), sorted({**REQUIRED, **REQUIRED_ELSEWHERE}.items()))
def test_required_paths_exist(path: str, methods: set[str]) -> None:
    paths = _schema()["paths"]
    assert path in paths, f"{path} missing from the API"
    assert methods <= set(paths[path]), f"{path}: {methods - set(paths[path])} missing"


def test_ticket_schema_has_the_promised_fields() -> None:
    properties = _schema()["components"]["schemas"]["TicketOut"]["properties"]
    assert properties.keys() >= TICKET_FIELDS


def test_security_schemes_cover_bearer_tokens() -> None:
    schemes = _schema()["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_check_command_passes_when_current_and_fails_on_drift(tmp_path: Path) -> None:
    call_command("export_openapi", "--check")
    stale = tmp_path / "openapi.json"
    stale.write_text('{"openapi": "3.1.0"}\n', encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("export_openapi", "--check", "--output", str(stale))
    call_command("export_openapi", "--output", str(stale))
    assert stale.read_text(encoding="utf-8") == render_openapi()
    call_command("export_openapi", "--check", "--output", str(stale))


@pytest.mark.django_db
def test_schema_and_docs_are_served() -> None:
    client = Client()
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Weibao API"
    assert client.get("/api/v1/docs").status_code == 200
