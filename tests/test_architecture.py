"""Architecture rules from DESIGN.md that a linter cannot see, checked on the code itself."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
WEIBAO_APPS = [cfg for cfg in apps.get_app_configs() if cfg.name.startswith("weibao.")]


def _modules(package: str) -> list[ModuleType]:
    """``package`` itself, or every module of it when it is a package."""
    try:
        module = importlib.import_module(package)
    except ModuleNotFoundError:
        return []
    found = [module]
    if hasattr(module, "__path__"):
        for info in pkgutil.iter_modules(module.__path__):
            if info.name.startswith("_"):  # private plumbing of a services package
                continue
            found.append(importlib.import_module(f"{package}.{info.name}"))
    return found


def _public_functions(module: ModuleType) -> list[Callable[..., Any]]:
    return [
        obj
        for name, obj in vars(module).items()
        if inspect.isfunction(obj) and not name.startswith("_") and obj.__module__ == module.__name__
    ]


@pytest.mark.parametrize("app", WEIBAO_APPS, ids=lambda cfg: cfg.label)
def test_services_and_selectors_are_keyword_only(app) -> None:
    """Rule 1/2: ``<entity>_<verb>(*, actor, ...)``: keyword-only, typed, documented."""
    offenders = []
    for kind in ("services", "selectors"):
        for module in _modules(f"{app.name}.{kind}"):
            for func in _public_functions(module):
                params = inspect.signature(func).parameters.values()
                positional_kinds = (
                    inspect.Parameter.POSITIONAL_ONLY,
                    inspect.Parameter.POSITIONAL_OR_KEYWORD,
                )
                positional = [p.name for p in params if p.kind in positional_kinds]
                if positional:
                    offenders.append(f"{module.__name__}.{func.__name__}: positional {positional}")
                if kind == "services" and not (func.__doc__ or "").strip():
                    offenders.append(f"{module.__name__}.{func.__name__}: no docstring")
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("app", WEIBAO_APPS, ids=lambda cfg: cfg.label)
def test_every_model_has_a_docstring(app) -> None:
    missing = [
        m.__name__
        for m in app.get_models()
        if not (m.__doc__ or "").strip() or m.__doc__.startswith(f"{m.__name__}(")  # Django's generated one
    ]
    assert not missing, f"models without a docstring in {app.label}: {missing}"


def test_no_signals_drive_domain_flow() -> None:
    """Rule 3: no signals for domain flow; services call what must happen next."""
    offenders = []
    for path in (ROOT / "weibao").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if module and module.startswith("django.db.models.signals"):
                offenders.append(str(path.relative_to(ROOT)))
            if isinstance(node, ast.Name) and node.id == "receiver":
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders


def test_every_app_has_the_uniform_layout() -> None:
    """NetBox-style uniform apps: the same module names in every domain app."""
    required = {"models.py", "services", "selectors.py", "permissions.py", "urls.py", "tests"}
    for app in WEIBAO_APPS:
        if app.label == "core":
            continue
        present = {p.name.removesuffix(".py") if p.is_dir() else p.name for p in Path(app.path).iterdir()}
        present |= {p.name for p in Path(app.path).iterdir()}
        missing = {r for r in required if r not in present and f"{r}.py" not in present}
        assert not missing, f"{app.label} lacks {sorted(missing)}"
