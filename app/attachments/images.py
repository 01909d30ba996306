"""Checking and cleaning an uploaded photo, with no database and no HTTP.

- Its type is read from its first bytes (JPEG, PNG or WebP), never from its name or the
  declared type, and Pillow must decode it fully as that type.
- Location is removed unless the user chose to keep it: of all the metadata only the
  orientation survives (and the GPS block when kept). Camera make, serial numbers, XMP, IPTC,
  comments and anything after the end of the image go.
- A JPEG from the phone (already at most 1600 px and small enough) keeps its pixels exactly:
  only its metadata segments are rewritten. Anything else (PNG, WebP, a JPEG too large) is
  decoded, turned upright, shrunk to 1600 px and encoded again.
- A thumbnail (at most 320 px, JPEG, no metadata) is made for lists.
"""
import io
import logging
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

log = logging.getLogger(__name__)

JPEG, PNG, WEBP = "image/jpeg", "image/png", "image/webp"
PIL_FORMAT = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
MAX_SIDE = 1600  # the phone's size; the server shrinks anything larger to it
THUMB_SIDE = 320
MAX_PIXELS = 50_000_000  # more than any phone camera; a larger header is a decompression bomb
QUALITIES = (85, 75, 65, 55, 45)  # tried in turn when a photo must be encoded again
THUMB_QUALITY = 70

ORIENTATION = 0x0112
GPS_IFD = 0x8825

# JPEG segments kept besides the image data: JFIF (APP0), the colour profile (APP2
# "ICC_PROFILE"), Adobe's colour transform (APP14). Every other APPn (EXIF, XMP, IPTC, MPF ...)
# and every comment goes.
ICC_PREFIX = b"ICC_PROFILE\x00"


class ImageRefused(Exception):
    """The bytes are not a photo we store; `reason` names the message (ATTACHMENT_TEXT)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Cleaned:
    data: bytes
    content_type: str
    width: int
    height: int
    thumb: bytes


def sniff(raw):
    """The type by content (magic bytes), or None."""
    if raw[:3] == b"\xff\xd8\xff":
        return JPEG
    if raw[:8] == b"\x89PNG\r\n\x1a\n":
        return PNG
    if len(raw) >= 12 and raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return WEBP
    return None


def clean(raw, *, keep_location, max_bytes):
    """The photo to store and its thumbnail; raises ImageRefused."""
    kind = sniff(raw)
    if kind is None:
        raise ImageRefused("not_image")
    try:
        return _clean(raw, kind, keep_location, max_bytes)
    except ImageRefused:
        raise
    except Exception:  # noqa: BLE001 - untrusted bytes (a mangled EXIF block ...): a refusal, never a 500
        log.warning("cannot clean a %s upload", kind, exc_info=True)
        raise ImageRefused("broken") from None


def _clean(raw, kind, keep_location, max_bytes):
    image = decode(raw, kind)
    exif = image.getexif()
    gps = dict(exif.get_ifd(GPS_IFD)) if keep_location else {}
    orientation = exif.get(ORIENTATION, 1)
    upright = ImageOps.exif_transpose(image)
    thumb = thumbnail(upright)
    if kind == JPEG and max(image.size) <= MAX_SIDE:
        data = strip_jpeg(raw, metadata(orientation=orientation, gps=gps))
        if len(data) <= max_bytes:
            decode(data, JPEG)  # what is stored decodes too
            return Cleaned(data, JPEG, image.width, image.height, thumb)
    data, out_type, size = reencode(upright, kind, gps, max_bytes)
    return Cleaned(data, out_type, size[0], size[1], thumb)


def decode(raw, kind):
    """Pillow must read the whole image as the sniffed type, within a sane pixel count."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw), formats=[PIL_FORMAT[kind]])
            if image.width * image.height > MAX_PIXELS:
                raise ImageRefused("too_many_pixels")
            image.load()
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("too_many_pixels") from None
    except Exception as exc:  # noqa: BLE001 - untrusted bytes: any failure to decode is a refusal
        log.info("undecodable %s upload: %s", kind, exc)
        raise ImageRefused("broken") from None
    return image


