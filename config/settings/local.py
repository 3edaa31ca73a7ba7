"""Embedded profile used by ``make run``: SQLite, filesystem broker, debug pages off by default."""

from __future__ import annotations

import os

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool

DEBUG = env_bool("DEBUG", True)
# A fixed development key is fine on loopback; production refuses to start without SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or "weibao-embedded-dev-key-not-for-production"
VAR_DIR.mkdir(parents=True, exist_ok=True)

# The embedded profile has no mail server: outbound mail is written to files in var/outbox/
# unless EMAIL_BACKEND says otherwise (docs/deploy.md).
if "EMAIL_BACKEND" not in os.environ:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "outbox")
