"""Settings for the ALLFORCES site, read from the environment.

One module for every environment. Production is simply ``DEBUG`` off, which is the
default: turning it on takes ``DJANGO_DEBUG=1`` (``make run`` does that). With ``DEBUG`` off
there is no secret default — start-up stops if ``DJANGO_SECRET_KEY`` is missing.
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG off) has no default secret key: "
            "set DJANGO_SECRET_KEY to a long random value, or DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "taggit",
    "markdownx",
    "django_tasks",
    "django_tasks_db",
    "blog",
    "editorial",
]

MIDDLEWARE = [
    # An unknown Host is a 400 here, before any other middleware reads it.
    "config.middleware.AllowedHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    # /healthz is answered here: before host validation (and exempt from the HTTPS redirect)
    # so that load balancers and Docker's HEALTHCHECK need neither a host name nor TLS.
    "config.middleware.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Kept pages for anonymous readers, before sessions, locale, auth and messages (blog/cache/).
    "blog.cache.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # CORS, rate limit and the cheap ETag of /api/ (before ConditionalGet: its 304s get CORS too).
    "blog.api.middleware.ContentApiMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Anonymous reads to a replica, the rest to the primary (only with DATABASE_REPLICA_URLS).
    "config.middleware.ReplicaRoutingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # DB errors of views become a 503.
    "config.middleware.DatabaseUnavailableMiddleware",
    # Last, so it sees the view's own 404 and can turn an old Jekyll address into a 301.
    "blog.middleware.RedirectFallbackMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "blog.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Read replicas (config/routers.py): anonymous public reads go to one of them, chosen per
# request; in tests each mirrors the primary's test database.
DATABASE_REPLICAS = []
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    replica = dj_database_url.parse(url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True)
    if replica["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS must name replicas of DATABASE_URL's database engine.")
    replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{number}"] = replica
    DATABASE_REPLICAS.append(f"replica{number}")
DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]
# Seconds a browser reads the primary after a signed-in user's write (read-your-writes).
REPLICA_PIN_SECONDS = env_int("DJANGO_REPLICA_PIN_SECONDS", 10)
# How long a content change waits for the replicas before the page cache moves on again.
REPLICA_MAX_LAG_SECONDS = env_int("DJANGO_REPLICA_MAX_LAG_SECONDS", 2)

for database in DATABASES.values():
    if database["ENGINE"] == "django.db.backends.postgresql":
        # A database that is down or unreachable must fail a request fast (a friendly 503,
        # config.middleware), not hang a worker; a runaway query is cut off as well.
        database.setdefault("OPTIONS", {})
        database["OPTIONS"].setdefault("connect_timeout", env_int("DJANGO_DB_CONNECT_TIMEOUT", 2))
        database["OPTIONS"].setdefault(
            "options", f"-c statement_timeout={env_int('DJANGO_DB_STATEMENT_TIMEOUT_MS', 15000)}"
        )

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, but errors are logged and treated as misses (config/cache.py).
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "allforces",
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                "health_check_interval": 30,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Whole-page cache for anonymous readers (blog/cache/): seconds a page may be served from the
# cache (0 turns it off). A change invalidates the pages showing what changed (cache tags), and
# no page outlives the next scheduled publication, so this is only an upper bound.
PAGE_CACHE_SECONDS = env_int("DJANGO_PAGE_CACHE_SECONDS", 600)
# Card HTML, list counts and the navigation, kept under cache tags for anonymous readers
# (blog/cache/fragments.py): pages not served whole still skip most rendering. 0: off.
FRAGMENT_CACHE_SECONDS = env_int("DJANGO_FRAGMENT_CACHE_SECONDS", 600)
# What a CDN in front may keep (s-maxage). Browsers always revalidate (max-age=0, ETag → 304).
CDN_CACHE_SECONDS = env_int("DJANGO_CDN_CACHE_SECONDS", 60)
# Dotted path of a callable (or class) told the invalidated cache tags after each commit, so a
# CDN purges by tag (blog/cache/purge.py). Empty: no CDN to tell.
CDN_PURGE = os.environ.get("DJANGO_CDN_PURGE", "")

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Older hashes still verify and are upgraded to Argon2 at the next login.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Tags: "OpenAI", "openai" and "ＯｐｅｎＡＩ" are one tag (blog.models.Tag normalizes with NFKC).
TAGGIT_CASE_INSENSITIVE = True

# django-markdownx: the editor preview uses the same sanitizing renderer as the site.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "blog.rendering.render_preview"
MARKDOWNX_MEDIA_PATH = "uploads/"
MARKDOWNX_UPLOAD_MAX_SIZE = env_int("DJANGO_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]
# Uploaded images are re-encoded (metadata dropped) and shrunk to fit in this box.
MARKDOWNX_IMAGE_MAX_SIZE = {"size": (1600, 1600), "quality": 85}
# Refuse images above this many pixels before decoding them (the header alone is read), and
# cap what Pillow may allocate while decoding one.
UPLOAD_MAX_PIXELS = env_int("DJANGO_UPLOAD_MAX_PIXELS", 25_000_000)
UPLOAD_DECODE_MAX_BYTES = env_int("DJANGO_UPLOAD_DECODE_MAX_BYTES", 256 * 1024 * 1024)
# Serve uploaded media from Django (compose does; a CDN or proxy in front keeps it cheap).
SERVE_MEDIA = DEBUG or env_bool("DJANGO_SERVE_MEDIA")

# Scheduling sooner than this is publishing now, which only those who may publish now can do.
MIN_SCHEDULE_LEAD_MINUTES = env_int("DJANGO_MIN_SCHEDULE_LEAD_MINUTES", 5)

SITE_NAME = "ALLFORCES"
SITE_TAGLINE = "AI技術ガイド"
SITE_URL = os.environ.get("DJANGO_SITE_URL", "").rstrip("/")

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "ALLFORCES編集部 <editors@allforces.example>")

# -- Background tasks (config/tasks.py) -------------------------------------------------
# "database": each task is a row that `manage.py db_worker` runs (production, the compose
# `worker` service, `make worker`). "immediate": run in the web process right after the commit
# (development with `make run`, and the tests). Production refuses "immediate" (config/checks.py).
TASKS_BACKEND = os.environ.get("DJANGO_TASKS_BACKEND", "immediate" if DEBUG else "database").strip().lower()
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"DJANGO_TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}, not {TASKS_BACKEND!r}.")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND]}}
# A failed task is tried again after BASE, 2×BASE, 4×BASE … seconds, at most MAX_ATTEMPTS times in all.
TASK_MAX_ATTEMPTS = env_int("DJANGO_TASK_MAX_ATTEMPTS", 8)
TASK_RETRY_BASE_SECONDS = env_int("DJANGO_TASK_RETRY_BASE_SECONDS", 30)

# -- WebSub (blog/websub.py) --------------------------------------------------------------
# The hub every feed declares and every public change is announced to; empty: no hub.
WEBSUB_HUB = os.environ.get("DJANGO_WEBSUB_HUB", "").strip()
WEBSUB_TIMEOUT_SECONDS = env_int("DJANGO_WEBSUB_TIMEOUT_SECONDS", 10)

# -- Webhooks (editorial/webhooks.py, docs/webhooks.md) ------------------------------------
# Endpoints are set up in the admin. ALLOW_PRIVATE lifts the https-only and no-private-address
# rules (tests, a receiver on this machine); never in production.
WEBHOOK_ALLOW_PRIVATE = env_bool("DJANGO_WEBHOOK_ALLOW_PRIVATE")
WEBHOOK_TIMEOUT_SECONDS = env_int("DJANGO_WEBHOOK_TIMEOUT_SECONDS", 10)
# A failed delivery is tried again after BASE, 2×BASE, 4×BASE … seconds (each wait at most
# MAX_DELAY) until RETRY_HOURS after the event.
WEBHOOK_RETRY_BASE_SECONDS = env_int("DJANGO_WEBHOOK_RETRY_BASE_SECONDS", 60)
WEBHOOK_RETRY_MAX_DELAY_SECONDS = env_int("DJANGO_WEBHOOK_RETRY_MAX_DELAY_SECONDS", 4 * 3600)
WEBHOOK_RETRY_HOURS = env_int("DJANGO_WEBHOOK_RETRY_HOURS", 24)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# -- Admin ---------------------------------------------------------------------------
# The admin is the only login: after it (or with an unsafe ``next=``), land on its index.
LOGIN_REDIRECT_URL = "admin:index"
# Where the admin lives: not guessable from the outside (DJANGO_ADMIN_PATH=desk-7f3a/).
ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"
# Admin login throttling (config/login_throttle.py): failures allowed per account and per
# client address within the window before a lock-out of LOGIN_LOCKOUT_SECONDS.
LOGIN_FAILURES_PER_ACCOUNT = env_int("DJANGO_LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("DJANGO_LOGIN_FAILURES_PER_ADDRESS", 20)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("DJANGO_LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
LOGIN_LOCKOUT_SECONDS = env_int("DJANGO_LOGIN_LOCKOUT_SECONDS", 15 * 60)
# How many reverse proxies (load balancer, CDN) put the client address in X-Forwarded-For.
# 0: use the socket address; never trust the header from a client directly.
NUM_PROXIES = env_int("DJANGO_NUM_PROXIES", 0)
# Search suggestions (/search/suggest/, blog/ratelimit.py): requests per client address and
# minute before a 429. As-you-type asks once per pause in typing, not once per key.
SEARCH_SUGGEST_PER_MINUTE = env_int("DJANGO_SEARCH_SUGGEST_PER_MINUTE", 120)

# -- Content API (blog/api/, docs/api.md) -------------------------------------------------
# Origins whose browser scripts may read the API (CORS), comma-separated, each exactly
# scheme://host[:port]; "*" lets any origin read it (never with credentials: the API has none).
API_CORS_ORIGINS = env_list("DJANGO_API_CORS_ORIGINS")
for _origin in API_CORS_ORIGINS:
    if _origin != "*" and not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+", _origin):
        raise ImproperlyConfigured(
            f"DJANGO_API_CORS_ORIGINS: {_origin!r} is not an origin (scheme://host[:port], no path or trailing slash)."
        )
# Requests per minute one client address may make to the API (0: no limit).
API_RATE_LIMIT = env_int("DJANGO_API_RATE_LIMIT", 60)

# Link cards for a URL alone on a line: fetched when an article is saved (blog/linkcards.py).
LINK_CARD_FETCH = env_bool("DJANGO_LINK_CARD_FETCH", True)
LINK_CARD_ALLOW_PRIVATE = False

# -- Security headers -------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline scripts anywhere (JSON-LD is a data block, not a script the browser runs).
# Inline styles stay allowed: sanitized tables use style="text-align: …" and mermaid writes
# <style> into the diagrams it draws. Frames: only the YouTube facade's privacy-enhanced host.
CONTENT_SECURITY_POLICY = os.environ.get(
    "DJANGO_CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'; "
    "frame-src https://www.youtube-nocookie.com",
)

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Plain-HTTP requests are redirected; turn off only where TLS ends elsewhere and the
    # proxy does the redirect (or for a local `make serve`).
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
