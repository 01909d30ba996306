"""Answers compressed on the wire: brotli preferred, gzip otherwise, as they are when neither is
accepted; Vary on every answer that depends on it; a compressed variant's own ETag and its 304;
the phone app's files sent as the copies `make pwa` compressed, never an out-of-date copy; no
compression for tiny bodies, images, or answers that carry the CSRF token."""
import gzip
import json
import shutil
import uuid
from pathlib import Path

import brotli
import pytest

from app.common.compress import MIN_SIZE

ROOT = Path(__file__).resolve().parent.parent

BR_GZIP = {"Accept-Encoding": "gzip, deflate, br"}  # what Chromium sends
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def decoded(res):
    body = res.get_data()
    encoding = res.headers.get("Content-Encoding")
    return DECODE[encoding](body) if encoding else body


def varies(res):
    return "accept-encoding" in {v.strip().lower() for v in res.headers.get("Vary", "").split(",")}


@pytest.fixture
def secretary(login):
    return login("赵红梅")


@pytest.mark.parametrize(("accept", "expected"), [
    ("gzip, deflate, br", "br"),  # a tie goes to brotli
    ("br", "br"),
    ("*", "br"),
    ("gzip, deflate", "gzip"),
    ("br;q=0, gzip", "gzip"),
    ("br;q=0.5, gzip", "gzip"),
    ("identity", None),
    ("gzip;q=0, br;q=0", None),
    ("", None),
])
def test_json_answers_are_compressed_as_the_client_accepts(secretary, accept, expected):
    plain = secretary.get("/api/households")
    assert plain.status_code == 200 and len(plain.get_data()) >= MIN_SIZE
    res = secretary.get("/api/households", headers={"Accept-Encoding": accept})
    assert res.status_code == 200
    assert res.headers.get("Content-Encoding") == expected
    assert varies(res)  # the same URL answers differently to another Accept-Encoding
    assert json.loads(decoded(res)) == plain.get_json()
    assert int(res.headers["Content-Length"]) == len(res.get_data())
    if expected:
        assert len(res.get_data()) < len(plain.get_data()) / 3  # a list of households compresses well


def test_tiny_answers_are_sent_as_they_are(anon):
    res = anon.get("/healthz", headers=BR_GZIP)
    assert res.status_code == 200 and len(res.get_data()) < MIN_SIZE
    assert "Content-Encoding" not in res.headers and not varies(res)
    assert res.get_json()["status"] == "ok"


def test_answers_carrying_the_csrf_token_are_never_compressed(anon, demo):
    """BREACH: the token must not sit in a compressed body beside text an attacker chose."""
    token = anon.get("/api/auth/csrf", headers=BR_GZIP)
    assert "Content-Encoding" not in token.headers
    anon.csrf = token.get_json()["csrf_token"]
    login = anon.post("/api/auth/login", json={"phone": demo["赵红梅"].phone, "password": "baolian2026"},
                      headers=BR_GZIP)
    assert login.status_code == 200 and len(login.get_data()) >= MIN_SIZE  # big enough: size is not the reason
    assert "Content-Encoding" not in login.headers and "csrf_token" in login.get_json()
    me = anon.get("/api/me", headers=BR_GZIP)  # the same user without a token: compressed
    assert me.headers.get("Content-Encoding") == "br" and "csrf_token" not in json.loads(decoded(me))


def test_switched_off_nothing_is_compressed(app, secretary):
    app.config["COMPRESS_RESPONSES"] = False
    try:
        res = secretary.get("/api/households", headers=BR_GZIP)
        static = secretary.get("/bundle/app.js", headers=BR_GZIP)
    finally:
        app.config.pop("COMPRESS_RESPONSES")
    assert "Content-Encoding" not in res.headers and res.get_json()["items"]
    assert "Content-Encoding" not in static.headers
    static.close()


