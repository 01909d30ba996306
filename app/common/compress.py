"""Answers compressed for the wire: brotli when the client accepts it, else gzip, else as they are.

Compressed here, per request: bodies built in memory (the API's JSON, error answers) of at least
MIN_SIZE bytes and of a text kind. Not here: files being sent (the phone app's files are
compressed once by `make pwa` and sent as they lie, app/common/static_files.py), images,
spreadsheets and other kinds that are compressed already, and tiny bodies (the headers would
outweigh the saving). Every answer whose body depends on Accept-Encoding says `Vary: Accept-Encoding`.

ETags: a compressed body is other bytes, so it carries its own strong ETag, the route's tag with
`-br` or `-gz` appended. A conditional request naming such a tag has the suffix taken off before
the route compares it (routes know only their own tags), and its 304 answers the tag it named.

BREACH: a compressed answer that holds a secret beside text an attacker chose can give the secret
away by its length. The answers that hold the CSRF token (`GET /api/auth/csrf`, the login answer:
any request that called `generate_csrf`) and those a route marks with `keep_plain()` (a temporary
password) are never compressed. No other answer holds a secret: every GET answer is the caller's
own data, and a write needs the CSRF token, which another site cannot read.

`COMPRESS_RESPONSES = False` in the configuration turns all of it off (the benchmark's baseline).
"""
import gzip
import re

import brotli
from flask import current_app, g, request

MIN_SIZE = 1024  # bytes; below about one packet compression saves nothing worth the work
GZIP_LEVEL = 6  # per request: zlib's default, the usual balance of time and size
BROTLI_QUALITY = 5  # per request: as fast as gzip -6 and smaller; 11 is for build time only
SUFFIX = {"br": "-br", "gzip": "-gz"}
TEXT_TYPES = {"application/json", "application/javascript", "text/javascript", "application/manifest+json",
              "image/svg+xml", "application/xml", "text/xml"}
_VARIANT_TAG = re.compile(r'-(?:br|gz)"')
_ORIGINAL_INM = "baolian.if_none_match"


def enabled():
    return current_app.config.get("COMPRESS_RESPONSES", True)


def chosen_encoding():
    """'br', 'gzip' or None for this request's Accept-Encoding (br wins a tie)."""
    accepted = request.accept_encodings
    best = accepted.best_match(["br", "gzip"])
    return best if best and accepted[best] > 0 else None


def compressible_type(mimetype):
    return bool(mimetype) and (mimetype.startswith("text/") or mimetype in TEXT_TYPES)


def encode(data, encoding):
    if encoding == "br":
        return brotli.compress(data, quality=BROTLI_QUALITY)
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def _strip_variant_tags():
    """Let the route compare If-None-Match with its own tags: `"abc-br"` becomes `"abc"`."""
    header = request.environ.get("HTTP_IF_NONE_MATCH")
    if header and _VARIANT_TAG.search(header):
        request.environ[_ORIGINAL_INM] = header
        request.environ["HTTP_IF_NONE_MATCH"] = _VARIANT_TAG.sub('"', header)


def _not_modified(response):
    """A 304 answers the variant's tag the client named, and says it varies."""
    named = request.environ.get(_ORIGINAL_INM)
    tag, weak = response.get_etag()
    if not named or not tag:
        return response
    for suffix in SUFFIX.values():
        if f'{tag}{suffix}"' in named:
            response.set_etag(tag + suffix, weak)
            response.vary.add("Accept-Encoding")
            break
    return response


def keep_plain():
    """This request's answer holds a secret: send it uncompressed (see BREACH above)."""
    g.keep_plain = True


def _skip(response):
    return (response.direct_passthrough or response.is_streamed or "Content-Encoding" in response.headers
            or response.status_code < 200 or response.status_code in (204, 206)
            or not compressible_type(response.mimetype) or g.get("keep_plain")
            or g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")) is not None)


def _compress(response):
    if response.status_code == 304:
        return _not_modified(response)
    if not enabled() or _skip(response):
        return response
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    response.vary.add("Accept-Encoding")
    encoding = chosen_encoding()
    if encoding is None:
        return response
    response.set_data(encode(data, encoding))
    response.headers["Content-Encoding"] = encoding
    tag, weak = response.get_etag()
    if tag:
        response.set_etag(tag + SUFFIX[encoding], weak)
    return response


def install(app):
    app.before_request(_strip_variant_tags)
    app.after_request(_compress)