def metadata(*, orientation=1, gps=None):
    """The EXIF block a stored photo may carry: its orientation, and GPS only when kept."""
    exif = Image.Exif()
    if orientation and orientation != 1:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = gps
    return exif.tobytes() if len(exif) else b""


def strip_jpeg(raw, app1=b""):
    """The JPEG with its metadata segments replaced by `app1` (an EXIF block or nothing) and
    nothing after its end marker; the compressed image data is copied untouched."""
    out = bytearray(b"\xff\xd8")
    pending_app1 = app1
    i, n = 2, len(raw)
    while i < n:
        if raw[i] != 0xFF:
            raise ImageRefused("broken")
        while i < n and raw[i] == 0xFF:  # fill bytes before a marker
            i += 1
        if i >= n:
            break
        marker = raw[i]
        i += 1
        if marker == 0xD9:  # end of image: whatever follows (a hidden file) is dropped
            out += b"\xff\xd9"
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            out += bytes((0xFF, marker))
            continue
        if i + 2 > n:
            break
        length = int.from_bytes(raw[i:i + 2], "big")
        end = i + length
        if length < 2 or end > n:
            break
        body = raw[i + 2:end]
        if pending_app1 and marker != 0xE0:  # EXIF after JFIF, before everything else
            out += b"\xff\xe1" + (len(pending_app1) + 2).to_bytes(2, "big") + pending_app1
            pending_app1 = b""
        if _keep_segment(marker, body):
            out += bytes((0xFF, marker)) + raw[i:end]
        i = end
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the next real marker
            j = _scan_end(raw, i)
            out += raw[i:j]
            i = j
    raise ImageRefused("broken")  # truncated: no end marker


def _keep_segment(marker, body):
    if marker == 0xFE:  # comment
        return False
    if 0xE0 <= marker <= 0xEF:
        return marker in (0xE0, 0xEE) or (marker == 0xE2 and body.startswith(ICC_PREFIX))
    return True


def _scan_end(raw, i):
    n = len(raw)
    while True:
        j = raw.find(b"\xff", i)
        if j < 0 or j + 1 >= n:
            raise ImageRefused("broken")
        following = raw[j + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:  # a stuffed byte or a restart marker
            i = j + 2
        elif following == 0xFF:  # fill
            i = j + 1
        else:
            return j


def reencode(upright, kind, gps, max_bytes):
    """Encode again (upright, at most MAX_SIDE), stepping the quality down until it fits.
    WebP stays WebP; JPEG and PNG become JPEG. Answers (bytes, type, (width, height))."""
    image = upright.copy()
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out_type = WEBP if kind == WEBP else JPEG
    image = _flatten(image, keep_alpha=out_type == WEBP)
    exif = metadata(gps=gps)
    icc = upright.info.get("icc_profile")
    for quality in QUALITIES:
        buf = io.BytesIO()
        options = {"quality": quality}
        if exif:
            options["exif"] = exif
        if icc:
            options["icc_profile"] = icc
        if out_type == JPEG:
            options["optimize"] = True
        image.save(buf, PIL_FORMAT[out_type], **options)
        if buf.tell() <= max_bytes:
            return buf.getvalue(), out_type, image.size
    raise ImageRefused("too_large_after")


def thumbnail(upright):
    image = upright.copy()
    image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    _flatten(image, keep_alpha=False).save(buf, "JPEG", quality=THUMB_QUALITY, optimize=True)
    return buf.getvalue()


def _flatten(image, *, keep_alpha):
    """RGB (or RGBA when the format keeps it); transparency over white."""
    if image.mode in ("RGB",) or (keep_alpha and image.mode == "RGBA"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        if keep_alpha:
            return rgba
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
