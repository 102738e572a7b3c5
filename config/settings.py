"""Settings, read once from the environment (shared/DESIGN.md, "Configuration").

Unset variables give the embedded default for a first run: SQLite in the project folder,
tasks run eagerly, cache in local memory.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    # A development-only key; `check --deploy` flags it, and production must set SECRET_KEY.
    "django-insecure-development-key-change-me"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "regions",
    "accounts",
    "reports",
    "pilots",
    "stations",
    "staff",
    "volunteers",
    "facilities",
    "checklists",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "accounts.security_headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SessionRefreshMiddleware",
    "accounts.middleware.ChineseFirstLocaleMiddleware",
    "accounts.middleware.UploadGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "accounts.context_processors.notifications",
            ],
        },
    },
]

# Database: SQLite file in the project unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "core.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login lockout (accounts.services): LOGIN_FAILURE_LIMIT failures for one username from one
# client address lock that pair for LOGIN_LOCKOUT_MINUTES (the owner signing in from elsewhere
# is not locked); LOGIN_ADDRESS_FAILURE_LIMIT failures from one address, whatever the names or
# tokens tried, refuse that address as long. X-Forwarded-For is believed only through
# TRUSTED_PROXY_COUNT proxies that append to it (0: not at all, REMOTE_ADDR is the client).
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# API tokens issued through the API or the portal live at most API_TOKEN_MAX_DAYS.
API_TOKEN_MAX_DAYS = int(os.environ.get("API_TOKEN_MAX_DAYS", "365"))
# Audit entries are kept AUDIT_RETENTION_DAYS (at least 180; a system check refuses less), then
# purged nightly; PostgreSQL refuses to delete younger ones whatever the client.
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "180"))

# Sessions expire after 30 minutes without activity.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
# Idle sessions still expire after SESSION_COOKIE_AGE: accounts.middleware.SessionRefreshMiddleware
# saves a session at most once a minute to move its expiry on, not on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
# Sessions are written through to the database and read from the cache (Redis when configured):
# a request does not query the session table.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Serve static files from the app folders too, so a fresh `make run` needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    # FileSystemStorage that lets a failed request remove the file it wrote (accounts.uploads)
    "default": {"BACKEND": "accounts.uploads.UploadStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("STATIC_MANIFEST", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Redis: broker, result backend and cache when REDIS_URL is set; otherwise tasks run eagerly
# and the cache lives in local memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Exports (reports.jobs): a list of more than EXPORT_ASYNC_THRESHOLD rows is written by a background
# job rather than in the request; its file is kept EXPORT_RETENTION_DAYS days.
EXPORT_ASYNC_THRESHOLD = int(os.environ.get("EXPORT_ASYNC_THRESHOLD", "5000"))
EXPORT_RETENTION_DAYS = int(os.environ.get("EXPORT_RETENTION_DAYS", "7"))

# Staff: warn about qualifications this many days before they expire; default points per
# volunteer hour until an organisation sets its own rule (001).
QUALIFICATION_WARNING_DAYS = int(os.environ.get("QUALIFICATION_WARNING_DAYS", "60"))
VOLUNTEER_POINTS_PER_HOUR = int(os.environ.get("VOLUNTEER_POINTS_PER_HOUR", "10"))
# The five lists: a published resource list (资源对接清单) is flagged when its last review is older.
CHECKLIST_RESOURCE_REVIEW_DAYS = int(os.environ.get("CHECKLIST_RESOURCE_REVIEW_DAYS", "90"))
# Daily reminders (reports/reminders.py): how many days ahead a care room's deadline and an
# entrustment agreement's end are announced, how long an application may wait on a reviewer, and
# the day of the month by which a station should have held its publicity event (000).
REMINDER_CARE_ROOM_DAYS = int(os.environ.get("REMINDER_CARE_ROOM_DAYS", "30"))
REMINDER_AGREEMENT_DAYS = int(os.environ.get("REMINDER_AGREEMENT_DAYS", "90"))
REMINDER_APPLICATION_WAIT_DAYS = int(os.environ.get("REMINDER_APPLICATION_WAIT_DAYS", "5"))
REMINDER_PUBLICITY_DAY = int(os.environ.get("REMINDER_PUBLICITY_DAY", "20"))

# Personal data encryption keys: comma-separated, newest first (accounts/pii.py). Required in
# production (`check --deploy` fails without it); empty, a key derived from SECRET_KEY serves
# the demo and the tests. Rotation: PII_KEY=new,old, `manage.py rotate_pii_key`, PII_KEY=new.
PII_KEY = os.environ.get("PII_KEY", "")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")

# A choice filter of the portal starts at 全部 (no filter), not at a row of dashes.
FILTERS_EMPTY_CHOICE_LABEL = pgettext_lazy("filter", "all")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.permissions.TokenScopePermission",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.QueryParameterFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "accounts.api.schema.ProjectAutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_RATES": {},
}
# The OpenAPI description: every area of the API, and the conventions that hold across it.
API_DESCRIPTION = """REST API of the 物业+养老 pilot platform. Authenticate with
`Authorization: Bearer <token>` (tokens are issued in the portal, the admin or
`manage.py issue_token`); every answer is limited to what the token's user may see.

