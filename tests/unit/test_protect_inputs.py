"""Files and folders as records: the mapping, sanitized keys, and a clear error for each odd case."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop_app.core.errors import UserFacingError
from desktop_app.core.protect.inputs import file_record, folder_record, sanitize
from desktop_app.core.protect.record import FileContent


def test_a_file_is_the_sdks_file_record(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG")
    assert file_record(path) == {"file": FileContent(path)}


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p.write_bytes(b""), "is empty"),
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: None, "does not exist"),
        (lambda p: os.mkfifo(p), "not a regular file"),
        (lambda p: p.symlink_to(p), "symbolic link loop"),
        (lambda p: p.symlink_to(p.with_name("gone")), "does not exist"),
    ],
)
def test_a_file_that_cannot_be_protected_says_why(tmp_path: Path, make: object, words: str) -> None:
    path = tmp_path / "input"
    make(path)  # type: ignore[operator]
    with pytest.raises(UserFacingError, match=words):
        file_record(path)


def test_a_folder_mirrors_its_tree_with_sanitized_keys(tmp_path: Path) -> None:
    (tmp_path / "docs" / "empty").mkdir(parents=True)
    (tmp_path / "docs" / "résumé v2.pdf").write_bytes(b"%PDF")
    (tmp_path / ".hidden").write_bytes(b"h")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "a-1_ok").write_bytes(b"a")
    assert folder_record(tmp_path) == {
        "_hidden": FileContent(tmp_path / ".hidden"),
        "a-1_ok": FileContent(tmp_path / "a-1_ok"),
        "b_txt": FileContent(tmp_path / "b.txt"),
        "docs": {"empty": {}, "r_sum__v2_pdf": FileContent(tmp_path / "docs" / "résumé v2.pdf")},
    }


def test_sanitize_replaces_each_character_outside_the_key_alphabet() -> None:
    assert sanitize("my file (1).tar.gz") == "my_file__1__tar_gz"
    assert sanitize("日本") == "__"
    assert sanitize("Keep-this_0") == "Keep-this_0"


def test_names_that_sanitize_alike_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.b").write_bytes(b"1")
    (tmp_path / "a_b").write_bytes(b"2")
    with pytest.raises(UserFacingError, match="would both be stored as 'a_b'"):
        folder_record(tmp_path)


def test_symbolic_links_are_followed_but_loops_are_refused(tmp_path: Path) -> None:
    (tmp_path / "real").write_bytes(b"r")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert folder_record(tmp_path)["link"] == FileContent(tmp_path / "link")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path)
    with pytest.raises(UserFacingError, match="symbolic link loop"):
        folder_record(tmp_path)


def test_a_dangling_link_in_a_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x")
    (tmp_path / "broken").symlink_to(tmp_path / "nowhere")
    with pytest.raises(UserFacingError, match="does not exist"):
        folder_record(tmp_path)


def test_a_name_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x")
    # pathlib has no bytes paths: write the file through a descriptor on a raw name
    fd = os.open(os.fsencode(tmp_path) + b"/caf\xe9", os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"a latin-1 name")
    os.close(fd)
    with pytest.raises(UserFacingError, match="not valid UTF-8"):
        folder_record(tmp_path)


def test_pipes_in_a_folder_are_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(UserFacingError, match="not a regular file"):
        folder_record(tmp_path)


def test_a_folder_without_any_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    with pytest.raises(UserFacingError, match="has no files"):
        folder_record(tmp_path)
    (tmp_path / "f").write_bytes(b"x")
    with pytest.raises(UserFacingError, match="not a folder"):
        folder_record(tmp_path / "f")
