"""red92: the audit's NUL scan (git.objects.NulScan, commit 102940e) under a stalled cat-file and in a partial clone.

Real repositories and a real `git cat-file`. Each finding test fails on the code it was written against, for the
reason its docstring gives; the controls pass.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.audit import history
from gatekeeper.errors import GitError
from gatekeeper.git import Git, objects
from tests.leak_helpers import gk
from tests.repo_builder import RepoBuilder
from tests.test_audit_nul_scan import _chain, _policy


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("init\n", {"README.md": "hello\n"})
    return repo


def _audit_json(out: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(out[out.index("{") : out.rindex("}") + 1])
    return data


# --- Finding 1: a stalled cat-file hangs the scan (and the audit) forever, past the git timeout -------------------


def test_through_is_bounded_by_the_git_timeout_when_cat_file_stalls(repo: RepoBuilder) -> None:
    """Attack/condition: the scan's `git cat-file --batch --buffer` stops making progress (stopped, stuck on a slow
    or hung object store / NFS, a lazy fetch that hangs, a huge object being inflated). What happens: `through()`
    waits for the batch's closing line in a loop that checks its deadline only between writes, and each turn it
    writes FILLER ids (~10 KB) to cat-file's stdin with a blocking `write`+`flush`. Once the 64 KiB stdin pipe is full
    (about seven pushes, ~0.15 s) the write blocks for ever: the deadline (git timeout) is never looked at again, and
    `send()` (the walk's own per-batch write) has the same unbounded blocking write. What should happen: GitError
    within about the git timeout, as the commit message and docs promise ("never hang; waits bounded by the git
    timeout"). Severity: medium (availability: the hook/Action/CLI audit hangs until killed from outside; the whole
    walk stops). Fix: never block on cat-file's stdin — write from a writer thread or with a non-blocking fd /
    select() against the deadline (and do not push filler faster than cat-file drains it); bound `_end_input`'s
    close() the same way (a BufferedWriter's close flushes into the full pipe)."""
    _tip, made, _nul = _chain(repo, repo.head(), 6, {2}, "main")
    scan = Git(repo.path, timeout=2).nul_scan()
    pid = scan._proc.pid
    os.kill(pid, signal.SIGSTOP)  # the cat-file stalls (as a hung object store would make it)
    outcome: list[object] = []

    def wait() -> None:
        try:
            outcome.append(scan.through(3))
        except GitError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=wait, daemon=True)
    try:
        scan.send([sha.encode() for sha in made[:3]])
        scan.send([sha.encode() for sha in made[3:]])
        started = time.monotonic()
        worker.start()
        worker.join(timeout=15)
        hung = worker.is_alive()
        took = time.monotonic() - started
    finally:
        # Un-wedge the worker (its write fails with EPIPE once cat-file is gone), then clean up.
        os.kill(pid, signal.SIGKILL)
        worker.join(timeout=10)
        scan.close()
    assert not hung, f"through() still blocked after {took:.0f} s with a 2 s git timeout (blocking write to cat-file)"
    assert outcome and isinstance(outcome[0], GitError), outcome


def test_an_audit_whose_nul_scan_stalls_finishes_incomplete_instead_of_hanging(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The same at the audit's level: `gatekeeper audit` over 40 commits (window 4) whose NUL scan's cat-file stalls.
    What happens: the walk's first flush waits in `through()`, which wedges in a blocking write to the stalled
    cat-file; the audit never returns (here: still running long after the scan's 3 s timeout). What should
    happen: after the timeout, one note, `complete: false`, every commit still written. Severity: medium."""
    tip, _made, _nul = _chain(repo, repo.head(), 40, {5}, "main")
    repo.git("update-ref", "refs/heads/main", tip)
    monkeypatch.setattr(history, "WINDOW", 4)
    pids: list[int] = []
    real_init = objects.NulScan.__init__

    def init(self: objects.NulScan, git: objects.Objects, *, max_size: int | None = None) -> None:
        quick = copy.copy(git)
        quick.timeout = 3.0  # the scan's own bound, kept short for the test (the audit's is 120 s)
        real_init(self, quick, max_size=max_size)
        pids.append(self._proc.pid)
        os.kill(self._proc.pid, signal.SIGSTOP)

    monkeypatch.setattr(objects.NulScan, "__init__", init)
    policy = _policy(tmp_path)

    def run() -> None:
        from gatekeeper.cli import run as cli_run

        cli_run(["audit", "--repo", str(repo.path), "--all", "--format", "json", "--no-progress", "--policy",
                 str(policy)])

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=30)
    hung = worker.is_alive()
    for pid in pids:  # un-wedge a hung audit so the test run can go on
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    worker.join(timeout=20)
    out = capsys.readouterr().out
    assert not hung, "the audit was still running 30 s after its NUL scan's cat-file stalled (3 s timeout)"
    data = _audit_json(out)
    assert len(data["commits"]) == 41
    assert not data["summary"]["complete"]
    assert sum("NUL bytes" in note for note in data["summary"]["notes"]) == 1, data["summary"]["notes"]


# --- Finding 2: in a partial clone every closing/filler id is a lazy fetch ------------------------------------------


def _partial_clone(tmp_path: Path, commits: int) -> Path:
    source = RepoBuilder.init(tmp_path / "source")
    source.commit("init\n", {"README.md": "hello\n"})
    tip, _made, _nul = _chain(source, source.head(), commits, set(), "main")
    source.git("update-ref", "refs/heads/main", tip)
    clone = tmp_path / "partial"
    subprocess.run(["git", "clone", "-q", "--no-local", "--filter=blob:none", f"file://{source.path}", str(clone)],
                   check=True, capture_output=True)
    return clone


def _fetches(trace: Path) -> int:
    """`git fetch` processes git started (trace2 events of the audit's git calls and of what they ran)."""
    if not trace.exists():
        return 0
    count = 0
    for line in trace.read_text(errors="replace").splitlines():
        event = json.loads(line)
        if event.get("event") == "start" and "fetch" in event.get("argv", []):
            count += 1
    return count


def _traced_audit(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                  clone: Path) -> tuple[str, int]:
    """`audit --all` of the clone: its output, and how many `git fetch` processes git's trace2 saw start."""
    trace = tmp_path / "trace2.json"
    monkeypatch.setenv("GIT_TRACE2_EVENT", str(trace))
    code, out = gk(capsys, "audit", "--repo", str(clone), "--all", "--format", "json", "--no-progress",
                   "--policy", str(_policy(tmp_path)))
    monkeypatch.delenv("GIT_TRACE2_EVENT")
    assert code == 0, out
    return out, _fetches(trace)


def test_the_nul_scan_starts_no_fetch_in_a_partial_clone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Condition: the audit runs in a partial clone (`--filter=blob:none`: the Action's checkout can be one). The
    scan closes each batch with a random 40-hex id and pushes its output with runs of 256 more, all full object ids
    that are missing — and in a repository with a promisor remote git answers a missing full id in `cat-file
    --batch` by starting a lazy `git fetch` for it (the audit's `protocol.allow=never` makes each one fail, but
    only after a process was started). What happens: `git fetch` processes for closing and filler ids (here
    two for these 60 commits, read as one batch; 3,862 for a 6,000-commit history, which the audit then takes 6.4 s
    for against 0.25 s without the scan, growing with the history; every one a promisor-remote fetch attempt, where
    the audit says "the audit fetches nothing"). What should happen: no fetch at all (as before this change, and as
    the audit's other readers). Severity: low-medium (performance/availability in partial clones; an audit of a large history approaches the CI time
    limits). Fix: close batches with a name that is not a full object id, which git never lazily fetches — e.g. a
    random 39-hex abbreviation, or a random ref-like name (`gk-<hex>`), whose line is still `<name> missing` — or
    set GIT_NO_LAZY_FETCH=1 for the scan where git supports it."""
    clone = _partial_clone(tmp_path, 60)
    monkeypatch.setattr(history, "WINDOW", 4)
    out, fetches = _traced_audit(capsys, monkeypatch, tmp_path, clone)
    data = _audit_json(out)
    assert len(data["commits"]) == 61
    assert fetches == 0, f"{fetches} lazy `git fetch` processes started by the audit"


def test_control_the_audit_without_the_scan_starts_no_fetch_in_the_same_partial_clone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Control: the same audit with the scan unable to start fetches nothing (the fetches are the scan's)."""
    clone = _partial_clone(tmp_path, 60)
    monkeypatch.setattr(history, "WINDOW", 4)

    def no_scan(self: objects.Objects, *, max_size: int | None = None) -> objects.NulScan:
        raise OSError("not started (control)")

    monkeypatch.setattr(objects.Objects, "nul_scan", no_scan)
    out, fetches = _traced_audit(capsys, monkeypatch, tmp_path, clone)
    assert len(_audit_json(out)["commits"]) == 61
    assert fetches == 0
