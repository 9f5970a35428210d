"""Settings shared by every mode. Values that differ per deployment come from the environment."""

import os

from .env import BASE_DIR, VAR_DIR, database_from_env, env_bool, env_list, secret_key

PRODUCTION = False
SECRET_KEY = secret_key(production=False)
DEBUG = env_bool("FANGXIN_DEBUG", False)
ALLOWED_HOSTS = env_list("FANGXIN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("FANGXIN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "fangxin.core",
    "fangxin.organisation",
    "fangxin.accounts",
    "fangxin.merchants",
    "fangxin.credit",
    "fangxin.campaign",
    "fangxin.triage",
    "fangxin.complaints",
    "fangxin.inspections",
    "fangxin.alerts",
    "fangxin.stats",
    "fangxin.content",
    "fangxin.supervision",
    "fangxin.opendata",
    "fangxin.workbench",
    "fangxin.portal",
    "fangxin.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fangxin.core.middleware.FriendlyErrorsMiddleware",  # a missing stored file is a 404; a bare 405 gets a page
    "fangxin.core.ratelimit.RateLimitMiddleware",  # public forms, tracking, logins: 429 before the view runs
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fangxin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fangxin.workbench.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": database_from_env(VAR_DIR / "fangxin.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Lockout (django-axes): 5 failures for one username from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("FANGXIN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("FANGXIN_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root before collectstatic
STATICFILES_DIRS = [BASE_DIR / "fangxin" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Security headers. HTTPS-only settings are switched on in production.py.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the <meta> tag, not the cookie
CSRF_FAILURE_VIEW = "fangxin.portal.views.csrf_failure"

# Every script and style comes from our own static files: no inline code, no third-party origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

FANGXIN_SITE_URL = os.environ.get("FANGXIN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
FANGXIN_SITE_NAME = "放心消费创建"
FANGXIN_CITY_REGION_CODE = os.environ.get("FANGXIN_CITY_REGION_CODE", "150800")
FANGXIN_REFERENCE_DIR = BASE_DIR / "data" / "reference"
FANGXIN_VAR_DIR = VAR_DIR

# Where SMS and email go. The outbox backend keeps every message readable in the workbench and needs no
# gateway; a deployment names its SMS gateway adapter here (an import path to a class with send()).
FANGXIN_NOTIFY_BACKENDS = {
    "sms": os.environ.get("FANGXIN_SMS_BACKEND", "fangxin.core.notify.OutboxBackend"),
    "email": os.environ.get("FANGXIN_EMAIL_BACKEND", "fangxin.core.notify.OutboxBackend"),
}
# Complaint evidence: up to 5 files of at most 10 MB each in one form post.
FANGXIN_EVIDENCE_MAX_FILES = 5
FANGXIN_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FANGXIN_LOG_LEVEL", "WARNING")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# `fangxin demo` runs these in order; each module has load(*, rng, actor, stdout). Later capabilities append.
FANGXIN_DEMO_STEPS = [
    "fangxin.merchants.demo",
    "fangxin.accounts.demo",
    "fangxin.campaign.demo",
    "fangxin.complaints.demo",
    "fangxin.campaign.titles.demo",
    "fangxin.credit.demo",
    "fangxin.inspections.demo",
    "fangxin.alerts.demo",
    "fangxin.content.demo",
    "fangxin.supervision.demo",  # after alerts: its evaluation counts the demo warnings
    "fangxin.stats.demo",  # last: rebuilds the rollups after the bulk loaders
]

# Topic settings, each in its own module so that the documentation and the owner of each topic are easy to find.
from .caching import *  # noqa: E402, F403
from .privacy import *  # noqa: E402, F403
from .ratelimits import *  # noqa: E402, F403
from .uploads import *  # noqa: E402, F403
