"""Test profile: SQLite in a temp file unless DATABASE_URL points at the throwaway PostgreSQL."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

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
# Uploaded files of a test run go to a throwaway folder, never into var/media.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="weibao-test-media-"))
# Tests do not collectstatic; an existing (empty) root keeps WhiteNoise from warning on every request.
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="weibao-test-static-"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not ":memory:": an in-memory database shared between threads fails at once with "table is
    # locked" instead of waiting, so concurrency tests need the real file-locking behaviour. pytest-django
    # suffixes the name per xdist worker.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("WEIBAO_TEST_SQLITE")
        or str(Path(tempfile.gettempdir()) / f"weibao-test-{os.getppid()}.sqlite3")
    }
# The webhook tests post to a receiver on 127.0.0.1 over plain HTTP.
WEBHOOK_ALLOW_HTTP = True
