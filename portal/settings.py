"""Settings for the SENDIASS records portal: one module, read from the environment.

Secure by default: DEBUG is off, cookies are secure, HTTPS is enforced and every
secret must come from the environment. Local use loosens this only through
explicit variables (the set-up command writes them to ``.env``; see
``.env.example`` for every variable).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# ENV_FILE=/dev/null ignores the file (the settings refusal test does this).
env_file = Path(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))
if env_file.is_file():
    env.read_env(env_file, overwrite=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable (the set-up "
        "command writes a random one to .env for local use); the portal never starts "
        "with a default key."
    )

DEBUG = env.bool("DEBUG", default=False)
# HTTPS=false is for local use over plain http only: it turns off the HTTPS
# redirect, HSTS and secure cookies.
HTTPS = env.bool("HTTPS", default=True)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
BASE_URL = env.str("BASE_URL", default="http://localhost:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = BASE_URL

INSTALLED_APPS = [
    "portal.apps.PortalConfig",
    "portal.accounts",
    "portal.audit",
    "portal.notifications",
    "portal.outbox",
    "content",
    "sar",
    "appointments",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    # The Wagtail 8 admin needs wagtail.documents installed: without it every
    # admin page fails (wagtail/wagtail#14418, the wagtail_config template tag).
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_email",
    "django_otp_webauthn",
    "django_q",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First: the access log times everything below and gives each request its id.
    "portal.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside messages: tells staff when a saved change's task had to wait.
    "portal.outbox.relay.DeferredTaskMessageMiddleware",
    # After authentication, OTP and messages: ends idle or over-age sessions,
    # then keeps the Wagtail admin closed to sessions without a second factor.
    "portal.accounts.middleware.SessionTimeoutMiddleware",
    "portal.accounts.middleware.StaffTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.AdminContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.context_processors.service",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
# Test databases are named per test run so that concurrent runs on one machine
# never share one; on SQLite a file, not memory, so a real qcluster started by
# a test can open it too.
_test_run = env.str("TEST_RUN_ID", default=str(os.getpid()))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{_test_run}.sqlite3")}
    # WAL and a busy timeout let the web process and the django-q2 worker share
    # the embedded database without "database is locked" errors.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{_test_run}"}
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Django's ModelBackend, loading the signed-in person with whether they are
# staff in the same query (portal.accounts.backends).
AUTHENTICATION_BACKENDS = ["portal.accounts.backends.AccountBackend"]

# Argon2id on one thread per sign-in (portal.accounts.hashers); hashes of
# Django's own Argon2 settings verify and are rehashed at the next sign-in.
PASSWORD_HASHERS = [
    "portal.accounts.hashers.SingleLaneArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name", "first_name", "last_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Media (bundles, record attachments; each file already encrypted by the portal,
# sar.encryption) is a folder, MEDIA_ROOT, unless AWS_STORAGE_BUCKET_NAME names
# an S3 bucket (or an S3-compatible store at AWS_S3_ENDPOINT_URL). Credentials
# are boto3's own: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, or
# the machine's role; never in this file.
MEDIA_BUCKET = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if MEDIA_BUCKET:
    # Server-side encryption on top of the portal's own: AES256 (S3's keys)
    # or aws:kms (with AWS_S3_SSE_KMS_KEY_ID, else the account's KMS key).
    # Unset, the bucket's default encryption applies.
    _object_parameters = {}
    if _sse := env.str("AWS_S3_SERVER_SIDE_ENCRYPTION", default=""):
        _object_parameters["ServerSideEncryption"] = _sse
        if _sse_key := env.str("AWS_S3_SSE_KMS_KEY_ID", default=""):
            _object_parameters["SSEKMSKeyId"] = _sse_key
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "location": env.str("AWS_LOCATION", default=""),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
            # No ACL on any object: the bucket's own (private, public access
            # blocked) applies. A canned ACL is refused by buckets that have
            # ACLs disabled, AWS's default since 2023.
            "default_acl": None,
            # Nothing is public: a URL, where anything asks for one, is signed
            # and short-lived, and always on the bucket's own host.
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            "custom_domain": None,
            # Like FileSystemStorage, never overwrite: a second upload under an
            # existing name (a Wagtail image's original name) gets a new name.
            "file_overwrite": False,
            "object_parameters": _object_parameters,
            # django-storages downloads an object opened for reading whole
            # first: past 2 MB into a temporary file rather than memory, so a
            # large bundle is still read in bounded memory (only ciphertext
            # is on that disk).
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": MEDIA_STORAGE,
    # Hashed names for long caching; STATIC_HASHED=false (the tests) serves
    # the source files under their own names, no collectstatic needed.
    "staticfiles": {
        "BACKEND": "portal.storage.StaticStorage"
        if env.bool("STATIC_HASHED", default=True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Media holds personal data (bundles, attachments): never served as static.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Wagtail documents are streamed by Django, behind Wagtail's privacy checks,
# never redirected to the storage's URL (Wagtail's default for a bucket).
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# Encryption at rest: comma-separated Fernet keys, newest first (MultiFernet:
# the first encrypts, all decrypt, so a key can be rotated in).
ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", default=[])

# Email: console by default; EMAIL_URL=smtp+tls://user:pass@host:587 in production.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SENDIASS <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Sessions and cookies.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
SESSION_COOKIE_AGE = env.int("SESSION_ABSOLUTE_SECONDS", default=8 * 60 * 60)
# A signed-in session ends after this long without a request (and, whatever the
# activity, SESSION_COOKIE_AGE after sign-in): portal.accounts.middleware.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=63072000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Health checks come from the load balancer and monitoring over plain http.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^health/service/$"]
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: only this origin, no inline script (a nonce lets the
# one GOV.UK Frontend "js-enabled" line run).
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
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
# The Wagtail admin uses inline styles and scripts of its own; it gets a policy
# that still confines everything to this origin.
ADMIN_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self'"
)

# Wagtail.
WAGTAIL_SITE_NAME = "SENDIASS records portal"
# Draftail, reading a value it could not have posted as plain text instead of
# failing with a server error (content.rich_text).
WAGTAILADMIN_RICH_TEXT_EDITORS = {"default": {"WIDGET": "content.rich_text.DraftailRichTextArea"}}
# Staff sign in through the portal's own sign-in page (throttled, audited) and
# then the second-factor challenge; /admin/login/ redirects there.
WAGTAILADMIN_LOGIN_URL = "/account/sign-in/"
# So do visitors to a page restricted to signed-in people (not Wagtail's bare
# front-end login, which portal/urls.py redirects here too).
WAGTAIL_FRONTEND_LOGIN_URL = WAGTAILADMIN_LOGIN_URL
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No avatars from gravatar.com: it would send a hash of staff email addresses off-site.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILEMBEDS_FINDERS = []  # no oEmbed calls to third parties
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
WAGTAILADMIN_COMMENTS_ENABLED = True

# LOAD_TEST=true routes /load-test/floor/, a bare view the load test
# (tests/load) measures as the floor; never on in production (portal.W003).
LOAD_TEST = env.bool("LOAD_TEST", default=False)

SERVICE_NAME = env.str("SERVICE_NAME", default="SENDIASS records portal")
SERVICE_PHASE = env.str("SERVICE_PHASE", default="Beta")

# Retention and disposal (sar.retention): a case is listed for disposal this
# many days after the last child on it reached 25 or left education; a closed
# case with no children, this many days after it closed. A caseworker always
# confirms a disposal: nothing is deleted by the daily check.
RETENTION_GRACE_DAYS = env.int("RETENTION_GRACE_DAYS", default=90)
RETENTION_CLOSED_NO_CHILDREN_DAYS = env.int("RETENTION_CLOSED_NO_CHILDREN_DAYS", default=6 * 365)

# Accounts and two-factor authentication (portal.accounts).
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "accounts:signed_out"
# Email verification links last 3 days; password reset links 2 hours.
EMAIL_VERIFICATION_SECONDS = env.int("EMAIL_VERIFICATION_SECONDS", default=3 * 24 * 60 * 60)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_SECONDS", default=2 * 60 * 60)
# Step-up: downloading records or changing a factor asks for the second factor
# again when the last verification is older than this.
OTP_STEP_UP_SECONDS = env.int("OTP_STEP_UP_SECONDS", default=15 * 60)
OTP_TOTP_ISSUER = SERVICE_NAME
# django-otp's own per-device back-off (1, 2, 4 ... seconds after each failure).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_EMAIL_THROTTLE_FACTOR = 1
OTP_EMAIL_COOLDOWN_DURATION = 60
OTP_EMAIL_TOKEN_VALIDITY = 10 * 60
OTP_EMAIL_SENDER = DEFAULT_FROM_EMAIL
OTP_EMAIL_SUBJECT = "Your security code"
OTP_EMAIL_BODY_TEMPLATE_PATH = "accounts/email/security_code.txt"
# Passkeys (django-otp-webauthn), a second factor only: the password always
# comes first. A passkey is bound to the relying party ID, the host of BASE_URL;
# changing that host makes every registered passkey unusable. Browsers sign the
# origin they are on, which must be BASE_URL's or one of CSRF_TRUSTED_ORIGINS.
_base_url = urlsplit(BASE_URL)
OTP_WEBAUTHN_RP_ID = _base_url.hostname or "localhost"
OTP_WEBAUTHN_RP_NAME = SERVICE_NAME
OTP_WEBAUTHN_ALLOWED_ORIGINS = list(
    dict.fromkeys([f"{_base_url.scheme}://{_base_url.netloc.lower()}", *CSRF_TRUSTED_ORIGINS])
)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# Per-account and per-IP limits on top of that (portal.accounts.throttling):
# after this many failures within the lockout period the account (or address)
# is locked for ACCOUNT_LOCKOUT_SECONDS.
ACCOUNT_LOCKOUT_SECONDS = env.int("ACCOUNT_LOCKOUT_SECONDS", default=15 * 60)
SIGN_IN_MAX_FAILURES = env.int("SIGN_IN_MAX_FAILURES", default=5)
OTP_MAX_FAILURES = env.int("OTP_MAX_FAILURES", default=5)
EMAIL_CODE_MAX_SENDS = env.int("EMAIL_CODE_MAX_SENDS", default=5)
IP_MAX_FAILURES = env.int("IP_MAX_FAILURES", default=50)

# Where the set-up command reads the confidentiality code it publishes.
CONFIDENTIALITY_SEED = Path(
    env.str(
        "CONFIDENTIALITY_SEED",
        default=str(BASE_DIR / "content" / "seed" / "confidentiality-code.md"),
    )
)

# Release bundles (sar.bundles): how long the parent can download an approved
# bundle, and how the task renders it (worker processes, records per chunk).
BUNDLE_DOWNLOAD_DAYS = env.int("BUNDLE_DOWNLOAD_DAYS", default=30)
BUNDLE_RENDER_PROCESSES = env.int("BUNDLE_RENDER_PROCESSES", default=2)
BUNDLE_CHUNK_SIZE = env.int("BUNDLE_CHUNK_SIZE", default=50)

# django-q2: the ORM broker on the same database by default, Redis when
# REDIS_URL is set. timeout must stay below retry (django-q2 warns otherwise).
REDIS_URL = env.str("REDIS_URL", default="")
Q_CLUSTER = {
    "name": env.str("Q_CLUSTER_NAME", default="portal"),
    "workers": env.int("Q_WORKERS", default=2),
    "recycle": 200,
    "timeout": env.int("Q_TIMEOUT", default=900),
    "retry": env.int("Q_RETRY", default=1200),
    "max_attempts": 3,
    "ack_failures": True,
    "save_limit": env.int("Q_SAVE_LIMIT", default=5000),
    "catch_up": False,
    "poll": 0.5,
    "label": "Task queue",
    "sync": env.bool("Q_SYNC", default=False),
    # The bundle task renders in worker processes of its own (sar.pdf), and a
    # daemonic process may not start any: workers are plain processes, which
    # the cluster still stops with itself.
    "daemonize_workers": False,
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Cache: holds the sign-in and verification limits, so every web process must
# share it. A database table by default (created by a migration), also when
# Redis is the broker: sign-in needs the database anyway, so the limits stay
# available exactly as long as sign-in does and a Redis outage only delays
# queued work. CACHE_REDIS_URL moves the cache to Redis (atomic counters; a
# Redis outage then also stops sign-in).
CACHE_REDIS_URL = env.str("CACHE_REDIS_URL", default="")
if CACHE_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": "portal",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }

# Logs: one JSON object a line on standard error (portal.logs), with the
# request id and no personal data; LOG_FORMAT=plain for reading locally.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "portal.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain" if LOG_FORMAT == "plain" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # runserver's own request lines carry the query string; the portal's
        # request log (portal.request) replaces them.
        "django.server": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "django_tasks": {"level": "WARNING"},
        "fontTools": {"level": "ERROR"},
    },
}
