"""Files written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from outcomesite.files import UnsafeFile, read_inside, replacing


def test_a_file_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    path.write_text("old", encoding="utf-8")
    with replacing(path) as file:
        file.write("new")
        assert path.read_text(encoding="utf-8") == "old", "readers see the old file until the end"
    assert path.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]


def test_an_error_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-old")
    with pytest.raises(RuntimeError, match="disk full"), replacing(path, "wb") as file:
        file.write(b"%PDF-half")
        raise RuntimeError("disk full")
    assert path.read_bytes() == b"%PDF-old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


# (file size, limit, head) -> the bytes read, or the refusal: read_inside reads with os.read
# in pieces (files.py), so sizes around the first read and the limit are where it could slip.
READS = [
    (0, 10, None, 0),
    (10, 10, None, 10),
    (11, 10, None, "too-large"),
    (100_000, 200_000, None, 100_000),
    (200_000, 200_000, None, 200_000),  # more than one 64 KiB piece after the first
    (100, 1_000, 16, 16),
    (10, 1_000, 16, 10),  # a head longer than the file
    (1_001, 1_000, 16, "too-large"),  # the limit holds for the whole file, head or not
]


@pytest.mark.parametrize(("size", "limit", "head", "expected"), READS)
def test_read_inside_reads_what_the_file_holds(
    tmp_path: Path, size: int, limit: int, head: int | None, expected: int | str
) -> None:
    data = bytes(range(256)) * (size // 256 + 1)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "file.bin").write_bytes(data[:size])
    if isinstance(expected, str):
        with pytest.raises(UnsafeFile) as refused:
            read_inside(tmp_path, ["folder", "file.bin"], limit, head)
        assert refused.value.reason == expected
    else:
        assert read_inside(tmp_path, ["folder", "file.bin"], limit, head) == data[:expected]


def test_read_inside_refuses_a_link_and_a_folder(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("secret", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(tmp_path / "real.txt")
    (tmp_path / "folder").mkdir()
    for name, reason in (("link.txt", "link"), ("folder", "not-a-file"), ("none", "missing")):
        with pytest.raises(UnsafeFile) as refused:
            read_inside(tmp_path, [name], 100)
        assert refused.value.reason == reason
