"""The crash report: what a bug looked like, in a form the user can copy into an issue, with no secret in it.

Only the traceback and environment go in; never local variables. Exception messages are passed through
``redact`` because a library may quote its input: 32-byte hex strings (private keys, AES keys, but also
hashes: better a redacted hash than a leaked key), PEM blocks and runs of words that could be a recovery
phrase are replaced. Qt-free so the redaction is tested as plain text.
"""

from __future__ import annotations

import hashlib
import platform
import re
import traceback

from desktop_app import __version__

_HEX_SECRET = re.compile(r"(0x)?[0-9a-fA-F]{64}")
_PEM = re.compile(r"-----BEGIN [A-Z ]+-----.*?-----END [A-Z ]+-----", re.DOTALL)
# Twelve or more lowercase words in a row: the shape of a BIP-39 phrase.
_PHRASE = re.compile(r"\b(?:[a-z]{3,8} ){11,23}[a-z]{3,8}\b")


def redact(text: str) -> str:
    text = _PEM.sub("<redacted PEM block>", text)
    text = _HEX_SECRET.sub("<redacted 32 bytes>", text)
    return _PHRASE.sub("<redacted words>", text)


def crash_report(error: BaseException, *, network: str = "", qt_version: str = "") -> str:
    """A plain-text report of ``error``: versions, platform, network name and the redacted traceback."""
    lines = [
        f"DataProtector Desktop {__version__}",
        f"Python {platform.python_version()} on {platform.platform()}",
    ]
    if qt_version:
        lines.append(f"Qt {qt_version}")
    if network:
        lines.append(f"Network: {network}")
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return redact("\n".join([*lines, "", trace.rstrip()]))


def fingerprint(error: BaseException) -> str:
    """Identifies "the same crash again" (type and code locations, not the message): the dialog is shown
    once per fingerprint per session, so a bug in a timer does not bury the user in windows."""
    frames = traceback.extract_tb(error.__traceback__)
    key = type(error).__qualname__ + "".join(f"{f.filename}:{f.lineno}" for f in frames)
    return hashlib.sha256(key.encode()).hexdigest()[:16]
