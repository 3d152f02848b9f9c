"""MIME detection with magic-bytes.js's quirks (the full comparison against it is tests/compat)."""

from __future__ import annotations

import pytest

from desktop_app.core.protect.mime import HEAD_SIZE, OCTET_STREAM, detect_mime

PAD = bytes(32)


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\xef\xbb\xbf%PDF-1.4", "application/pdf"),
        (b'<?xml version="1.0"?>', "application/xml"),
        (b"PK\x03\x04" + PAD, "application/zip"),
        (b"PK\x05\x06" + PAD, "application/zip"),
        (b"MThd\x00\x00\x00\x06", "audio/midi"),
        (b"ID3\x04\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x00", "audio/mpeg"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/x-wav"),
        (b"RIFF\x24\x00\x00\x00AVI LIST", "video/x-msvideo"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"BM" + PAD, "image/bmp"),
        (b"GIF87a" + PAD, "image/gif"),
        (b"GIF89a" + PAD, "image/gif"),
        (b"\xff\xd8\xff\xe0" + PAD, "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n" + PAD, "image/png"),
        (b"\x00\x00\x00\x18ftypmp42" + PAD, "video/mp4"),
        (b"\x00\x00\x01\xba" + PAD, "video/mpeg"),
        (b"\x00\x00\x01\xb3" + PAD, "video/mpeg"),
    ],
)
def test_each_supported_family(head: bytes, mime: str) -> None:
    assert detect_mime(head) == mime


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (b"G", "video/mpeg"),  # the MPEG-TS sync byte alone matches
        (b"GIF8x", "video/mpeg"),  # leaving the GIF branch keeps the shallower match
        (b"Hello", OCTET_STREAM),
        (b"", OCTET_STREAM),
        (b"\x00\x00\x00\x18ftypheic" + PAD, OCTET_STREAM),  # a deeper unsupported match shadows MP4
        (b"\x00\x00\x00\x18ftypmif1" + PAD, OCTET_STREAM),
        (b"\x00\x00\x00\x18ftypmiaf" + PAD, "video/mp4"),  # 'm' starts a deeper branch that then fails
        (b"\xef\xbb\xbfhello", OCTET_STREAM),  # a UTF-8 BOM is text, unsupported
        (b"\x89PNG\r\n\x1a", OCTET_STREAM),  # truncated signature
        (b"RIFF\x00\x00\x00\x00WAVX", OCTET_STREAM),
        (b"\x00" * 40, OCTET_STREAM),
        (b"\xff\xf1", OCTET_STREAM),  # AAC is not in the SDK's list
        (b"GIF8ftyp", "video/mp4"),  # offset signatures are tried first
    ],
)
def test_quirks_of_the_sdks_detector(head: bytes, mime: str) -> None:
    assert detect_mime(head) == mime


def test_head_size_covers_every_signature() -> None:
    assert HEAD_SIZE == 24
    assert detect_mime(b"\x00\x00\x01\xba" + b"x" * 100) == detect_mime(b"\x00\x00\x01\xba" + b"x" * 20)
