"""Masthead's one settings module, configured only from the environment.

With no variables set it runs the embedded demo: SQLite, local-memory cache,
media on disk, console e-mail. ``MASTHEAD_MODE=production`` switches on the
hardening that ``manage.py check --deploy`` asks for and refuses to start
without a real secret key and host list.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MASTHEAD_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("MASTHEAD_MODE", "demo").strip().lower() == "production"
DEBUG = env_bool("DEBUG", default=False)


def _demo_secret_key() -> str:
    # The demo keeps a random key on disk so sessions survive restarts
    # without anyone shipping a known key.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        # Written whole under another name, then linked into place: two processes
        # starting at once (the test passes run side by side) never read a half-written
        # or empty key, and the first link wins.
        draft = key_file.with_name(f"secret_key.{os.getpid()}.draft")
        draft.write_text(secrets.token_urlsafe(50))
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or ""
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when MASTHEAD_MODE=production.")
    SECRET_KEY = _demo_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when MASTHEAD_MODE=production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "masthead.core",
    "masthead.insights",
    "masthead.content",
    "masthead.billing",
    "masthead.ads",
    "masthead.gifts",
    "masthead.paywall",
    "masthead.comments",
    "masthead.newsletters",
    "masthead.accounts",
    "masthead.reading",
    "masthead.publisher",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "django_tasks",
    "django_tasks_db",
    "masthead.mail",
]

MIDDLEWARE = [
    "masthead.reading.middleware.ProcessPageMemoMiddleware",
    "masthead.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "masthead.reading.middleware.AnonymousFastPathMiddleware",
    "masthead.content.middleware.CachedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "masthead.accounts.users.AuthenticationMiddleware",
    "masthead.content.middleware.AdminTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "masthead.accounts.middleware.SessionRenewalMiddleware",
    "masthead.accounts.middleware.ReaderCookieAtLogoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "masthead.reading.middleware.FastPathMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "masthead.core.generations.ReadYourWritesMiddleware",
]

ROOT_URLCONF = "masthead.urls"
WSGI_APPLICATION = "masthead.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "masthead" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "masthead.content.context_processors.site_chrome",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'masthead.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets gunicorn's workers read while another writes; the busy
    # timeout turns brief lock contention into a wait instead of an error.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # A server that does not answer (a host down, a failover in progress) fails the
    # connection after this long instead of after the kernel's TCP timeout; the request
    # answers 503 (content/errors.py). CONN_HEALTH_CHECKS above makes every request
    # check a kept connection before its first query, so after a restart the first
    # request reconnects instead of failing on a dead connection.
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": max(1, round(float(os.environ.get("DB_CONNECT_TIMEOUT", "2"))))
    }
    if os.environ.get("MASTHEAD_WEB"):
        # Web processes only (wsgi.py sets MASTHEAD_WEB): a request waits at most this long
        # for a statement or a lock, then fails alone instead of holding a worker.
        # Migrations, load_demo and the task worker keep PostgreSQL's defaults (no limit).
        statement_ms = int(float(os.environ.get("DB_STATEMENT_TIMEOUT", "5")) * 1000)
        lock_ms = int(float(os.environ.get("DB_LOCK_TIMEOUT", "2")) * 1000)
        DATABASES["default"]["OPTIONS"]["options"] = (
            f"-c statement_timeout={statement_ms} -c lock_timeout={lock_ms}"
        )
# An optional PostgreSQL read replica. Only the views that opt in (core/replica.py: feeds,
# sitemaps, search, tag pages, the insights dashboard) read from it, and never the meter,
# entitlements, sessions, users or comments, which stay on the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
            conn_health_checks=True,
        ),
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        # Tests read and write one database: the replica mirrors it there.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["masthead.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Each process keeps its own copy of the cache generations, current through Redis
# pub/sub, instead of asking for them on every request (masthead/core/listener.py).
GENERATION_LISTENER = env_bool("GENERATION_LISTENER", default=bool(REDIS_URL))
# Reader events are written by a thread of each process, not inside a request.
INSIGHTS_BACKGROUND_FLUSH = env_bool("INSIGHTS_BACKGROUND_FLUSH", default=True)
# Raw reader events older than this are deleted (in batches) once rolled up into daily rows.
INSIGHTS_KEEP_EVENTS_DAYS = int(os.environ.get("INSIGHTS_KEEP_EVENTS_DAYS", "90"))
# Seconds any Redis call may take (connect, then read) before it counts as an outage.
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.25"))


def redis_cache(url: str) -> dict:
    """The shared cache on Redis, degrading rather than failing while Redis is away.

    django-redis keeps one client per process (Django's own Redis backend builds a
    new client object for every cache call, which costs as much as the call). With
    ``IGNORE_EXCEPTIONS`` an unreachable Redis is a cache miss, logged: pages are
    rendered from the database, sessions read from it (``cached_db``), and the
    generations, which cannot be read, are new on every call, so nothing cached
    before the outage is trusted during it. ``add`` grants while Redis is away
    (``core/cache.py``): rate limits are not counted then, and logins still work.
    """
    return {
        "BACKEND": "masthead.core.cache.DegradingRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "masthead"),
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT,
            "SOCKET_TIMEOUT": REDIS_TIMEOUT,
            "IGNORE_EXCEPTIONS": True,
        },
    }


DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    # Files on disk, not per-process memory: gunicorn's workers must share the page
    # cache's generation, the rate-limit counters and the comment counts.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "masthead" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Under gunicorn in the demo nothing else serves uploads; production puts
# nginx or object storage in front and turns this off.
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=not PRODUCTION)

WAGTAIL_SITE_NAME = "Masthead"
# The site's own address, for e-mails and the admin; `make run` serves the demo on PORT.
# load_demo points the Wagtail Site (sitemap, full URLs) at it too.
WAGTAILADMIN_BASE_URL = (
    os.environ.get("BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"
).rstrip("/")
WAGTAILIMAGES_IMAGE_MODEL = "content.MastheadImage"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "pdf", "txt", "xlsx"]
WAGTAIL_I18N_ENABLED = False
TAGGIT_CASE_INSENSITIVE = True

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
# A slow or silent mail server fails the send after this long instead of hanging.
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))
# A task worker that claimed an e-mail has this long to send it; after that another run
# may (masthead/mail/outbox.py). Keep it well above a slow send (several EMAIL_TIMEOUTs).
EMAIL_CLAIM_SECONDS = float(os.environ.get("EMAIL_CLAIM_SECONDS", "120"))
# Newsletters (masthead/newsletters/sending.py): recipients per task, e-mails a minute
# across every worker (0: as fast as the mail server takes them), and the permanent
# refusals (5xx) after which an address gets no more newsletters.
NEWSLETTER_BATCH_SIZE = int(os.environ.get("NEWSLETTER_BATCH_SIZE", "100"))
NEWSLETTER_RATE_PER_MINUTE = int(os.environ.get("NEWSLETTER_RATE_PER_MINUTE", "6000"))
# SMTP connections each batch sends over at once (threads of the worker).
NEWSLETTER_CONNECTIONS = int(os.environ.get("NEWSLETTER_CONNECTIONS", "4"))
NEWSLETTER_HARD_BOUNCES = int(os.environ.get("NEWSLETTER_HARD_BOUNCES", "3"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Masthead <no-reply@localhost>")

# Sessions read from the shared cache (written through to the database): a
# logged-in reader's page costs no session query.
SESSION_ENGINE = "masthead.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Two weeks, renewed once less than half is left (accounts.middleware), so a reader
# who keeps coming back stays logged in without a session write per request.
SESSION_COOKIE_AGE = 14 * 24 * 3600
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    # The load balancer terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Addresses of our own load balancers; only their X-Forwarded-For is believed.
# allauth's rate limits ask the same question through the adapter's get_client_ip, so
# ALLAUTH_TRUSTED_PROXY_COUNT and ALLAUTH_TRUSTED_CLIENT_IP_HEADER stay unset.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
# "auto": Redis when METER_REDIS_URL or REDIS_URL is set, else the database; or "database".
PAYWALL_METER_STORE = os.environ.get("PAYWALL_METER_STORE", "auto")
# The meter's own Redis, so that it can keep its data (AOF, noeviction, a replica with
# Sentinel) while the cache's Redis evicts and is never saved. Empty: the cache's
# REDIS_URL (docs/scaling.md, "Redis: two roles, two instances").
METER_REDIS_URL = os.environ.get("METER_REDIS_URL", "")
PAYWALL_DNS_RESOLVER = "masthead.paywall.identity.SocketResolver"
# Gift links (masthead/gifts): how many articles a subscriber may gift per calendar
# month, how many openings one link gives before it falls back to the meter, and how
# many days a link lasts.
GIFTS_PER_MONTH = int(os.environ.get("GIFTS_PER_MONTH", "10"))
GIFT_LINK_MAX_OPENS = int(os.environ.get("GIFT_LINK_MAX_OPENS", "100"))
GIFT_LINK_DAYS = int(os.environ.get("GIFT_LINK_DAYS", "30"))

# Share links under each article, in this order (keys of masthead.content.sharing.NETWORKS:
# x, facebook, linkedin, bluesky, whatsapp, reddit, threads, telegram). E-mail and the
# article's link to copy are always offered.
MASTHEAD_SHARE_NETWORKS = env_list(
    "MASTHEAD_SHARE_NETWORKS", "x,facebook,linkedin,bluesky,whatsapp,reddit"
)
# "Most read": article views of the last 24 hours, counted again at most this often.
MASTHEAD_MOST_READ_SECONDS = int(os.environ.get("MASTHEAD_MOST_READ_SECONDS", "300"))

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "/accounts/login/"
# Readers log in through one door, allauth's, with its rate limits and verification;
# Wagtail's own front-end login (for private pages) would be a second one.
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# The reader chooses; the box is ticked by default (accounts.login.LoginForm).
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_FORMS = {
    "login": "masthead.accounts.login.LoginForm",
    # No second address on an account until its first is confirmed (issue 10).
    "add_email": "masthead.accounts.verification.AddEmailForm",
}
# Staff log in at /admin/login/ under allauth's limits, and readers not at all.
WAGTAILADMIN_USER_LOGIN_FORM = "masthead.accounts.login.StaffLoginForm"
# Staff reset passwords through allauth's reset (rate-limited, the same for everyone);
# Wagtail's own would be a second, unlimited mailer.
WAGTAIL_PASSWORD_RESET_ENABLED = False
ACCOUNT_SIGNUP_FORM_CLASS = "masthead.accounts.forms.SignupExtrasForm"
# A reader's chosen public name, never a part of their e-mail address.
ACCOUNT_USER_DISPLAY = "masthead.accounts.adapter.reader_name"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Password guessing: 30 login attempts a minute from one address, 100 failures an
# hour at one account; past that allauth answers 429. A locked-out reader can
# still sign in with a code sent by e-mail.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "30/m/ip,100/h/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    # Newsletter sign-ups by address (masthead/newsletters/views.py): each sends a mail.
    "newsletter_signup": "10/m/ip,3/h/key",
}

# Payments: "testmode" (the demo's offline checkout; refused in production) or "stripe".
# Case and spaces are a person's typing ("TestMode"); billing's system check refuses the rest.
PAYMENT_PROVIDER = (
    os.environ.get("PAYMENT_PROVIDER", "stripe" if PRODUCTION else "testmode").strip().lower()
)
if PRODUCTION and PAYMENT_PROVIDER == "testmode":
    raise ImproperlyConfigured("PAYMENT_PROVIDER=testmode is refused in production.")
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com")
# Seconds per request to Stripe (connect and read); a reader waits on it at checkout.
STRIPE_TIMEOUT = float(os.environ.get("STRIPE_TIMEOUT", "10"))
if (
    PRODUCTION
    and PAYMENT_PROVIDER == "stripe"
    and not (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET)
):
    raise ImproperlyConfigured("STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set.")

# E-mails and other background work (Wagtail's too) go through Django's task interface,
# into a queue in the database that `manage.py db_worker` works through (scripts/serve.sh,
# docs/operations.md). TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend runs
# each task inside the request instead, for `make dev` and the tests.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
ACCOUNT_ADAPTER = "masthead.accounts.adapter.AccountAdapter"

# Scripts only from our own origin: no inline scripts anywhere on the public site.
# Ad networks' script hosts go in CSP_SCRIPT_HOSTS; checkout and the customer portal
# are form redirects to Stripe.
CSP_SCRIPT_HOSTS = " ".join(env_list("CSP_SCRIPT_HOSTS"))
CONTENT_SECURITY_POLICY = (
    f"default-src 'self'; script-src 'self' {CSP_SCRIPT_HOSTS}".rstrip() + "; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self' https://checkout.stripe.com https://billing.stripe.com"
)
# A preview is framed by the admin's preview panel, on our own origin and nowhere else.
CONTENT_SECURITY_POLICY_PREVIEW = CONTENT_SECURITY_POLICY.replace(
    "frame-ancestors 'none'", "frame-ancestors 'self'"
)

# The admin must not call third parties (avatars, release checks) on editors' behalf.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
