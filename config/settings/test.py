"""Settings for the test suite (pytest-django). DATABASE_URL still chooses the database."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import STORAGES

SECRET_KEY = "test-only-secret-key-not-for-production-0123456789abcdefghijklmnop"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Uploads go to a folder of this process's own (a pytest-xdist worker, or a manage.py child
# a test starts), made only when a file is first saved. Under pytest, tests/conftest.py
# points it at a session temporary folder instead and removes that folder at the end.
MEDIA_ROOT = Path(tempfile.gettempdir()) / f"portal-test-media-{os.getpid()}"
# WhiteNoise serves the source folders (WHITENOISE_USE_FINDERS); no collected files, so no
# STATIC_ROOT to warn about.
STATIC_ROOT = None
# Each test process keeps its own cache (a shared folder would mix the workers' tests).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {**STORAGES}
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
