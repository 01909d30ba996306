"""包联 Baolian: the application factory."""
from pathlib import Path

from flask import Flask, has_request_context, jsonify, request, send_from_directory
from sqlalchemy import event, text
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, PathConverter

from app.common import compress
from app.common.fields import DB_INT_MAX
from app.common.static_files import send_app_file
from app.config import load_config
from app.extensions import api, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
class BoundedInt(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(url_map, *args, **kwargs)


def create_app(config=None):
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    _serve_the_phone_app(app)
    app.url_map.converters["int"] = BoundedInt  # an id past the database's range is simply not found
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_config(app, config)
    app.config["MAX_CONTENT_LENGTH"] = 8 * 1024 * 1024
    if app.config["PROXY_COUNT"]:  # behind nginx every client would share the proxy's address
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    api.init_app(app)
    _tune_sqlite(app)

    from app import (
        models,  # noqa: F401  (every model registered before migrations look)
        security,
    )
    from app.attachments.routes import blp as attachments_blp
    from app.auth.routes import blp as auth_blp
    from app.cases import listeners as case_listeners
    from app.cases import vacancies
    from app.cases.routes import blp as cases_blp
    from app.errors import register_error_handlers
    from app.households.routes import blp as households_blp
    from app.notify import listeners as notify_listeners
    from app.notify import worker as notify_worker
    from app.notify.routes import blp as notifications_blp
    from app.notify.routes import push_blp
    from app.org.routes import blp as org_blp
    from app.policy import scope
    from app.reports import summaries as report_summaries
    from app.reports.routes import blp as reports_blp
    from app.sync import changelog
    from app.sync.routes import blp as sync_blp
    from app.tasks.routes import blp as tasks_blp
    from app.visits.routes import blp as visits_blp

    for blp in (auth_blp, org_blp, households_blp, visits_blp, cases_blp, tasks_blp, notifications_blp,
                reports_blp, sync_blp, push_blp, attachments_blp):
        api.register_blueprint(blp)
    changelog.install()
    scope.install()
    case_listeners.install()
    vacancies.install()
    notify_listeners.install()
    report_summaries.install()
    register_error_handlers(app)

    security.install(app)
    compress.install(app)

    @app.get("/healthz")
    def healthz():
        try:
            db.session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - the probe reports, it does not crash
            return jsonify({"status": "error", "database": "unreachable"}), 503
        return jsonify({"status": "ok", "database": "ok"})

    @app.get("/")
    def index():
        return send_app_file("index.html")

    @app.get("/api/docs")
    def api_docs():
        return send_from_directory(ROOT / "app" / "docs", "index.html")

    @app.get("/api/docs.js")
    def api_docs_js():
        return send_from_directory(ROOT / "app" / "docs", "docs.js")

    from app.cli import register_cli
    from app.scheduler import start as start_scheduler

    register_cli(app)
    start_scheduler(app)
    notify_worker.install(app)
    return app


class AppFile(PathConverter):
    """A path of the phone app's files: anything but the API, so an /api/ URL never matches
    the static route (its OPTIONS would otherwise advertise GET on every API route)."""

    regex = r"(?!api/)[^/].*?"


def _serve_the_phone_app(app):
    app.static_folder = str(ROOT / "pwa")
    app.url_map.converters["app_file"] = AppFile
    app.add_url_rule("/<app_file:filename>", endpoint="static", view_func=send_app_file)


def _tune_sqlite(app):
    """WAL for concurrent readers, enforced foreign keys, working SAVEPOINTs on pysqlite, a
    database file only its owner can read, and writers that queue for the lock a while
    (busy_timeout) and then give up with 503 (app/errors.py), never 500."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine
    path = engine.url.database
    path = Path(path) if path and path != ":memory:" and not path.startswith("file:") else None
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        if path is not None:  # before WAL: SQLite gives the -wal and -shm files the database's mode
            _owner_only(path)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")  # first, so even the pragmas below wait
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A request that may write takes the write lock up front: a deferred transaction that
        # read first fails at once (not after busy_timeout) if another writer committed since.
        # So nothing slow may run inside one: the login ends its transaction before the
        # password check (app/auth/routes.py), reads never take the lock.
        writes = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _owner_only(path):
    """The database holds password hashes and everyone's households: mode 0600, like its
    -wal and -shm files, whatever the umask was when it was made."""
    import logging

    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if file.exists() and file.stat().st_mode & 0o077:
                file.chmod(0o600)
        except OSError:  # someone else's file: leave it, the database still opens
            logging.getLogger(__name__).warning("cannot make %s private", file, exc_info=True)
