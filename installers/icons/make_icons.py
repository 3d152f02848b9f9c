"""Draw the app icon (a yellow shield with a keyhole on a navy tile) for every installer, stdlib only.

The same geometry gives the scalable SVG (Linux ``hicolor/scalable``), PNGs at each hicolor size, a
Windows ``.ico`` and a macOS ``.icns`` (both made of PNG entries, which Windows Vista+ and macOS 10.7+
read). No Pillow, no ImageMagick: the shapes are polygons filled with 4× vertical supersampling and
exact horizontal coverage, so the build machines of all three platforms produce the same files.

    python installers/icons/make_icons.py OUT_DIR
"""

from __future__ import annotations

import argparse
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

Point = tuple[float, float]
Color = tuple[int, int, int]

NAME = "dataprotector-desktop"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 256)
# icns entry type → pixel size (PNG payloads; the @2x types reuse the larger renders).
ICNS_TYPES = (
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic07", 128),
    (b"ic13", 256),
    (b"ic08", 256),
    (b"ic14", 512),
    (b"ic09", 512),
    (b"ic10", 1024),
)
TOP: Color = (0x24, 0x36, 0x60)
BOTTOM: Color = (0x0E, 0x16, 0x2C)
SHIELD: Color = (0xFC, 0xD1, 0x5A)
KEYHOLE: Color = (0x13, 0x1F, 0x3A)
SUBSAMPLES = 4


def _quad(p0: Point, p1: Point, p2: Point, steps: int = 24) -> list[Point]:
    """Points of a quadratic Bézier curve, without its first point."""
    points = []
    for i in range(1, steps + 1):
        t = i / steps
        a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t * t
        points.append((a * p0[0] + b * p1[0] + c * p2[0], a * p0[1] + b * p1[1] + c * p2[1]))
    return points


def _rounded_square(inset: float, radius: float) -> list[Point]:
    lo, hi = inset, 1 - inset
    points: list[Point] = [(lo + radius, lo)]
    for corner, start, end in (
        ((hi, lo), (hi - radius, lo), (hi, lo + radius)),
        ((hi, hi), (hi, hi - radius), (hi - radius, hi)),
        ((lo, hi), (lo + radius, hi), (lo, hi - radius)),
        ((lo, lo), (lo, lo + radius), (lo + radius, lo)),
    ):
        points.append(start)
        points.extend(_quad(start, corner, end))
    return points


def _shield() -> list[Point]:
    right = [(0.5, 0.185), (0.745, 0.255), (0.745, 0.5)]
    right += _quad((0.745, 0.5), (0.735, 0.735), (0.5, 0.835))
    left = [(1 - x, y) for x, y in reversed(right[1:-1])]
    return right + left


def _circle(cx: float, cy: float, r: float, steps: int = 64) -> list[Point]:
    from math import cos, pi, sin

    return [(cx + r * cos(2 * pi * i / steps), cy + r * sin(2 * pi * i / steps)) for i in range(steps)]


KEYHOLE_SLOT: list[Point] = [(0.472, 0.47), (0.528, 0.47), (0.548, 0.66), (0.452, 0.66)]
SHAPES: list[tuple[list[Point], Color | None]] = [
    (_rounded_square(0.06, 0.2), None),  # None: the vertical gradient
    (_shield(), SHIELD),
    (_circle(0.5, 0.445, 0.072), KEYHOLE),
    (KEYHOLE_SLOT, KEYHOLE),
]


def _gradient(y: float) -> Color:
    t = min(max((y - 0.06) / 0.88, 0.0), 1.0)
    return (
        round(TOP[0] + (BOTTOM[0] - TOP[0]) * t),
        round(TOP[1] + (BOTTOM[1] - TOP[1]) * t),
        round(TOP[2] + (BOTTOM[2] - TOP[2]) * t),
    )


