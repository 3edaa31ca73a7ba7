"""``python manage.py export_openapi [--output PATH] [--check]``: the committed OpenAPI document.

Integrations rely on the API's shape, so its schema is committed as ``docs/api/openapi.json`` and
regenerated with every API change; ``--check`` (run by ``make test``) fails when it has drifted.
The output is deterministic: sorted keys, fixed indentation, no server URLs or timestamps, and
rendered in English whatever the active language.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from ninja.responses import NinjaJSONEncoder

DEFAULT_OUTPUT = "docs/api/openapi.json"
# Enough of a diff to see what changed, not a wall of text in CI logs.
MAX_DIFF_LINES = 60


def render_openapi() -> str:
    """The API's OpenAPI document as the exact text committed in the repository."""
    from config.api import api  # the top of the project; core only reaches it when asked

    with translation.override("en"):
        schema: dict[str, Any] = api.get_openapi_schema()
        schema.pop("servers", None)  # depend on where it is served from, not on the API
        # Round-trip first: response codes are int keys in ninja's dict and strings in JSON.
        plain = json.loads(json.dumps(schema, cls=NinjaJSONEncoder))
        text = json.dumps(plain, indent=2, sort_keys=True, ensure_ascii=False)
    return text + "\n"


def default_output_path() -> Path:
    return Path(settings.BASE_DIR) / DEFAULT_OUTPUT


class Command(BaseCommand):
    help = "Write the API's OpenAPI document (default docs/api/openapi.json); --check fails if it is stale."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            default=DEFAULT_OUTPUT,
            help=f"File to write or check, relative to the project ({DEFAULT_OUTPUT})",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit non-zero when the file differs from the API",
        )

    def handle(self, *args: Any, output: str, check: bool, **options: Any) -> None:
        path = Path(output)
        if not path.is_absolute():
            path = Path(settings.BASE_DIR) / path
        text = render_openapi()
        if check:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                diff = list(
                    difflib.unified_diff(
                        current.splitlines(),
                        text.splitlines(),
                        f"{output} (committed)",
                        f"{output} (API)",
                        lineterm="",
                    )
                )
                shown = "\n".join(diff[:MAX_DIFF_LINES])
                more = (
                    f"\n... {len(diff) - MAX_DIFF_LINES} more diff lines"
                    if len(diff) > MAX_DIFF_LINES
                    else ""
                )
                raise CommandError(
                    f"{output} is out of date with the API. "
                    "Run `python manage.py export_openapi` and commit it.\n"
                    f"{shown}{more}"
                )
            self.stdout.write(f"{output} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {output}.")
