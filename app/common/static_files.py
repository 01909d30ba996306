"""The phone app's files from pwa/, each sent as it lies on disk: a text file as its brotli or gzip
copy (`x.js.br`, `x.js.gz` beside it, made once by `make pwa`) when the browser accepts one and the
copy is of the file as it is now, else the file itself. Nothing is compressed per request.

`bundle/precompressed.json` (written by scripts/build_pwa.py) names each copied file with the
SHA-256 of its content; a file changed since (edited, not yet rebuilt) is sent uncompressed rather
than as an old copy. Each variant is its own file, so send_file gives it its own ETag and 304.
"""
import hashlib
import json
import mimetypes
import os
from pathlib import PurePosixPath

from flask import abort, current_app, send_from_directory
from werkzeug.security import safe_join

from app.common.compress import chosen_encoding, enabled

RECORD = "bundle/precompressed.json"
COPY_SUFFIX = {"br": ".br", "gzip": ".gz"}
NOT_SERVED = {"node_modules"}  # the build's tools live in pwa/node_modules

_by_stat = {}  # path -> ((mtime_ns, size), value): re-read only when the file changes


def _cached(path, read):
    try:
        st = os.stat(path)
    except OSError:
        return None
    stamp = (st.st_mtime_ns, st.st_size)
    hit = _by_stat.get(path)
    if hit is None or hit[0] != stamp:
        hit = (stamp, read(path))
        _by_stat[path] = hit
    return hit[1]


def _read_record(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _copy_to_send(folder, filename, path):
    """The (encoding, copy's name) to send for this request, or None for the file itself."""
    record = _cached(os.path.join(folder, RECORD), _read_record) or {}
    encoding = chosen_encoding() if enabled() else None
    if encoding is None or filename not in record or _cached(path, _sha256) != record[filename]:
        return None
    copy = filename + COPY_SUFFIX[encoding]
    return (encoding, copy) if os.path.isfile(os.path.join(folder, copy)) else None


def _has_copies(folder, filename):
    return filename in (_cached(os.path.join(folder, RECORD), _read_record) or {})


def send_app_file(filename):
    """Flask's static view for pwa/, choosing the precompressed copy when it may."""
    if NOT_SERVED & set(PurePosixPath(filename).parts):
        abort(404)
    folder = current_app.static_folder
    path = safe_join(folder, filename)
    if path is None or not os.path.isfile(path):
        return send_from_directory(folder, filename)  # raises NotFound, as before
    chosen = _copy_to_send(folder, filename, path)
    if chosen is None:
        response = send_from_directory(folder, filename)
    else:
        encoding, copy = chosen
        mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        response = send_from_directory(folder, copy, mimetype=mimetype)
        response.headers["Content-Encoding"] = encoding
    if _has_copies(folder, filename):  # what is sent depends on Accept-Encoding
        response.vary.add("Accept-Encoding")
    return response
