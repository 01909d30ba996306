"""Run schemathesis over the whole OpenAPI document against a live server of its own, logged in
as one demo user: every generated request must answer as the document says."""
import os
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import requests
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.org.demo import DEMO_PASSWORD, seed_demo

ROOT = Path(__file__).resolve().parents[2]
# Operations that would end the fuzzing session itself.
EXCLUDED = ["POST /api/auth/logout", "POST /api/auth/password", "POST /api/auth/login"]
STATEFUL_CHECKS = "use_after_free,ensure_resource_availability"


def serve(tmp):
    app = create_app({"BAOLIAN_ENV": "testing", "SECRET_KEY": "fuzz", "NOTIFY_DELIVERY": "off",
                      "ATTACHMENT_DIR": f"{tmp}/attachments",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/fuzz.sqlite3"})
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def login(base, phone):
    http = requests.Session()
    token = http.get(f"{base}/api/auth/csrf").json()["csrf_token"]
    res = http.post(f"{base}/api/auth/login", json={"phone": phone, "password": DEMO_PASSWORD},
                    headers={"X-CSRF-Token": token})
    res.raise_for_status()
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    return cookie, res.json()["csrf_token"]


def fuzz(phone, *, max_examples=10, seed=1, extra=()):
    """(exit code, output, generated case count) of one schemathesis run."""
    with tempfile.TemporaryDirectory() as tmp:
        server, base = serve(tmp)
        try:
            cookie, csrf = login(base, phone)
            cmd = [str(Path(sys.executable).with_name("schemathesis")), "run", f"{base}/api/openapi.json",
                   "--checks", "all", "--exclude-checks", STATEFUL_CHECKS, "--max-examples", str(max_examples),
                   "--seed", str(seed), "--phases", "examples,coverage,fuzzing", "-H", f"Cookie: {cookie}",
                   "-H", f"X-CSRF-Token: {csrf}", "--request-timeout", "20", "--workers", "1",
                   "--no-color", *extra]
            for name in EXCLUDED:
                cmd += ["--exclude-name", name]
            cmd[2:2] = []
            cmd.insert(1, f"--config-file={Path(__file__).with_name('schemathesis.toml')}")
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=1500, cwd=ROOT,
                                 env={**os.environ, "NO_COLOR": "1"})
        finally:
            server.shutdown()
    out = run.stdout + run.stderr
    cases = sum(int(n) for n in re.findall(r"(\d+) generated", out)) or None
    return run.returncode, out, cases


if __name__ == "__main__":
    code, out, cases = fuzz(sys.argv[1] if len(sys.argv) > 1 else "13900000020",
                            max_examples=int(os.environ.get("FUZZ_EXAMPLES", "10")))
    print(out[-20000:])
    print("cases:", cases, "exit:", code)
