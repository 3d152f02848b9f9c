"""The MIME type the DataProtector SDK writes in a schema for a binary leaf, decided exactly as it does.

The SDK runs ``magic-bytes.js`` over the bytes and keeps the first guess that is in its short list of
supported types, else ``application/octet-stream``. The schema is public and iApps filter protected data
on it, so a file must get the very type name the SDK would give it, quirks included:

- the library walks a trie of signatures greedily (an exact byte is preferred over a ``??`` wildcard, no
  backtracking) and keeps the *deepest* match on the path, so a longer unsupported signature shadows a
  shorter supported one (``PK\\x03\\x04`` is a zip, but a deeper match would win) and a supported match
  stays in force after the walk leaves the trie (``G`` alone is MPEG transport stream, so is ``GIF8x``);
- signatures at a fixed offset (``ftyp`` at 4 for MP4) are tried before those at the start.

Only the trie branches that can lead to a supported type matter: a walk entering any other branch can
only find unsupported types. The table below therefore holds every signature of magic-bytes.js 1.13.1
that starts with the same byte (at the same offset) as a supported one, unsupported ones as ``None``.
``tests/compat/test_sdk_mime.py`` checks this against the installed library on probes built from every
one of its signatures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OCTET_STREAM = "application/octet-stream"

# (offset, signature in hex with ?? for any byte, MIME the SDK keeps or None for a type it ignores)
_SIGNATURES: tuple[tuple[int, str, str | None], ...] = (
    (4, "66726565", None),  # QuickTime "free"
    (4, "66747970", "video/mp4"),  # "ftyp"
    (4, "6674797061766966", None),  # AVIF
    (4, "6674797068656963", None),  # HEIC
    (4, "667479706d696631", None),  # HEIF
    (4, "667479707174", None),  # QuickTime "ftypqt"
    (0, "00", None),  # several legacy formats match a lone NUL
    (0, "00" * 24, None),  # Palm database
    (0, "00000100", None),  # ICO
    (0, "000001b3", "video/mpeg"),
    (0, "000001ba", "video/mpeg"),
    (0, "0000feff", None),  # UTF-32BE text
    (0, "00010000", None),
    (0, "0001000000", None),  # TrueType
    (0, "00014244", None),
    (0, "00014454", None),
    (0, "0061736d", None),  # WebAssembly
    (0, "25215053", None),  # PostScript
    (0, "25504446", "application/pdf"),  # "%PDF"
    (0, "3c3f786d6c20", "application/xml"),  # "<?xml "
    (0, "3c737667", None),  # SVG
    (0, "4241434b4d494b454449534b", None),
    (0, "424d", "image/bmp"),  # "BM"
    (0, "425047fb", None),  # BPG
    (0, "425a68", None),  # bzip2
    (0, "47", "video/mpeg"),  # MPEG-TS sync byte "G"
    (0, "474946383761", "image/gif"),  # "GIF87a"
    (0, "474946383961", "image/gif"),  # "GIF89a"
    (0, "494433", "audio/mpeg"),  # "ID3"
    (0, "49492a00", None),  # TIFF
    (0, "49492a00100000004352", None),  # Canon RAW
    (0, "494e4458", None),
    (0, "4d4c5649", None),
    (0, "4d4d002a", None),  # TIFF
    (0, "4d534346", None),  # CAB
    (0, "4d546864", "audio/midi"),  # "MThd"
    (0, "4d5a", None),  # DOS/Windows executable
    (0, "504b0304", "application/zip"),
    (0, "504b0506", "application/zip"),
    (0, "504b0708", "application/zip"),
    (0, "504c", None),  # EOT font
    (0, "504d4f43434d4f43", None),
    (0, "52494646????????41564920", "video/x-msvideo"),  # "RIFF....AVI "
    (0, "52494646????????57415645", "audio/x-wav"),  # "RIFF....WAVE"
    (0, "52494646????????57454250", "image/webp"),  # "RIFF....WEBP"
    (0, "524e4301", None),
    (0, "524e4302", None),
    (0, "526172211a0700", None),  # RAR
    (0, "526172211a070100", None),  # RAR 5
    (0, "52656365697665643a", None),  # e-mail "Received:"
    (0, "89504e470d0a1a0a", "image/png"),
    (0, "efbbbf", None),  # UTF-8 byte order mark
    (0, "efbbbf25504446", "application/pdf"),  # BOM + "%PDF"
    (0, "efbbbf57454256545409", None),  # BOM + WebVTT
    (0, "efbbbf5745425654540a", None),
    (0, "efbbbf5745425654540d", None),
    (0, "efbbbf57454256545420", None),
    (0, "ffd8ff", "image/jpeg"),
    (0, "fff1", None),  # AAC
    (0, "fff2", "audio/mpeg"),
    (0, "fff3", "audio/mpeg"),
    (0, "fff9", None),  # AAC
    (0, "fffb", "audio/mpeg"),
    (0, "fffe", None),  # UTF-16LE text
    (0, "fffe0000", None),  # UTF-32LE text
)

_ANY = -1


@dataclass
class _Node:
    children: dict[int, _Node] = field(default_factory=dict)
    mime: str | None = None
    matches: bool = False


def _build() -> dict[int, _Node]:
    roots: dict[int, _Node] = {}
    for offset, pattern, mime in _SIGNATURES:
        node = roots.setdefault(offset, _Node())
        for i in range(0, len(pattern), 2):
            pair = pattern[i : i + 2]
            node = node.children.setdefault(_ANY if pair == "??" else int(pair, 16), _Node())
        node.matches = True
        node.mime = node.mime or mime
    return roots


_TRIES = _build()
# Offsets are tried in the order the library registered them; only 4 and 0 can yield a supported type.
_ORDER = sorted(_TRIES, key=lambda offset: offset == 0)
HEAD_SIZE = max(offset + len(pattern) // 2 for offset, pattern, _ in _SIGNATURES)
"""How many leading bytes of a file decide its MIME type; reading more changes nothing."""


def _walk(data: bytes, index: int, node: _Node) -> str | None:
    found: str | None = None
    while index < len(data):
        step = node.children.get(data[index])
        if step is None:
            step = node.children.get(_ANY)
        if step is None:
            return found
        if step.matches:
            found = step.mime
        node = step
        index += 1
    return found


def detect_mime(head: bytes) -> str:
    """The schema type of a binary leaf whose first bytes are ``head`` (at least ``HEAD_SIZE`` of them)."""
    for offset in _ORDER:
        if offset < len(head) and (mime := _walk(head, offset, _TRIES[offset])):
            return mime
    return OCTET_STREAM
