"""red93: the audit's NUL scan (git.objects.NulScan, driven with select() from the walk's thread), the byte-bounded
windows and the linear-time record readers (_raw_batches, _parse_log_stream), under hostile inputs and conditions.

Real repositories and a real `git cat-file`. Each finding test fails on the code it was written against, for the
reason its docstring gives; the controls pass.

Looked at and NOT found broken (no test): the rewritten _raw_batches, _touching_batches and _parse_log_stream give
the same records, fields, ids and errors as c70e644's on 40,000 random byte streams read in random 1..64 KiB pieces
(NULs, doubled and trailing NULs, empty records, UTF-8 cut by a read, `--name-only` names); the scan flags every NUL
commit (NUL in the message, at its first byte, at its end, in an extra header, in gpgsig, in the author name, after
the committer line, in an `encoding` header) and nothing else, in SHA-256 repositories, shallow clones, with
`--since`, and with NUL commits on both sides of the protected line (same commits, same order, same fields as
c70e644 but `ambiguous_identity`); one NUL commit per batch or every commit with a NUL costs ~1.9x / ~2.9x the wall
time of a clean 30,000-commit audit (linear, flat memory).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.git import Git, objects
from tests.leak_helpers import gk
from tests.repo_builder import RepoBuilder
from tests.test_audit_nul_scan import _object, _policy

FD_SETSIZE = 1024  # select(2)'s limit: Python's select.select() refuses a descriptor at or above it


@pytest.fixture
def repo(tmp_path: Path) -> tuple[RepoBuilder, set[str]]:
    """main: a clean root and 12 hand-written commits, every fourth with a NUL in its message."""
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("init\n", {"README.md": "hello\n"})
    tip = repo.git("rev-parse", "HEAD")
    nul: set[str] = set()
    for n in range(12):
        message = f"change {n}\0\n\nhidden\n".encode() if n % 4 == 1 else f"change {n}\n".encode()
        tip = _object(repo, tip, n, message)
        if n % 4 == 1:
            nul.add(tip)
    repo.git("update-ref", "refs/heads/main", tip)
    return repo, nul


def _audit_json(out: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(out[out.index("{") : out.rindex("}") + 1])
    return data


@contextlib.contextmanager
def _many_open_files(count: int = FD_SETSIZE + 64) -> Iterator[None]:
    """Descriptors 3..count held open (as in a process that inherited or keeps many: a service running audits
    in-process, a runner that leaks descriptors into its children, a raised `ulimit -n`), so every pipe opened
    meanwhile is numbered above FD_SETSIZE."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = count + 256
    if soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            pytest.skip(f"RLIMIT_NOFILE hard limit {hard} is below {want}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    held: list[int] = []
    try:
        while True:
            fd = os.open(os.devnull, os.O_RDONLY)
            held.append(fd)
            if fd >= count:
                break
        yield
    finally:
        for fd in held:
            os.close(fd)
        if soft < want:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


# --- Finding 1: select.select() in NulScan crashes the whole audit once a pipe is numbered at or above 1024 ------


def test_the_audit_survives_descriptors_above_fd_setsize(
        repo: tuple[RepoBuilder, set[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Condition: the audit runs in a process with more than 1,024 descriptors open (gatekeeper's audit run in-process
    by a long-lived service, a CI runner or parent that leaks descriptors into `gatekeeper audit`, a raised
    `ulimit -n`: Linux's default hard limit is far above 1,024, and this sandbox's soft one is 20,000), so the NUL
    scan's cat-file pipes are numbered at or above FD_SETSIZE. What happens: `NulScan.through()` waits with
    `select.select()`, which raises `ValueError: filedescriptor out of range in select()` for such a descriptor;
    it is not a GitError, so neither `_nul_held` nor the walk catches it and the CLI stops with "internal error"
    (exit 4) after printing half a JSON report. c70e644 (no scan) audits the same repository fine, and every other
    wait of the package already uses poll() (process._await_exit). What should happen: the audit completes (exit 0)
    and lists the three NUL commits. Severity: low-medium (availability: a hostile pusher cannot cause it, but the
    whole audit of any repository fails in such a process, with a truncated report). Suggested fix: wait with
    `select.poll()` / `selectors.DefaultSelector()` (no descriptor limit) instead of `select.select()`; at least
    catch ValueError/OSError in `_nul_held` as a failed scan (`_nul_failed`)."""
    builder, nul = repo
    policy = _policy(tmp_path)
    with _many_open_files():
        code, out = gk(capsys, "audit", "--repo", str(builder.path), "--all", "--format", "json", "--no-progress",
                       "--policy", str(policy))
    assert "filedescriptor out of range" not in out, out[-400:]
    assert code == 0, out[-400:]
    data = _audit_json(out)
    assert len(data["commits"]) == 13
    assert {item["sha"] for item in data["summary"]["ambiguous_identity"]["items"]} == nul


def test_control_the_same_audit_with_few_descriptors_lists_the_nul_commits(
        repo: tuple[RepoBuilder, set[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Control: the same audit in a process with few descriptors open completes and lists the three NUL commits."""
    builder, nul = repo
    code, out = gk(capsys, "audit", "--repo", str(builder.path), "--all", "--format", "json", "--no-progress",
                   "--policy", str(_policy(tmp_path)))
    assert code == 0, out[-400:]
    data = _audit_json(out)
    assert len(data["commits"]) == 13
    assert {item["sha"] for item in data["summary"]["ambiguous_identity"]["items"]} == nul


def test_control_without_the_scan_the_audit_survives_descriptors_above_fd_setsize(
        repo: tuple[RepoBuilder, set[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Control: with the scan unable to start, the same audit under >1,024 open descriptors completes (exit 0; the
    report says the scan did not run): the crash is the scan's select()."""

    def no_scan(self: objects.Objects, *, max_size: int | None = None) -> objects.NulScan:
        raise OSError("not started (control)")

    monkeypatch.setattr(objects.Objects, "nul_scan", no_scan)
    builder, _nul = repo
    policy = _policy(tmp_path)
    with _many_open_files():
        code, out = gk(capsys, "audit", "--repo", str(builder.path), "--all", "--format", "json", "--no-progress",
                       "--policy", str(policy))
    assert code == 0, out[-400:]
    data = _audit_json(out)
    assert len(data["commits"]) == 13
    assert any("NUL" in note for note in data["summary"]["notes"])


def test_the_scan_itself_waits_on_descriptors_above_fd_setsize(repo: tuple[RepoBuilder, set[str]]) -> None:
    """The same finding at the scan's level: a NulScan started while >1,024 descriptors are open, fed the history's
    ids in four batches and asked for all of them (window-sized waits, then `last`), answers which ones hold a NUL.
    What happens: `through()` raises ValueError from select.select() (the audit has no handler for it).
    Expected: the three NUL commits. Severity and fix: as above."""
    builder, nul = repo
    ids = builder.git("rev-list", "main").split()
    git = Git(builder.path)
    with _many_open_files():
        scan = git.nul_scan(max_size=16 << 20)
        try:
            for at in range(0, len(ids), 4):
                scan.send([i.encode() for i in ids[at : at + 4]])
            first = set(scan.through(8))
            found = first | set(scan.through(len(ids), last=True))
        finally:
            scan.close()
    assert found == nul
