"""The production profile starts from the environment alone, before collectstatic has run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_check_runs_without_collected_static(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "WEIBAO_VAR_DIR": str(tmp_path / "var"),  # no manifest of collected static files here
        "ALLOWED_HOSTS": "weibao.example.cn",
    }
    result = _manage("check", env=env)
    assert result.returncode == 0, result.stderr
    result = _manage("migrate", "--plan", env=env)
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("SECRET_KEY", None)
    result = _manage("check", env=env)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