def test_a_compressed_variant_has_its_own_etag_and_304(login, demo):
    shi, secretary = login("石水奇"), login("赵红梅")
    for n in range(8):  # enough messages for the inbox to pass MIN_SIZE
        body = {"id": str(uuid.uuid4()), "assignee_id": demo["石水奇"].id, "title": f"入户核实第{n}户的困难情况"}
        assert secretary.post("/api/tasks", json=body).status_code == 201
    plain = shi.get("/api/notifications")
    br = shi.get("/api/notifications", headers=BR_GZIP)
    gz = shi.get("/api/notifications", headers={"Accept-Encoding": "gzip"})
    assert br.headers["Content-Encoding"] == "br" and gz.headers["Content-Encoding"] == "gzip"
    tags = {plain.headers["ETag"], br.headers["ETag"], gz.headers["ETag"]}
    assert len(tags) == 3  # three different bodies, three tags
    assert br.headers["ETag"] == plain.headers["ETag"][:-1] + '-br"'
    for res, accept in ((br, BR_GZIP), (gz, {"Accept-Encoding": "gzip"})):
        again = shi.get("/api/notifications", headers={**accept, "If-None-Match": res.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b""
        assert again.headers["ETag"] == res.headers["ETag"] and varies(again)
    plain_again = shi.get("/api/notifications", headers={"If-None-Match": plain.headers["ETag"]})
    assert plain_again.status_code == 304 and plain_again.headers["ETag"] == plain.headers["ETag"]


# ---- the phone app's files ------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/bundle/app.js", "/css/app.css", "/js/i18n/zh-CN.js", "/sw.js",
                                  "/precache-manifest.js", "/manifest.webmanifest"])
@pytest.mark.parametrize(("accept", "expected", "suffix"), [
    ("gzip, deflate, br", "br", ".br"), ("gzip", "gzip", ".gz"), ("identity", None, ""),
])
def test_app_files_are_sent_as_their_compressed_copies(anon, path, accept, expected, suffix):
    on_disk = ROOT / "pwa" / ("index.html" if path == "/" else path.lstrip("/"))
    res = anon.get(path, headers={"Accept-Encoding": accept})
    assert res.status_code == 200
    assert res.headers.get("Content-Encoding") == expected and varies(res)
    assert res.get_data() == (on_disk.parent / (on_disk.name + suffix)).read_bytes()  # the copy, as it lies
    assert decoded(res) == on_disk.read_bytes()
    identity = anon.get(path)
    assert identity.headers["Content-Type"] == res.headers["Content-Type"]
    if expected:
        assert res.headers["ETag"] != identity.headers["ETag"]
    again = anon.get(path, headers={"Accept-Encoding": accept, "If-None-Match": res.headers["ETag"]})
    assert again.status_code == 304 and varies(again)
    for r in (res, identity, again):
        r.close()


def test_images_are_sent_as_they_are(anon):
    res = anon.get("/icons/icon-512.png", headers=BR_GZIP)
    assert res.status_code == 200 and "Content-Encoding" not in res.headers and not varies(res)
    assert res.get_data()[:8] == b"\x89PNG\r\n\x1a\n"
    res.close()


def test_a_file_changed_since_the_build_is_sent_uncompressed(app, anon, tmp_path):
    """An edited file whose copies were not rebuilt: the file itself, never the old copy."""
    copy = tmp_path / "pwa"
    shutil.copytree(ROOT / "pwa", copy, ignore=shutil.ignore_patterns("node_modules"))
    css = copy / "css" / "app.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
    old = app.static_folder
    app.static_folder = str(copy)
    try:
        changed = anon.get("/css/app.css", headers=BR_GZIP)
        untouched = anon.get("/bundle/app.js", headers=BR_GZIP)
    finally:
        app.static_folder = old
    assert "Content-Encoding" not in changed.headers and changed.get_data() == css.read_bytes()
    assert untouched.headers["Content-Encoding"] == "br"
    for r in (changed, untouched):
        r.close()


def test_an_answer_marked_plain_is_never_compressed(database):
    """A route whose answer holds a secret (a temporary password) marks it with keep_plain()."""
    from app import create_app
    from app.common.compress import keep_plain

    url, options = database
    app = create_app({"BAOLIAN_ENV": "testing", "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": options})

    @app.get("/healthz/plain-probe")  # outside /api/: no login needed
    def probe():
        keep_plain()
        return {"secret": "x" * (2 * MIN_SIZE)}

    res = app.test_client().get("/healthz/plain-probe", headers=BR_GZIP)
    assert res.status_code == 200 and "Content-Encoding" not in res.headers
