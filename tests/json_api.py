"""A JSON client for /api/v1/ with one user's Bearer token (the real URLconf, auth and error handlers)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

BASE = "/api/v1"


class JsonApi:
    def __init__(self, user: Any) -> None:
        from weibao.accounts.services import api_token_create

        self.client = Client(raise_request_exception=False)
        self.headers: dict[str, str] = {}
        if user is not None:
            _token, raw = api_token_create(actor=user, name="tests")
            self.headers["Authorization"] = f"Bearer {raw}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params, headers=self.headers)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body) if body is not None else ""
        call = getattr(self.client, method)
        return call(BASE + path, data=data, content_type="application/json", headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.send("post", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self.send("put", path, body)

    def delete(self, path: str) -> Any:
        return self.send("delete", path)
