"""File statistics iApp: figures about each file of the protected data, never its content.

Like every iApp it reads the decrypted protected data (a zip) from IEXEC_IN/<IEXEC_DATASET_FILENAME>,
writes its result to IEXEC_OUT, and names the result in IEXEC_OUT/computed.json. It uses only the
standard library, as a program built into an enclave image would.
"""

import hashlib
import json
import os
import sys
import zipfile
from pathlib import Path

MAGIC = [
    (b"%PDF", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
]


def kind(data: bytes) -> str:
    for magic, mime in MAGIC:
        if data.startswith(magic):
            return mime
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


def stats(name: str, data: bytes) -> dict[str, object]:
    entry: dict[str, object] = {
        "name": name,
        "size": len(data),
        "type": kind(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    if entry["type"] == "text/plain":
        text = data.decode("utf-8")
        entry["lines"] = len(text.splitlines())
        entry["words"] = len(text.split())
    return entry


def main() -> None:
    out = Path(os.environ["IEXEC_OUT"])
    computed = {"deterministic-output-path": str(out / "result.json")}
    try:
        path = Path(os.environ["IEXEC_IN"]) / os.environ["IEXEC_DATASET_FILENAME"]
        with zipfile.ZipFile(path) as archive:
            files = [stats(i.filename, archive.read(i)) for i in archive.infolist() if not i.is_dir()]
        with Path(computed["deterministic-output-path"]).open("w") as f:
            json.dump({"files": files}, f, indent=1, sort_keys=True)
    except (KeyError, OSError, zipfile.BadZipFile) as e:
        computed = {"error-message": f"cannot read the protected data: {e}"}
    with (out / "computed.json").open("w") as f:
        json.dump(computed, f)


if __name__ == "__main__":
    main()
    sys.exit(0)
