"""Test profile: SQLite in a temp file unless DATABASE_URL points at the throwaway PostgreSQL."""

from __future__ import annotations

import os

from .base import *  # noqa: F403
from .base import DATABASES

SECRET_KEY = "weibao-test-key"  # noqa: S105 - tests only
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; argon2 is tested explicitly
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_TASK_ALWAYS_EAGER = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("WEIBAO_TEST_SQLITE", "")} if os.environ.get(
        "WEIBAO_TEST_SQLITE"
    ) else {}
