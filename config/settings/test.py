"""Settings for the test suite (pytest-django). DATABASE_URL still chooses the database."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import STORAGES

SECRET_KEY = "test-only-secret-key-not-for-production-0123456789abcdefghijklmnop"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-media-"))
STORAGES = {**STORAGES}
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