Areas:

- **Regions** (`regions/`): the administrative divisions, public.
- **Organisations, accounts and tokens** (`organizations/`, `me/`, `tokens/`).
- **Pilots** (`programmes/`, `applications/`, `opinions/`, `pilots/`, `pilot-milestones/`).
- **Stations and services** (`stations/`, `residents/`, `resident-link-requests/`, `orders/`,
  `service-records/`, `publicity-events/`, `station-expenditures/`, `surveys/`,
  `survey-responses/`).
- **Staff and training** (`staff/`, `qualifications/`, `training-sessions/`,
  `training-records/`, `training-targets/`, `station-resources/`).
- **Volunteers** (`volunteer-teams/`, `volunteer-activities/`, `rewards/`, `points-ledger/`).
- **Care rooms in residential compounds** (`compounds/`, `care-rooms/`, `room-inspections/`,
  `room-violations/`, `room-alterations/`, `room-applications/`, `entrustment-agreements/`,
  `guidance-targets/`).
- **Five lists and posted prices** (`checklist-versions/`, `checklist-items/`,
  `checklist-checks/`, `posted-prices/`).
- **Statistics, evaluations and exports** (`statistics/`, `evaluation-schemes/`,
  `evaluation-runs/`, `scorecards/`, `evaluation-findings/`, `export-jobs/`).

Conventions:

- `staff` always means the id of a staff member (`/api/v1/staff/{id}/`), in bodies
  (`orders/{id}/assign/`, `service-records/`) and in filters (`?staff=`); answers add
  `staff_name`. A login name or a user account's id is refused with a 400.
- Errors have one shape: `{"error": {"code", "message", "fields"?}}`; `fields` names each
  offending field or query parameter. A list refuses a query parameter it does not know (400,
  listing the ones it accepts); a malformed `cursor` is a 400; an unknown address under
  `/api/v1/` is a 404 in the same shape. Messages follow `Accept-Language` (Chinese by default).
- Every list has `export/`: the same filters and scope as an Excel workbook; above
  `EXPORT_ASYNC_THRESHOLD` rows the answer is 202 with a background export job (`export-jobs/`).
