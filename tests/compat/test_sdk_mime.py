"""Our MIME detection equals the SDK's (extractDataSchema over magic-bytes.js) on probes built from
every signature the installed detector knows: each prefix of it, with different fillers before a
fixed offset and for wildcards, and different bytes after; plus random bytes starting like a signature.
"""

from __future__ import annotations

import base64
import random

from desktop_app.core.protect.mime import detect_mime
from tests.compat.sdk import run


def probes_for(offset: int, signature: list[str]) -> set[bytes]:
    probes = set()
    for filler in (0x00, 0xAA):
        for wildcard in (0x00, 0x41):
            pattern = bytes(wildcard if byte == "?" else int(byte, 16) for byte in signature)
            for length in range(1, len(pattern) + 1):
                for after in (b"", b"\x00" * 8, b"\xff" * 8):
                    probes.add(bytes([filler]) * offset + pattern[:length] + after)
    return probes


def test_detection_matches_the_sdk_on_every_signature() -> None:
    signatures = run("serialize.mjs", {"date": 0})["signatures"]
    assert len(signatures) > 150, "the SDK's detector lists its signatures"
    probes: set[bytes] = set()
    for offset, signature in signatures:
        probes |= probes_for(offset, signature)
    rng = random.Random(20240305)
    starts = sorted({bytes([int(sig[0], 16)]) for offset, sig in signatures if offset == 0 and sig[0] != "?"})
    for _ in range(3000):
        probes.add(rng.choice(starts) + rng.randbytes(rng.randrange(0, 40)))
    ordered = sorted(probes)
    reply = run("serialize.mjs", {"date": 0, "probes": [base64.b64encode(p).decode() for p in ordered]})
    mismatches = [
        (probe.hex(), sdk, detect_mime(probe))
        for probe, sdk in zip(ordered, reply["probes"], strict=True)
        if detect_mime(probe) != sdk
    ]
    assert mismatches == [], f"{len(mismatches)} of {len(ordered)} probes differ, e.g. {mismatches[:5]}"
