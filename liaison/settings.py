"""Liaison settings, read from the environment.

``LIAISON_ENV`` picks the defaults: ``production`` (the default: secure, every secret required),
``development`` (``make demo``: DEBUG on, embedded SQLite) or ``test`` (the pytest suite).
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

from liaison.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("LIAISON_VAR_DIR", str(BASE_DIR / "var")))

ENVIRONMENT = env_str("LIAISON_ENV", "production")
if ENVIRONMENT not in {"production", "development", "test"}:
    raise ValueError(f"LIAISON_ENV must be production, development or test, not {ENVIRONMENT!r}.")
IS_PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", ENVIRONMENT == "development")
if IS_PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
else:
    SECRET_KEY = env_str("SECRET_KEY", f"insecure-{ENVIRONMENT}-only-key-never-use-in-production")

# Keys for fields encrypted at rest (liaison.core.fields): the first encrypts, all decrypt.
# Generate one with: python -c "from cryptography.fernet import Fernet;
#                                print(Fernet.generate_key().decode())"
if IS_PRODUCTION:
    FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
    if not FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured("The environment variable FIELD_ENCRYPTION_KEYS must be set.")
else:
    FIELD_ENCRYPTION_KEYS = env_list(
        "FIELD_ENCRYPTION_KEYS",
        [base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()],
    )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "liaison.accounts.apps.LiaisonAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # trigram search lookups; inert on SQLite
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "django_countries",
    "liaison.core",
    "liaison.accounts",
    "liaison.audit",
    "liaison.taxonomy",
    "liaison.registry",
    "liaison.surveys",
    "liaison.insights",
    "liaison.opportunities",
    "liaison.matching",
    "liaison.placements",
    "liaison.remittances",
    "liaison.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "liaison.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "liaison.accounts.middleware.StaffMfaRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "liaison.urls"
WSGI_APPLICATION = "liaison.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "liaison" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "liaison.accounts.context_processors.navigation",
            ],
        },
    }
]

# Database: DATABASE_URL, e.g. postgres://user:password@host:5432/liaison. Outside production the
# embedded SQLite database lives in the git-ignored var/ folder.
_default_db = None if IS_PRODUCTION else f"sqlite:///{VAR_DIR / 'liaison.sqlite3'}"
if not IS_PRODUCTION:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_db),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if IS_PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # The suite's database is a file, like the one the demo serves, rather than SQLite's
    # shared-cache memory database, whose table locks fail at once where a file's wait: two
    # connections at once then behave as they do for users. One file per test process.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    # A second connection to the same database, so that task progress written during a long
    # transaction is visible to the pages polling it (see liaison.core.progress).
    DATABASES["progress"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache"
        if IS_PRODUCTION
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "liaison_cache",
    }
}

# Accounts ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "liaison.accounts.backends.RolePermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = False
# django-axes locks an account after AXES_FAILURE_LIMIT failures; allauth's looser limits catch
# floods across many accounts from one address.
ACCOUNT_RATE_LIMITS = {"login_failed": "30/m/ip,20/5m/key"}
ACCOUNT_ADAPTER = "liaison.accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Liaison] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Liaison")

# Brute-force lockout: after AXES_FAILURE_LIMIT failures for one account, logins for that
# account are refused for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address", "user_agent"]]
AXES_USERNAME_CALLABLE = "liaison.accounts.lockout.username_from_request"
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_VERBOSE = False

# Sessions end after SESSION_IDLE_MINUTES without activity and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 60) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A signed-in respondent's unsent survey answers are kept this long after their last use
# (``surveys.retention``; anonymous ones only as long as the session).
SURVEY_DRAFT_DAYS = env_int("SURVEY_DRAFT_DAYS", 30)

# Security ------------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", IS_PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if IS_PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", IS_PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", IS_PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", IS_PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Uploads larger than this are refused before they reach a view's logic.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("UPLOAD_MAX_MEMORY_BYTES", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
LIAISON_MAX_UPLOAD_BYTES = env_int("LIAISON_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)

# Email ---------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Liaison <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Administrators", a) for a in env_list("ADMIN_EMAILS")]

# Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "liaison" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "UTC")
# Kosovo has no ISO 3166 code yet; XK is the user-assigned code the European Union, the World
# Bank's files (XKX, KSV) and the migrant stock estimates use. Its diaspora is counted, so it is
# a country here like any other.
COUNTRIES_OVERRIDE = {"XK": {"name": gettext_lazy("Kosovo"), "alpha3": "XKX"}}

# Static files: built by `npm run build` into liaison/static/dist, collected for production and
# served by WhiteNoise with far-future cache headers.
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "liaison" / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
if not IS_PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing

# API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["liaison.accounts.api.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "liaison.core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "1200/min"},
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
}
REST_KNOX = {"TOKEN_TTL": None, "AUTO_REFRESH": False, "TOKEN_PREFIX": "lia_"}
SPECTACULAR_SETTINGS = {
    "TITLE": "Liaison API",
    "DESCRIPTION": "Reference data, taxonomy and the registry of a diaspora engagement office.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    # Organisations, opportunities and quotas share the registry's sectors: one enum.
    # Package items and placements' compensation share one list of items; a placement's state
    # appears as its state and as the two ends of each transition.
    "ENUM_NAME_OVERRIDES": {
        "SectorEnum": "liaison.registry.models.Organisation.Sector",
        "PackageItemKindEnum": "liaison.opportunities.models.PackageItem.Kind",
        "PlacementStateEnum": "liaison.placements.models.State",
    },
}

# Background tasks ----------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Reference data ------------------------------------------------------------------------------
# Folder holding the official ESCO CSV download, offered to administrators for import.
LIAISON_ESCO_PATH = env_str(
    "LIAISON_ESCO_PATH", "" if IS_PRODUCTION else str(BASE_DIR.parent / "shared" / "data" / "esco")
)

# Logging: one JSON object per line on stderr, ready for a log collector.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(levelname)s %(name)s: %(message)s"},
    },
    "filters": {"request_context": {"()": "liaison.core.logging.RequestContextFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if env_bool("LOG_JSON", IS_PRODUCTION) else "plain",
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# The version of the privacy notice people consent under; raise it when the notice changes.
LIAISON_PRIVACY_NOTICE_VERSION = env_str("LIAISON_PRIVACY_NOTICE_VERSION", "2026-11")
LIAISON_DEFAULT_SUPPRESSION_THRESHOLD = env_int("LIAISON_SUPPRESSION_THRESHOLD", 5)
# The country whose diaspora this installation serves (ISO 3166 alpha-2), for external estimates
# such as the World Bank's migrant stocks. The demo data's origin outside production.
LIAISON_ORIGIN_COUNTRY = env_str("LIAISON_ORIGIN_COUNTRY", "" if IS_PRODUCTION else "PH").upper()
SITE_NAME = env_str("LIAISON_SITE_NAME", "Liaison")
# The address people reach this installation at, for links in emails sent outside a request
# (survey invitations of placements), e.g. https://liaison.example.gov
LIAISON_BASE_URL = env_str(
    "LIAISON_BASE_URL", "" if IS_PRODUCTION else "http://localhost:8000"
).rstrip("/")
