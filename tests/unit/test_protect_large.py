"""Large files: flat memory whatever the size, and a real ZIP64 protected file past 4 GiB.

Inputs are sparse files (holes read back as zeros), so only the outputs take disk space.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from desktop_app.core.protect import encrypt
from desktop_app.core.protect.pipeline import protect_path

GIB = 1 << 30
MIB = 1 << 20
HEADER = b"\x89PNG\r\n\x1a\n"
TRAILER = b"the end"


def sparse(path: Path, size: int) -> None:
    with path.open("wb") as out:
        out.write(HEADER)
        out.truncate(size - len(TRAILER))
        out.seek(size - len(TRAILER))
        out.write(TRAILER)


def test_memory_stays_flat_while_protecting_a_large_file(tmp_path: Path) -> None:
    # VmHWM, not ru_maxrss: Linux folds the spawning process's peak into a child's ru_maxrss at exec.
    source = tmp_path / "big.bin"
    sparse(source, 512 * MIB)
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from desktop_app.core.protect.pipeline import protect_path
        def status(field):
            line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith(field))
            return int(line.split()[1]) * 1024
        idle = status("VmRSS:")
        protect_path(Path({str(source)!r}), Path({str(tmp_path / "big.enc")!r}))
        print(idle, status("VmHWM:"))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    idle, peak = map(int, done.stdout.split())
    assert peak - idle <= 32 * MIB, f"peak RSS {peak / MIB:.1f} MiB over an idle {idle / MIB:.1f} MiB"


@pytest.mark.slow
def test_a_5_gib_file_is_protected_with_zip64(tmp_path: Path) -> None:
    size = 5 * GIB + 3
    if shutil.disk_usage(tmp_path).free < 2 * size + GIB:
        pytest.skip("needs about 11 GiB of free disk space for the encrypted and decrypted copies")
    source = tmp_path / "huge.png"
    sparse(source, size)
    result = protect_path(source, tmp_path / "huge.enc")
    assert result.schema == '{"file":"image/png"}'
    # local header + "file" + ZIP64 sizes, the data, central header + "file" + ZIP64 sizes, then the
    # ZIP64 end record, its locator and the classic end record (the directory starts past 4 GiB)
    zip_size = 30 + 4 + 20 + size + 46 + 4 + 20 + 56 + 20 + 22
    assert result.size == (tmp_path / "huge.enc").stat().st_size == encrypt.encrypted_size(zip_size)

    plain = tmp_path / "huge.zip"
    with (tmp_path / "huge.enc").open("rb") as blob, plain.open("wb") as out:
        encrypt.decrypt(blob, out, result.key)
    (tmp_path / "huge.enc").unlink()
    with zipfile.ZipFile(plain) as archive:
        (info,) = archive.infolist()
        assert (info.filename, info.file_size) == ("file", size)
        with archive.open(info) as entry:  # zipfile checks the CRC-32 when the entry's end is read
            assert entry.read(len(HEADER)) == HEADER
            while len(chunk := entry.read(64 * MIB)) == 64 * MIB:
                pass
            assert chunk.endswith(TRAILER)
    if shutil.which("unzip"):
        listing = subprocess.run(["unzip", "-lv", str(plain)], capture_output=True, text=True, check=True)
        assert str(size) in listing.stdout
    assert source.stat().st_size == size
