"""Files written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from outcomesite.files import replacing


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
