"""Django settings, derived from the one typed configuration in ``lastmile.conf``."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import django_stubs_ext
from django.utils.translation import gettext_lazy as _

from lastmile import logs
from lastmile.conf import get_settings
from lastmile.conf.security import csp_directives

# Django's generic classes (ModelForm[Nas], ModelAdmin[Site], CharField[str, str])
# subscriptable at run time, as the strict type check writes them.
django_stubs_ext.monkeypatch()

CONF = get_settings()
CONF.require_secrets()
assert CONF.secret_key is not None

BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = CONF.secret_key.get_secret_value()
DEBUG = CONF.debug
ALLOWED_HOSTS = CONF.allowed_hosts
CSRF_TRUSTED_ORIGINS = CONF.csrf_trusted_origins

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "django_tables2",
    "django_filters",
    "ninja",
    "procrastinate.contrib.django",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "lastmile.core",
    "lastmile.accounts",
    "lastmile.addresses",
    "lastmile.customers",
    "lastmile.parties",
    "lastmile.contracts",
    "lastmile.subscriptions",
    "lastmile.finance",
    "lastmile.finance.gateways",
    "lastmile.network",
    "lastmile.devices",
    "lastmile.aaa",
    "lastmile.tickets",
    "lastmile.notifications",
    "lastmile.cabinet",
    "lastmile.sorm",
]

MIDDLEWARE = [
    "lastmile.core.middleware.RequestContextMiddleware",
    "lastmile.api.middleware.ApiProblemMiddleware",
    "lastmile.api.middleware.RefuseNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "lastmile.accounts.second_factor.SecondFactorMiddleware",
    "lastmile.core.middleware.ActorContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lastmile.core.middleware.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "lastmile.accounts.middleware.PrivateResponseMiddleware",
    "lastmile.cabinet.idempotency.CabinetIdempotencyMiddleware",
]

ROOT_URLCONF = "lastmile.urls"
WSGI_APPLICATION = "lastmile.wsgi.application"

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
                "lastmile.core.context_processors.lastmile",
            ],
        },
    }
]


def _database() -> dict[str, object]:
    base: dict[str, object] = {
        "ENGINE": "lastmile.db.backend",
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "application_name": "lastmile",
            # pgtrigger's triggers read this setting inside an exception block;
            # when it is undefined every row raises and rolls back a
            # subtransaction, which made bulk updates quadratic (a 50,000-row
            # billing run: 3 minutes instead of seconds; see bench/billing.py).
            "options": "-c pgtrigger.ignore={}",
        },
    }
    if CONF.database_url:
        parts = urlsplit(CONF.database_url)
        base.update(
            HOST=parts.hostname or "",
            PORT=parts.port or "",
            USER=unquote(parts.username or ""),
            PASSWORD=unquote(parts.password or ""),
            NAME=parts.path.lstrip("/") or "lastmile",
        )
    else:
        # HOST stays empty: the backend starts or reuses the embedded cluster
        # at the first connection (see lastmile.db.backend).
        base["NAME"] = CONF.db_name
    return base


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out logins first
    "lastmile.accounts.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    # Verifies (never creates) the cheap hashes of demo data; upgraded to the
    # default on first login.  Why: lastmile/customers/hashers.py.
    "lastmile.customers.hashers.DemoPBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_SECURE = CONF.session_cookie_secure
CSRF_COOKIE_SECURE = CONF.session_cookie_secure
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "lastmile.core.error_pages.csrf_failure"  # in the layout, with a way back
# HTTPS: HSTS is sent on secure requests only; behind a TLS-terminating proxy
# name the header it sets (LASTMILE_SECURE_PROXY_SSL_HEADER).
SECURE_HSTS_SECONDS = CONF.hsts_seconds
SECURE_HSTS_INCLUDE_SUBDOMAINS = CONF.hsts_include_subdomains
SECURE_SSL_REDIRECT = CONF.ssl_redirect
if CONF.secure_proxy_ssl_header:
    _proxy_header = "HTTP_" + CONF.secure_proxy_ssl_header.upper().replace("-", "_")
    SECURE_PROXY_SSL_HEADER = (_proxy_header, "https")
if CONF.content_security_policy:  # django-csp
    _csp = {"DIRECTIVES": csp_directives(CONF.content_security_policy)}
    if CONF.content_security_policy_report_only:
        CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp
    else:
        CONTENT_SECURITY_POLICY = _csp

# Login throttling on every login, by django-axes: see lastmile/accounts/throttle.py.
AXES_HANDLER = "lastmile.accounts.throttle.LoginThrottleHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = "lastmile.accounts.throttle.failure_limit"
AXES_COOLOFF_TIME = "lastmile.accounts.throttle.cool_off"
AXES_USERNAME_CALLABLE = "lastmile.accounts.throttle.account_key"
AXES_CLIENT_IP_CALLABLE = "lastmile.accounts.services.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # accounts.AuthEvent is the login log
# The login forms and the cabinet answer a lock-out themselves (a form error, a
# 429 problem), so axes' response-replacing middleware is not installed.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]
OTP_TOTP_ISSUER = "lastmile"  # second factor: lastmile/accounts/second_factor.py

LANGUAGE_CODE = CONF.language_code
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = CONF.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = CONF.static_root.resolve()
# The project-wide files (staff layout CSS, vendored htmx) live outside any
# app, so the app-directories finder alone never sees them.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic writes gzip copies next to each file; WhiteNoise serves them.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = CONF.media_root.resolve()

DJANGO_TABLES2_TEMPLATE = "core/table.html"


NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_CLASS = "lastmile.api.pagination.Pages"

LASTMILE = CONF

logs.configure(json=CONF.log_json, level=CONF.log_level)
LOGGING_CONFIG = None

# Background jobs live in each app's jobs.py.
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = "jobs"

# WhiteNoise serves what `lastmile collectstatic` put under STATIC_ROOT (the
# demo runs it; so must an install).  Only with DEBUG does it read the source
# directories through the finders, as its defaults say.