def _coverage(polygon: list[Point], size: int) -> list[list[float]]:
    """Per-pixel coverage (0..1) of a polygon given in unit coordinates (even-odd rule)."""
    pts = [(x * size, y * size) for x, y in polygon]
    edges = list(zip(pts, pts[1:] + pts[:1], strict=True))
    rows = [[0.0] * size for _ in range(size)]
    weight = 1.0 / SUBSAMPLES
    for py in range(size):
        row = rows[py]
        for sub in range(SUBSAMPLES):
            y = py + (sub + 0.5) / SUBSAMPLES
            xs = sorted(
                x0 + (y - y0) * (x1 - x0) / (y1 - y0)
                for (x0, y0), (x1, y1) in edges
                if (y0 <= y < y1) or (y1 <= y < y0)
            )
            for start, end in zip(xs[::2], xs[1::2], strict=False):
                start, end = max(start, 0.0), min(end, float(size))
                if end <= start:
                    continue
                first, last = int(start), min(int(end), size - 1)
                if first == last:
                    row[first] += (end - start) * weight
                    continue
                row[first] += (first + 1 - start) * weight
                for x in range(first + 1, last):
                    row[x] += weight
                row[last] += (end - last) * weight
    return rows


def render(size: int) -> bytes:
    """The icon as RGBA rows (straight alpha), ``size``×``size``."""
    pixels = [[0.0, 0.0, 0.0, 0.0] for _ in range(size * size)]  # premultiplied while compositing
    for polygon, color in SHAPES:
        coverage = _coverage(polygon, size)
        for py in range(size):
            fill = color or _gradient((py + 0.5) / size)
            cov_row = coverage[py]
            base = py * size
            for px in range(size):
                a = min(cov_row[px], 1.0)
                if a <= 0.0:
                    continue
                pixel = pixels[base + px]
                keep = 1.0 - a
                pixel[0] = fill[0] * a + pixel[0] * keep
                pixel[1] = fill[1] * a + pixel[1] * keep
                pixel[2] = fill[2] * a + pixel[2] * keep
                pixel[3] = a + pixel[3] * keep
    out = bytearray()
    for pixel in pixels:
        alpha = pixel[3]
        if alpha <= 0.0:
            out += b"\0\0\0\0"
            continue
        out += bytes(min(255, round(c / alpha)) for c in pixel[:3]) + bytes([round(alpha * 255)])
    return bytes(out)


def png(size: int, rgba: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    stride = size * 4
    raw = b"".join(b"\0" + rgba[y * stride : (y + 1) * stride] for y in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def ico(pngs: dict[int, bytes]) -> bytes:
    entries, payload = b"", b""
    offset = 6 + 16 * len(ICO_SIZES)
    for size in ICO_SIZES:
        data = pngs[size]
        dim = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset + len(payload))
        payload += data
    return struct.pack("<HHH", 0, 1, len(ICO_SIZES)) + entries + payload


def icns(pngs: dict[int, bytes]) -> bytes:
    body = b"".join(kind + struct.pack(">I", len(pngs[size]) + 8) + pngs[size] for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def svg() -> str:
    def path(points: list[Point]) -> str:
        return "M" + " L".join(f"{x * 256:.2f},{y * 256:.2f}" for x, y in points) + " Z"

    background, shield, circle, slot = (points for points, _color in SHAPES)
    hexed: Callable[[Color], str] = lambda c: "#{:02x}{:02x}{:02x}".format(*c)  # noqa: E731
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">\n'
        ' <title>DataProtector Desktop</title>\n <defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{hexed(TOP)}"/><stop offset="1" stop-color="{hexed(BOTTOM)}"/>'
        "</linearGradient></defs>\n"
        f' <path fill="url(#bg)" d="{path(background)}"/>\n'
        f' <path fill="{hexed(SHIELD)}" d="{path(shield)}"/>\n'
        f' <path fill="{hexed(KEYHOLE)}" d="{path(circle)} {path(slot)}"/>\n'
        "</svg>\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("out", type=Path)
    out: Path = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    pngs = {size: png(size, render(size)) for size in PNG_SIZES}
    for size, data in pngs.items():
        (out / f"{NAME}-{size}.png").write_bytes(data)
    (out / f"{NAME}.png").write_bytes(pngs[256])
    (out / f"{NAME}.ico").write_bytes(ico(pngs))
    (out / f"{NAME}.icns").write_bytes(icns(pngs))
    (out / f"{NAME}.svg").write_text(svg())
    print(f"icons written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
