"""Settings for bench/load.sh: the production settings, minus what needs HTTPS.

The load run talks plain HTTP to gunicorn on 127.0.0.1. Production marks the session and
CSRF cookies Secure, and an HTTP client never sends a Secure cookie back, so login would
fail; it also redirects to HTTPS and sends HSTS. Those four are turned off here, and so are
the second factor and the forced change of a one-time password (locust's users log in with a
password only: the run measures the pages, not the login ceremony). Everything else is
production's: DEBUG off, the SECRET_KEY and FIELD_ENCRYPTION_KEY checks (load.sh makes
random ones), WhiteNoise serving the collected and compressed static files with a manifest,
django-axes, CSP, sessions, the audit log, logging.
"""

from config.settings.production import *  # noqa: F403

SECURE_COOKIES = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
PORTAL_REQUIRE_SECOND_FACTOR = False
PORTAL_FORCE_PASSWORD_CHANGE = False
