"""Email domain check iApp: is the protected address well formed, and is its domain a free mail provider?

It reads the record entry ``email`` (borsh string: u32 little-endian length + UTF-8, as DataProtector
serializes it) and returns only the verdicts and the domain, never the address's local part.
"""

import json
import os
import re
import struct
import sys
import zipfile
from pathlib import Path

FREE_PROVIDERS = {
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "mail.com",
    "yandex.com",
}
ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)$")


def borsh_string(data: bytes) -> str:
    if len(data) < 4:
        raise ValueError("the email entry is not a borsh string")
    (length,) = struct.unpack_from("<I", data)
    if len(data) != 4 + length:
        raise ValueError("the email entry is not a borsh string")
    return data[4:].decode("utf-8")


def main() -> None:
    out = Path(os.environ["IEXEC_OUT"])
    computed = {"deterministic-output-path": str(out / "result.json")}
    try:
        path = Path(os.environ["IEXEC_IN"]) / os.environ["IEXEC_DATASET_FILENAME"]
        with zipfile.ZipFile(path) as archive:
            email = borsh_string(archive.read("email"))
        match = ADDRESS.match(email.strip())
        domain = match.group(1).lower() if match else None
        result = {"wellFormed": match is not None, "domain": domain, "freeProvider": domain in FREE_PROVIDERS}
        with Path(computed["deterministic-output-path"]).open("w") as f:
            json.dump(result, f, indent=1, sort_keys=True)
    except KeyError:
        computed = {"error-message": "the protected data has no 'email' entry"}
    except (ValueError, OSError, UnicodeDecodeError, zipfile.BadZipFile) as e:
        computed = {"error-message": str(e)}
    with (out / "computed.json").open("w") as f:
        json.dump(computed, f)


if __name__ == "__main__":
    main()
    sys.exit(0)
