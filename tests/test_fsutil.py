"""The shared small rules: one atomic file replacement, one object-id check, one protected-ref test."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from gatekeeper.config import Policy
from gatekeeper.fsutil import atomic_write, replaced_text
from gatekeeper.models import is_sha


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_atomic_write_replaces_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    target.write_text("old")
    atomic_write(target, "new\n")
    assert target.read_bytes() == b"new\n"
    atomic_write(target, b"\x00bytes", durable=False)
    assert target.read_bytes() == b"\x00bytes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.json"]


def test_atomic_write_mode_bits(tmp_path: Path) -> None:
    private = tmp_path / "private"
    atomic_write(private, "x")
    assert _mode(private) == 0o600  # mkstemp's mode unless told otherwise, whatever the umask
    hook = tmp_path / "hook"
    atomic_write(hook, "#!/bin/sh\n", mode=0o755)
    assert _mode(hook) == 0o755


def test_atomic_write_replaces_a_symlink_instead_of_writing_through_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.write_text("precious")
    work = tmp_path / "work"
    work.mkdir()
    link = work / "target"
    link.symlink_to(outside)
    atomic_write(link, "mine")
    assert not link.is_symlink() and link.read_text() == "mine"
    assert outside.read_text() == "precious"


def test_atomic_write_failure_keeps_the_old_file_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "dir-in-the-way"
    target.mkdir()
    (target / "child").write_text("x")
    with pytest.raises(OSError):
        atomic_write(target, "data")  # os.replace cannot put a file over a non-empty directory
    assert target.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir-in-the-way"]


def test_atomic_write_in_a_missing_directory_raises(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        atomic_write(tmp_path / "nope" / "f", "x")


@pytest.mark.parametrize(("value", "expected"), [
    ("a" * 40, True),
    ("0123456789abcdef" * 4, True),  # SHA-256
    ("a" * 39, False),
    ("a" * 41, False),
    ("a" * 64 + "\n", False),
    ("a" * 40 + "\n", False),  # `$` would have accepted a trailing newline
    ("\n" + "a" * 40, False),
    ("A" * 40, False),
    ("g" * 40, False),
    ("", False),
    (None, False),
])
def test_is_sha_is_one_strict_rule(value: str | None, expected: bool) -> None:
    assert is_sha(value) is expected


def test_gatekeeper_git_reexports_is_sha() -> None:
    from gatekeeper import git, models

    assert git.is_sha is models.is_sha and git.is_zero is models.is_zero


@pytest.mark.parametrize(("ref", "expected"), [
    ("refs/heads/main", True),
    ("refs/heads/main2", False),
    ("refs/heads/release/1.0", True),
    ("refs/heads/release/1.0/hotfix", False),  # `*` stays inside one path segment
    ("refs/heads/deep/a/b", True),  # `**` crosses segments
    ("refs/tags/v1", False),
    ("refs/heads/MAIN", False),
])
def test_policy_is_protected_keeps_glob_semantics(ref: str, expected: bool) -> None:
    policy = Policy(protected_refs=("refs/heads/main", "refs/heads/release/*", "refs/heads/deep/**"))
    assert policy.is_protected(ref) is expected
    assert Policy().is_protected(ref) is False


def test_no_other_copy_of_the_shared_rules() -> None:
    """One write-temp-then-rename (gatekeeper/fsutil.py) and one object-id pattern (models.is_sha)."""
    pkg = Path(__file__).parents[1] / "gatekeeper"
    for path in pkg.rglob("*.py"):
        text = path.read_text()
        if path.name != "fsutil.py":
            assert "mkstemp(" not in text or "os.replace(tmp" not in text, path
        if path.name != "models.py":
            assert "[0-9a-f]{40}(?:" not in text and "[0-9a-f]{40}|" not in text, path


def test_replaced_text_swaps_in_a_whole_report_only(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text("old\n")
    report.chmod(0o640)
    with pytest.raises(RuntimeError), replaced_text(report) as handle:
        handle.write("half of a new one")
        raise RuntimeError("interrupted")
    assert report.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    with replaced_text(report) as handle:
        handle.write("new\n")
    assert report.read_text() == "new\n" and stat.S_IMODE(report.stat().st_mode) == 0o640


def test_replaced_text_writes_where_a_link_leads_and_into_what_is_no_regular_file(tmp_path: Path) -> None:
    real = tmp_path / "reports" / "latest.json"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    with replaced_text(link) as handle:
        handle.write("new\n")
    assert link.is_symlink() and real.read_text() == "new\n"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        with replaced_text(fifo) as handle:
            handle.write("streamed\n")
        assert os.read(reader, 100) == b"streamed\n"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    with pytest.raises(FileNotFoundError), replaced_text(tmp_path / "missing" / "r.json") as handle:
        handle.write("x")
