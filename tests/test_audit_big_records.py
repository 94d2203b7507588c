"""Big commits, as a pusher may make them: the audit's walk reads a record of many megabytes in time linear in its
size, and holds at most WINDOW_BYTES of records however few commits that is (the memory goal: flat, whatever the
history holds). Real git (`fast-import`, `git log -z --pretty=raw`), the real CLI in-process."""

from __future__ import annotations

import io
import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.audit import history
from gatekeeper.git.history import _raw_batches
from tests.leak_helpers import gk


class _Dribble(io.RawIOBase):
    """A stream whose reads return pieces of random size (as a pipe does)."""

    def __init__(self, data: bytes, seed: int) -> None:
        self.data, self.at, self.rng = data, 0, random.Random(seed)

    def read(self, size: int = -1) -> bytes:
        piece = self.data[self.at : self.at + min(size, self.rng.randint(1, 300))]
        self.at += len(piece)
        return piece


@pytest.mark.parametrize("seed", range(20))
def test_raw_batches_split_records_as_one_split_would_whatever_the_reads(seed: int) -> None:
    rng = random.Random(seed)
    records = [bytes(rng.choice(b"ab\n ") for _ in range(rng.randint(0, 400))) for _ in range(rng.randint(0, 30))]
    data = b"\x00".join(records) + (b"\x00" if rng.random() < 0.5 else b"")
    got = [record for batch in _raw_batches(_Dribble(data, seed)) for record in batch]
    expected = data.split(b"\x00")
    last = expected.pop()
    assert got == expected + ([last] if last.strip() else [])


def _many_big_commits(path: Path, count: int, size: int) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    stream: list[bytes] = []
    for n in range(count):
        message = f"change {n}\n\n".encode() + (b"z" * 99 + b"\n") * (size // 100)
        if n % 7 == 3:
            message += b"\nOrigin-Device: mobile\n"
        stream += [b"commit refs/heads/main\n", f"committer Dev <dev@example.com> {1767225900 + n} +0000\n".encode(),
                   f"data {len(message)}\n".encode(), message, b"\n"]
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=b"".join(stream), check=True)


def _audit(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, Any]:
    code, out = gk(capsys, "audit", "--repo", str(path), "--format", "json", "--no-progress")
    assert code == 0, out[-2000:]
    data: dict[str, Any] = json.loads(out[: out.rindex("}") + 1])
    data["summary"].pop("duration_ms", None)
    data.pop("generated", None)  # (the clock)
    return data


def test_megabyte_commits_are_written_before_window_bytes_are_held_with_the_same_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    _many_big_commits(repo, 40, 256 * 1024)
    unbounded = _audit(capsys, repo)

    held: list[int] = []
    real_flush = history._Runner.flush

    def flush(self: history._Runner, size: int | None = None) -> None:
        held.append(sum(map(len, self.window)))
        real_flush(self, size)

    monkeypatch.setattr(history, "WINDOW_BYTES", 1 << 20)
    monkeypatch.setattr(history._Runner, "flush", flush)
    bounded = _audit(capsys, repo)

    assert bounded == unbounded  # the same records, in the same order, and the same summary
    assert len(bounded["commits"]) == 40
    assert sum(c["origin"]["device"] == "mobile" for c in bounded["commits"]) == 6
    # What a read of git's output adds (a 64 KiB read can finish several records) is written before the next one.
    assert held and max(held) <= (1 << 20) + 4 * 256 * 1024, held


@pytest.mark.parametrize("seed", range(20))
def test_the_gates_log_parser_reads_fields_as_one_split_would_whatever_the_reads(
        seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same for `check`'s `git log` reader (git.history._parse_log_stream): fields split at every NUL, UTF-8
    characters cut by a read kept whole, a commit per len(_LOG_FIELDS) fields."""
    from gatekeeper.git import history as git_history

    n = len(git_history._LOG_FIELDS)
    monkeypatch.setattr(git_history, "_commit_from_fields", lambda fields, *_: tuple(fields))
    rng = random.Random(seed)
    commits = [tuple("".join(rng.choice("ab\n é☃") for _ in range(rng.randint(0, 300))) for _ in range(n))
               for _ in range(rng.randint(0, 12))]
    data = "\x00".join("\x00".join(c) for c in commits).encode()
    assert list(git_history._parse_log_stream(_Dribble(data, seed), ["git", "log"])) == commits
