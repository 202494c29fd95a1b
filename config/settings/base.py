"""Settings shared by every environment; everything site-specific comes from the environment.

See the configuration table in README.md.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from .env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Where the development database and uploads live. Nothing here is created when settings are
# imported: `make setup` makes the folder (common.checks names it when it is missing), and the
# file storage makes MEDIA_ROOT's folders when it first saves a file.
VAR_DIR = Path(env("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

# Required from the environment here and in production; config.settings.local and .test
# carry fixed development values, so `make run` and `make test` need no manual step.
SECRET_KEY = env("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The district's own name ("**区" in the seed); it appears in titles and reports.
DISTRICT_NAME = env("DISTRICT_NAME", "示例区")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks.backends.database",
    "common",
    "audit",
    "notifications",
    "accounts",
    "units",
    "targets",
    "projects",
    "deposits",
    "rewards",
    "reporting",
    "closing",
    "keyprojects",
    "complaints",
    "followup",
    "workbook",
    "portal",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body: a request over UPLOAD_MAX_MB gets a 413 page.
    "common.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.locale.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session proved a second factor.
    "django_otp.middleware.OTPMiddleware",
    # Records every download and every 403 of a signed-in user in the security audit log.
    "audit.middleware.AuditTrailMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "common.middleware.AbsoluteSessionLifetimeMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After the login check: administrators stay on their pages; the second factor and a
    # due password change come before any other page (accounts.policy).
    "accounts.middleware.SecurityGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware must be last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# Django's form renderer with the <select> written in Python (common/renderers.py).
FORM_RENDERER = "common.renderers.PortalFormRenderer"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "common.context_processors.portal",
                "notifications.context_processors.inbox",
            ],
        },
    },
]


def _database_from_url(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE transactions take the write lock up front, so two writers queue
        # instead of failing with "database is locked" half-way through a transaction.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        config["CONN_MAX_AGE"] = 0
    return config


# Django's cache holds one thing: the forecast's reading of the projects (reporting.forecast,
# kept FORECAST_PIPELINE_SECONDS). In files under VAR_DIR, so the server's worker processes
# share one reading instead of each reading the projects again (0.7 s at 1.1M inflows).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}

DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"
DATABASES = {"default": _database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username/address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # The portal's policies: django-rules predicates in each app's rules.py.
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # 等保 2.0 身份鉴别: upper and lower case, a digit and a symbol. On everywhere: it checks
    # passwords people choose (forms), not the demo accounts a command sets.
    {"NAME": "accounts.validators.ComplexityValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: an idle timeout (the expiry is pushed forward by requests, at most once every
# SESSION_REFRESH_SECONDS, so a page view does not write the session each time) and an
# absolute lifetime, both in common.middleware.AbsoluteSessionLifetimeMiddleware.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_LIFETIME = env_int("SESSION_ABSOLUTE_LIFETIME", 10 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "common.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Reverse proxy: how many proxies in front of the portal append to X-Forwarded-For.
# 0 (the default) means REMOTE_ADDR is the client, and forwarded headers are ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)

# Login lockout: failures are counted per username *and* address together, so one
# mistyping clerk cannot lock out a whole office that shares one NAT address.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "common.security.client_ip"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Filled by `collectstatic` (production); WhiteNoise warns when it is missing, so `make setup`
# creates it for development.
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Outside production WhiteNoise serves straight from the source folders, so
# `make run` needs no collectstatic and works with DEBUG off.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# No inline script or style anywhere; everything comes from this origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/portal.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-striped table-hover align-middle"}
LIST_PAGE_SIZE = env_int("LIST_PAGE_SIZE", 50)
# Lists count their rows up to this many (exactly); past it they say "约/超过 N 条" instead
# of counting the whole table (common.paginator). A list export stops after its own cap.
LIST_COUNT_CAP = env_int("LIST_COUNT_CAP", 1_000)
LIST_EXPORT_MAX_ROWS = env_int("LIST_EXPORT_MAX_ROWS", 10_000)
# Early warnings (预警) of the year-end forecast appear on pages from this month on
# (DOMAIN.md: July); forecast_report's 预警 column does not wait.
FORECAST_WARNINGS_FROM_MONTH = env_int("FORECAST_WARNINGS_FROM_MONTH", 7)
# The forecast's reading of the projects' contract money still to arrive (one pass over the
# projects and their verified money: the costly part at a million inflows) is kept this long
# per period; the forecast page says when it was read (reporting.forecast.pipeline).
FORECAST_PIPELINE_SECONDS = env_int("FORECAST_PIPELINE_SECONDS", 300)

# Reminders (issue 19): e-mail through Django's framework, sent outside the request by
# django-tasks. The immediate backend (default, tests, `make run`) sends at once; production
# uses the database backend and `manage.py db_worker`. SMTP from the environment; by default
# mail is printed to the console.
TASKS = {
    "default": {"BACKEND": env("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")}
}
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "portal@localhost")
# The portal's address as users reach it, for links in e-mail.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", "http://127.0.0.1:8000")
# Inflows waiting longer than this many days go into the commerce bureau's daily digest.
REMIND_PENDING_AFTER_DAYS = env_int("REMIND_PENDING_AFTER_DAYS", 3)

MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

PORTAL_ROLE_LABELS = {
    "unit_staff": _("单位填报员"),
    "commerce": _("商务局"),
    "finance": _("财政局"),
    "leadership": _("领导"),
    "system_admin": _("系统管理员"),
    "security_admin": _("安全管理员"),
    "audit_admin": _("审计管理员"),
}

# Amounts (in 万元 / 万美元) above this are questioned as a likely 万/亿 slip before saving.
AMOUNT_SLIP_THRESHOLD = Decimal(env("AMOUNT_SLIP_THRESHOLD", "1000000"))
# Request bodies: ONE number, UPLOAD_MAX_MB, the largest request the portal accepts (an
# upload plus its form). Everything else is derived from it (README, "Upload limits"):
# - common.middleware.RequestSizeLimitMiddleware answers a larger Content-Length with a 413
#   page before the body is read;
# - Django's DATA_UPLOAD_MAX_MEMORY_SIZE (the form fields) is the same ceiling, and an
#   uploaded file above FILE_UPLOAD_MAX_MEMORY_SIZE goes to a temporary file, not memory;
# - nginx's client_max_body_size is set to UPLOAD_MAX_MB (README's proxy section);
# - every upload form's own file limit (WORKBOOK_MAX_MB, EVIDENCE_MAX_MB) is at most it.
UPLOAD_MAX_MB = env_int("UPLOAD_MAX_MB", 25)
UPLOAD_MAX_BYTES = UPLOAD_MAX_MB * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = min(UPLOAD_MAX_BYTES, 5 * 1024 * 1024)
# Evidence scans (PDF/JPEG/PNG) up to this many megabytes.
EVIDENCE_MAX_MB = min(env_int("EVIDENCE_MAX_MB", 10), UPLOAD_MAX_MB)
# 外商投诉: a unit has this many working days (common.workdays) from assignment to settle one.
COMPLAINT_DEADLINE_WORKING_DAYS = env_int("COMPLAINT_DEADLINE_WORKING_DAYS", 5)
# Status colours on the dashboard: red below this share of 序时进度 (or shrinking year on year).
PROGRESS_RED_BELOW = Decimal(env("PROGRESS_RED_BELOW", "0.8"))
# Workbook uploads (xlsx) up to this many megabytes (never above UPLOAD_MAX_MB).
WORKBOOK_MAX_MB = min(env_int("WORKBOOK_MAX_MB", 20), UPLOAD_MAX_MB)
# What an uploaded workbook may expand to before openpyxl reads it (workbook/reader.py): its
# members together, each member's compression ratio (above 1 MB), and how many members.
WORKBOOK_MAX_UNCOMPRESSED_MB = env_int("WORKBOOK_MAX_UNCOMPRESSED_MB", 200)
WORKBOOK_MAX_RATIO = env_int("WORKBOOK_MAX_RATIO", 100)
WORKBOOK_MAX_MEMBERS = env_int("WORKBOOK_MAX_MEMBERS", 1000)
# A workbook of at least this many KB on disk (about 20,000 rows) is imported with its rows
# parsed by a child process on another core (workbook/reader.py: sheet_rows). The child
# takes about a second of CPU and 80 MB to start, partly while the file is checked: about
# what reading a 0.8 MB file costs the import itself (bench_import: the same time at 0.9 MB,
# 24,000 rows; some 5 s less at 4.5 MB, 120,000 rows).
WORKBOOK_READ_IN_CHILD_KB = env_int("WORKBOOK_READ_IN_CHILD_KB", 768)

# Identity controls (等保 2.0 身份鉴别; README, "Security"). Off by default so that the demo and
# `make run` need no phone; config.settings.production switches them on.
PORTAL_REQUIRE_SECOND_FACTOR = env_bool("PORTAL_REQUIRE_SECOND_FACTOR", False)
PORTAL_FORCE_PASSWORD_CHANGE = env_bool("PORTAL_FORCE_PASSWORD_CHANGE", False)
# A password older than this many days must be changed at the next page; 0 = never expires.
PASSWORD_EXPIRY_DAYS = env_int("PASSWORD_EXPIRY_DAYS", 0)
# The name authenticator apps show next to the account.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "招商引资目标管理系统")
# ---- security audit log (audit) and personal data at rest (common.crypto) ----
# Audit records are kept at least this many days (等保 2.0: six months); purge_audit_log
# refuses a shorter setting. verify_audit_log reads the chain this many rows at a time.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180)
AUDIT_VERIFY_BATCH = env_int("AUDIT_VERIFY_BATCH", 2000)
# Field encryption (referrers' ID and bank numbers): the current key, and earlier keys that
# are still read until rotate_field_key has re-encrypted every row. Each key is 32 random
# bytes, base64 (urlsafe); production.py refuses to start without FIELD_ENCRYPTION_KEY.
# Elsewhere a key is derived from a fixed development value, so make run and make test need
# no manual step (never use those keys for real data).
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY")
FIELD_ENCRYPTION_OLD_KEYS = env_list("FIELD_ENCRYPTION_OLD_KEYS", [])
