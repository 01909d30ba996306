"""Configuration: defaults, then instance/config.py, then the environment.

The environment always wins, so one image can be configured by its deployment alone.
"""
import logging
import os
import secrets
from pathlib import Path

from app.policy.names import Level

ENV_KEYS_STR = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PUSH_EXTRA_ORIGINS", "BAOLIAN_ENV", "NOTIFY_DELIVERY",
                "VAPID_PRIVATE_KEY", "VAPID_SUBJECT", "WECOM_CORP_ID", "WECOM_SECRET", "WECOM_AGENT_ID",
                "WECOM_API_BASE", "PUBLIC_URL", "ATTACHMENT_STORE", "ATTACHMENT_DIR", "S3_ENDPOINT_URL",
                "S3_BUCKET", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_REGION", "ID_NUMBER_KEY",
                "SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME", "SMS_TEMPLATE_CODE", "SMS_API_BASE")
ENV_KEYS_INT = ("PORT", "HOUSEHOLDS_PER_MEMBER", "OVERDUE_CHECK_MINUTES", "PROXY_COUNT", "ATTACHMENT_MAX_BYTES",
                "ATTACHMENT_UPLOAD_MAX_BYTES", "IMPORT_MAX_BYTES", "IMPORT_MAX_ROWS", "IMPORT_MAX_COLUMNS",
                "IMPORT_MAX_UNZIPPED_BYTES", "IMPORT_MAX_CELL_CHARS", "IMPORT_MAX_SHEETS", "SMS_DAILY_LIMIT")


class Defaults:
    BAOLIAN_ENV = "production"
    PORT = 5000
    DATABASE_URL = None  # None: SQLite file in instance/
    REDIS_URL = None
    PUSH_EXTRA_ORIGINS = ""
    HOUSEHOLDS_PER_MEMBER = 10
    PROXY_COUNT = 0  # proxies (nginx) in front: trust that many X-Forwarded-* hops for the client address
    PAGE_SIZE = 50
    PAGE_SIZE_MAX = 200
    # The login throttle (app/auth/throttle.py; the README's "Login protection").
    LOGIN_PAIR_ATTEMPTS = 5  # wrong passwords for one phone from one address or known device ...
    LOGIN_PAIR_PAUSE = 60  # ... before a pause of this many seconds, doubling with each further one
    LOGIN_PAIR_PAUSE_MAX = 15 * 60
    LOGIN_PAIR_FORGET = 24 * 3600  # an unresolved run of failures is forgotten after this
    LOGIN_PHONE_CEILING = "50 per hour"  # wrong passwords for one phone from everywhere
    LOGIN_ADDRESS_CEILING = "200 per hour"  # wrong passwords from one address, for all phones
    LOGIN_DEVICE_DAYS = 365  # life of the known-device cookie
    VISIT_FUTURE_TOLERANCE_MINUTES = 10
    # Response time at each level before a case is overdue; urgent cases get half.
    CASE_DEADLINE_HOURS = {Level.MEMBER: 24, Level.INFORMANT: 24, Level.GRID: 48, Level.BRANCH: 72,
                           Level.TOWNSHIP: 120, Level.DEPARTMENT: 168}
    OVERDUE_CHECK_MINUTES = 5  # the embedded default runs the overdue check this often
    RUN_SCHEDULER = False  # `make run` turns it on (BAOLIAN_SCHEDULER=1); production uses cron

    # Notifications: "inprocess" delivers from a thread after each commit (embedded default);
    # "worker" leaves it to `flask notify-worker` processes; "off" only fills the outbox.
    NOTIFY_DELIVERY = None  # unset: "inprocess", but "off" under BAOLIAN_ENV=testing
    WEBPUSH_ENABLED = True
    VAPID_PRIVATE_KEY = None  # PEM or base64url raw; otherwise generated once into instance/
    VAPID_SUBJECT = "mailto:admin@baolian.invalid"
    WEBPUSH_TTL = 24 * 3600
    WEBPUSH_TIMEOUT = 10
    WECOM_CORP_ID = None
    WECOM_SECRET = None
    WECOM_AGENT_ID = None
    WECOM_API_BASE = "https://qyapi.weixin.qq.com"
    WECOM_TIMEOUT = 10
    PUBLIC_URL = ""  # where the app is served, for links in WeCom messages
    # SMS through Alibaba Cloud SMS (阿里云短信服务, SendSms): a pre-approved sign and template
    # whose one variable ${item} names what is waiting ("任务"), never the household or case.
    SMS_ACCESS_KEY_ID = None
    SMS_ACCESS_KEY_SECRET = None
    SMS_SIGN_NAME = None
    SMS_TEMPLATE_CODE = None
    SMS_API_BASE = "https://dysmsapi.aliyuncs.com"
    SMS_TIMEOUT = 10
    SMS_DAILY_LIMIT = 5  # messages to one phone per day (China time); the rest stay in the inbox
    # What is worth a text message: work waiting for this person, and lateness.
    SMS_KINDS = ("task_assigned", "case_arrived", "case_dispatched", "case_overdue")

    JSON_AS_ASCII = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "baolian_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 30 * 24 * 3600  # phones stay logged in between visits

    WTF_CSRF_HEADERS = ["X-CSRF-Token", "X-CSRFToken"]
    WTF_CSRF_TIME_LIMIT = None  # valid for the life of the session
    WTF_CSRF_SSL_STRICT = True

    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # SQLite: how long a writer waits (SQLite retrying) for the lock before the request gives up
    # with 503 and Retry-After.
    SQLITE_BUSY_TIMEOUT_MS = 5000
    RATELIMIT_HEADERS_ENABLED = True

    API_TITLE = "包联 Baolian API"
    API_VERSION = "1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"


