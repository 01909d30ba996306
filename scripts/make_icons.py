#!/usr/bin/env python3
"""Draw the app icons (a white house on the party red) as PNG files, with no dependencies.

    python scripts/make_icons.py     # writes pwa/icons/*.png

"any" icons have rounded corners; the maskable one is full-bleed with the house inside the
central safe circle (radius 40 %), as the maskable icon format asks.
"""
import struct
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "pwa" / "icons"
RED = (183, 28, 28)
WHITE = (255, 255, 255)
SS = 3  # supersampling per axis


def _in_triangle(x, y, a, b, c):
    def sign(p, q, r):
        return (p[0] - r[0]) * (q[1] - r[1]) - (q[0] - r[0]) * (p[1] - r[1])
    d1, d2, d3 = sign((x, y), a, b), sign((x, y), b, c), sign((x, y), c, a)
    neg = d1 < 0 or d2 < 0 or d3 < 0
    pos = d1 > 0 or d2 > 0 or d3 > 0
    return not (neg and pos)


def _house(x, y):
    """Colour of the house drawing at unit coordinates (x, y), or None for background."""
    if 0.44 <= x <= 0.56 and 0.60 <= y <= 0.78:
        return RED  # the door
    if _in_triangle(x, y, (0.5, 0.20), (0.14, 0.50), (0.86, 0.50)):
        return WHITE
    if 0.25 <= x <= 0.75 and 0.46 <= y <= 0.78:
        return WHITE
    return None


def _rounded(x, y, r=0.18):
    cx = min(max(x, r), 1 - r)
    cy = min(max(y, r), 1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def pixel(x, y, maskable):
    if maskable:
        u, v = 0.5 + (x - 0.5) / 0.72, 0.5 + (y - 0.5) / 0.72  # shrink into the safe zone
        return _house(u, v) or RED, 255
    if not _rounded(x, y):
        return (0, 0, 0), 0
    return _house(x, y) or RED, 255


def render(size, maskable):
    rows = []
    for py in range(size):
        row = bytearray([0])  # filter: none
        for px in range(size):
            r = g = b = a = 0
            for sy in range(SS):
                for sx in range(SS):
                    (cr, cg, cb), ca = pixel((px + (sx + 0.5) / SS) / size, (py + (sy + 0.5) / SS) / size, maskable)
                    r += cr * ca
                    g += cg * ca
                    b += cb * ca
                    a += ca
            n = SS * SS
            if a:
                row += bytes((r // a, g // a, b // a, a // n))
            else:
                row += bytes((0, 0, 0, 0))
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(w, h, raw):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (("icon-192.png", 192, False), ("icon-512.png", 512, False),
                                 ("maskable-192.png", 192, True), ("maskable-512.png", 512, True),
                                 ("apple-touch-icon.png", 180, True)):
        (OUT / name).write_bytes(render(size, maskable))
        print("wrote", (OUT / name).relative_to(ROOT))


if __name__ == "__main__":
    main()
