"""Photos for tests, made with Pillow: a phone's JPEG with its EXIF (camera, GPS, orientation),
and files that only pretend to be photos."""
import io
import random
import struct
import zlib

from PIL import Image, ImageDraw

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F
# 西流南村, roughly: 36°20'12.5"N 113°13'1"E
GPS = {1: "N", 2: (36.0, 20.0, 12.5), 3: "E", 4: (113.0, 13.0, 1.0)}


def scene(width=1200, height=900, seed=1, noise=0):
    """Something like a photo: a sky gradient, a house, a little sensor noise."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    rnd = random.Random(seed)
    for _ in range(12):
        x, y = rnd.randrange(width), rnd.randrange(height)
        draw.rectangle([x, y, x + width // 6, y + height // 8], fill=(rnd.randrange(256), rnd.randrange(256), 90))
    if noise:
        grain = Image.effect_noise((width, height), noise).convert("RGB")
        image = Image.blend(image, grain, 0.35)
    return image


def exif(*, gps=True, orientation=None, make="Xiaomi"):
    data = Image.Exif()
    if make:
        data[MAKE] = make
    if orientation:
        data[ORIENTATION] = orientation
    if gps:
        data[GPS_IFD] = dict(GPS)
    return data


def jpeg(width=1200, height=900, *, gps=True, orientation=None, make="Xiaomi", quality=90, seed=1, noise=0,
         comment=None):
    buf = io.BytesIO()
    options = {"quality": quality, "exif": exif(gps=gps, orientation=orientation, make=make)}
    if comment:
        options["comment"] = comment
    scene(width, height, seed, noise).save(buf, "JPEG", **options)
    return buf.getvalue()


def png(width=400, height=300, *, alpha=False):
    buf = io.BytesIO()
    image = scene(width, height)
    if alpha:
        image = image.convert("RGBA")
    image.save(buf, "PNG")
    return buf.getvalue()


def webp(width=800, height=600, *, gps=True):
    buf = io.BytesIO()
    scene(width, height).save(buf, "WEBP", quality=80, exif=exif(gps=gps))
    return buf.getvalue()


def opened(data):
    return Image.open(io.BytesIO(data))


def gps_of(data):
    return dict(opened(data).getexif().get_ifd(GPS_IFD))


def sized_jpeg(low, high, width=1600, height=1200):
    """A JPEG within [low, high] bytes, found by trying qualities on a grainy scene."""
    for noise in (20, 40, 60, 80):
        for quality in range(60, 100, 3):
            data = jpeg(width, height, noise=noise, quality=quality)
            if low <= len(data) <= high:
                return data
    raise AssertionError(f"no JPEG between {low} and {high} bytes")


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>\n"


def png_bomb(width=30000, height=30000):
    """A PNG whose header claims a huge image: tiny on the wire, gigabytes once decoded."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + \
        chunk(b"IEND", b"")