- Large lists (`orders/`, `service-records/`) page with a cursor: follow `next`/`previous`.
"""
SPECTACULAR_SETTINGS = {
    "TITLE": "物业+养老试点管理平台 API",
    "DESCRIPTION": API_DESCRIPTION,
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The error format declared for 400/401/403/404 on every operation (accounts.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "accounts.api.schema.add_error_responses",
    ],
    # Swagger UI served from the vendored sidecar package: no CDN on a closed network.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One named enum per choice set, so fields called "status" or "kind" do not collide.
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "accounts.models.OrganizationKind",
        "EvaluatedKindEnum": "reports.models.SubjectKind",
        "ExportJobKindEnum": "reports.models.jobs.ExportJobKind",
        "ApplicationStatusEnum": "pilots.models.ApplicationStatus",
        "MilestoneStatusEnum": "pilots.models.MilestoneStatus",
        "PhaseKindEnum": "pilots.models.PhaseKind",
        "PilotTypeEnum": "pilots.models.PilotType",
        "StationStatusEnum": "stations.models.StationStatus",
        "OrderStatusEnum": "stations.models.OrderStatus",
        "ServiceCategoryEnum": "stations.models.ServiceCategory",
        "FloorEnum": "stations.models.Floor",
        "StaffStatusEnum": "staff.models.StaffStatus",
        "TrainingKindEnum": "staff.models.TrainingKind",
        "EntryKindEnum": "volunteers.models.EntryKind",
        "ResourceKindEnum": "staff.models.ResourceKind",
        "ActivityCategoryEnum": "volunteers.models.ActivityCategory",
        "EmploymentKindEnum": "staff.models.EmploymentKind",
        "QualificationLevelEnum": "staff.models.QualificationLevel",
        "HandoverStateEnum": "facilities.models.HandoverState",
        "OperatingStateEnum": "facilities.models.OperatingState",
        "OperatingModeEnum": "facilities.models.OperatingMode",
        "ViolationKindEnum": "facilities.models.ViolationKind",
        "ViolationStateEnum": "facilities.models.ViolationState",
        "AlterationKindEnum": "facilities.models.AlterationKind",
        "UseApplicationStatusEnum": "facilities.models.ApplicationStatus",
        "PriceUnitEnum": "stations.models.PriceUnit",
        "PriceLevelEnum": "stations.models.PriceLevel",
        "ListKindEnum": "checklists.models.ListKind",
        "VersionStateEnum": "checklists.models.VersionState",
        "ChecklistResourceKindEnum": "checklists.models.ResourceKind",
        "DutyPartyEnum": "checklists.models.DutyParty",
        "CheckResultEnum": "checklists.models.CheckResult",
    },
}

# Spreadsheet limits (reports.spreadsheets). The file cap applies to xlsx and CSV alike; an
# xlsx is refused from its zip directory, before it is opened, when it has too many parts, a
# part expands past its limit (openpyxl reads the whole shared-strings part, even read-only:
# 180 MB of it tied a worker for two minutes) or is compressed more than office programs do.
MB = 1024 * 1024
SPREADSHEET_MAX_UPLOAD_BYTES = int(os.environ.get("SPREADSHEET_MAX_UPLOAD_BYTES", str(20 * MB)))
SPREADSHEET_MAX_EXPANDED_BYTES = int(os.environ.get("SPREADSHEET_MAX_EXPANDED_BYTES", str(200 * MB)))
SPREADSHEET_MAX_SHARED_STRINGS_BYTES = int(
    os.environ.get("SPREADSHEET_MAX_SHARED_STRINGS_BYTES", str(20 * MB))
)
SPREADSHEET_MAX_SHEET_BYTES = int(os.environ.get("SPREADSHEET_MAX_SHEET_BYTES", str(100 * MB)))
SPREADSHEET_MAX_STYLES_BYTES = int(os.environ.get("SPREADSHEET_MAX_STYLES_BYTES", str(5 * MB)))
SPREADSHEET_MAX_OTHER_PART_BYTES = int(os.environ.get("SPREADSHEET_MAX_OTHER_PART_BYTES", str(20 * MB)))
SPREADSHEET_MAX_ZIP_ENTRIES = int(os.environ.get("SPREADSHEET_MAX_ZIP_ENTRIES", "1000"))
SPREADSHEET_MAX_COMPRESSION_RATIO = int(os.environ.get("SPREADSHEET_MAX_COMPRESSION_RATIO", "100"))

# Uploaded attachments (applications, opinions, photos): checked by content, capped in size.
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(20 * MB)))
# A request body is refused (413) before Django reads it when its Content-Length passes the
# largest file we accept plus room for the form around it (accounts.middleware); a multipart
# upload streamed without a usable length is cut off by the upload handler at the same cap.
REQUEST_MAX_BYTES = int(
    os.environ.get("REQUEST_MAX_BYTES", str(max(UPLOAD_MAX_BYTES, SPREADSHEET_MAX_UPLOAD_BYTES) + MB))
)
FILE_UPLOAD_HANDLERS = [
    "accounts.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * MB  # larger files are spooled to a temporary file
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * MB  # form fields and JSON bodies, files excluded

# Production hardening: on whenever DEBUG is off; each can be relaxed explicitly (e.g. behind
# a proxy that terminates TLS and already redirects).
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # The container health check asks over plain HTTP from inside the container.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Sent on every response by accounts.security_headers. Scripts and styles come only from our
# own files (no inline code, no CDN); uploaded photos are served by our views; the station
# finder may ask for the visitor's position, nothing else may use a device.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": ["self"],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

APP_VERBOSE_NAME = _("Property + Elderly Care Pilot Platform")