def load_config(app, overrides=None):
    """Fill app.config in the documented order and derive what follows from it."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    for key in ENV_KEYS_STR:
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    for key in ENV_KEYS_INT:
        if os.environ.get(key):
            app.config[key] = int(os.environ[key])
    if os.environ.get("BAOLIAN_SCHEDULER"):
        app.config["RUN_SCHEDULER"] = os.environ["BAOLIAN_SCHEDULER"] == "1"
    if overrides:
        app.config.update(overrides)
    _derive(app)


def _derive(app):
    _owner_only_dir(Path(app.instance_path))
    env = app.config["BAOLIAN_ENV"]
    if env not in ("production", "development", "testing"):
        raise RuntimeError(f"BAOLIAN_ENV must be production, development or testing, not {env!r}")
    app.config["TESTING"] = app.config.get("TESTING") or env == "testing"
    app.config["SESSION_COOKIE_SECURE"] = env == "production"
    app.config["REMEMBER_COOKIE_SECURE"] = env == "production"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app, env)
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config["DATABASE_URL"]
    if not url:
        url = "sqlite:///" + str(Path(app.instance_path) / "baolian.sqlite3")
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    if app.config["NOTIFY_DELIVERY"] is None:
        app.config["NOTIFY_DELIVERY"] = "off" if env == "testing" else "inprocess"
    app.config.setdefault("VAPID_KEY_FILE", str(Path(app.instance_path) / "vapid_private.pem"))


def _instance_secret(app, env):
    """Production must be given a key; the embedded default makes one once and keeps it."""
    if env == "production":
        raise RuntimeError(
            "SECRET_KEY is not set. In production set it in the environment or in "
            "instance/config.py (for example: python -c 'import secrets; print(secrets.token_hex(32))'). "
            "For a local trial run `make run`, which uses BAOLIAN_ENV=development."
        )
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():  # made 0600 from the start: never readable by others, not even briefly
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def _owner_only_dir(path):
    """instance/ holds the secret key, the VAPID key and the embedded database: 0700, whatever
    the umask was when it was made. A folder we may not change (a mounted volume) is left be."""
    try:
        if path.is_dir() and path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except OSError:
        logging.getLogger(__name__).warning("cannot make %s private", path, exc_info=True)
