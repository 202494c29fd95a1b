"""Production settings: secrets must come from the environment; HTTPS is assumed.

Check with: DJANGO_SETTINGS_MODULE=config.settings.production python manage.py check --deploy
"""

import base64

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env, env_bool, env_int

DEBUG = False

SECRET_KEY = env("SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of 50+ characters.")

SECURE_COOKIES = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# /healthz is probed over plain HTTP from the machine itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False

# Reminders' e-mail goes through the database queue; run `manage.py db_worker` beside the
# web server (README). TASKS_BACKEND may still name another backend.
TASKS = {
    "default": {"BACKEND": env("TASKS_BACKEND", "django_tasks.backends.database.DatabaseBackend")}
}
# Identity controls (等保 2.0 身份鉴别): on in production, each can be relaxed only on purpose.
PORTAL_REQUIRE_SECOND_FACTOR = env_bool("PORTAL_REQUIRE_SECOND_FACTOR", True)
PORTAL_FORCE_PASSWORD_CHANGE = env_bool("PORTAL_FORCE_PASSWORD_CHANGE", True)
PASSWORD_EXPIRY_DAYS = env_int("PASSWORD_EXPIRY_DAYS", 90)
# Personal data at rest (common.crypto): no field-encryption key, no start. A development
# key would let anyone with the source read the referrers' ID and bank numbers.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY")
if not FIELD_ENCRYPTION_KEY:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEY must be set: 32 random bytes, urlsafe base64 (generate one with "
        '`python -c "import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())"`).'
    )
try:
    _field_key = base64.urlsafe_b64decode(FIELD_ENCRYPTION_KEY.strip().encode())
except ValueError as _error:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not valid urlsafe base64.") from _error
if len(_field_key) != 32:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must decode to 32 bytes.")
