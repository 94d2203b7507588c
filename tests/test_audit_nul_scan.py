"""The audit finds every walked commit whose stored object holds a NUL byte (git.objects.NulScan beside the walk).

git prints a commit's text only up to a NUL, so the raw records the audit reads cannot show one; the gate, which
reads the object, refuses such a commit as provenance/ambiguous-identity (red81, red84). These tests hold the audit's
`ambiguous_identity` records and summary list to the gate's findings on histories long enough to span many windows,
on both sides of the protected line, with the scanner's output split at every byte, and when its cat-file dies.
Real repositories and real `git cat-file`; hand-written objects (`git hash-object --literally`), as a hostile pusher
or a non-git client writes them.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.audit import history
from gatekeeper.git import Git, objects
from gatekeeper.provenance.source import NUL_DOUBT
from tests.leak_helpers import gk
from tests.repo_builder import RepoBuilder

POLICY = "version: 1\nprotected_refs: [refs/heads/main]\n"
AMBIGUOUS = "provenance/ambiguous-identity"


def _policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yml"
    path.write_text(POLICY)
    return path


def _object(repo: RepoBuilder, parent: str | None, n: int, message: bytes) -> str:
    tree = repo.git("write-tree")
    when = 1767225900 + n * 60
    body = (f"tree {tree}\n".encode() + (f"parent {parent}\n".encode() if parent else b"")
            + f"author Dev Eloper <dev@example.com> {when} +0000\n".encode()
            + f"committer Dev Eloper <dev@example.com> {when} +0000\n\n".encode() + message)
    return repo.git("hash-object", "-t", "commit", "-w", "--stdin", "--literally", input=body)


def _chain(repo: RepoBuilder, start: str, count: int, nul_at: set[int], tag: str) -> tuple[str, list[str], set[str]]:
    """`count` commits on `start`; those at the indexes in `nul_at` hold a NUL with a trailer after it. Others carry
    lines shaped like cat-file's own output (a hostile message cannot desynchronise the scan)."""
    tip, made, nul = start, [], set()
    for n in range(count):
        if n in nul_at:
            message = f"{tag} change {n}\0\n\nCo-authored-by: Claude <noreply@anthropic.com>\n".encode()
        else:
            fake = f"{n:040x}"
            message = f"{tag} change {n}\n\n{fake} missing\n{fake} commit 12\n".encode()
        tip = _object(repo, tip, n, message)
        made.append(tip)
        if n in nul_at:
            nul.add(tip)
    return tip, made, nul


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("init\n", {"README.md": "hello\n"})
    return repo


def _audit(capsys: pytest.CaptureFixture[str], repo: RepoBuilder, policy: Path) -> dict[str, Any]:
    code, out = gk(capsys, "audit", "--repo", str(repo.path), "--all", "--format", "json", "--no-progress",
                   "--policy", str(policy))
    assert code == 0, out
    data: dict[str, Any] = json.loads(out[: out.rindex("}") + 1])
    return data


def _gate_doubts(capsys: pytest.CaptureFixture[str], repo: RepoBuilder, base: str, head: str,
                 policy: Path) -> set[str]:
    _code, out = gk(capsys, "check", "--repo", str(repo.path), "--base", base, "--head", head, "--policy",
                    str(policy), "--format", "json")
    data = json.loads(out[out.index("{") : out.rindex("}") + 1])
    return {f["commit"] for f in data["findings"] if f["rule_id"] == AMBIGUOUS and "NUL" in f["message"]}


@pytest.mark.parametrize("window", [1, 3, 512])
def test_nul_commits_across_windows_and_both_sides_are_the_gates_ambiguous_identities(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        window: int) -> None:
    policy = _policy(tmp_path)
    root = repo.head()
    main_tip, main_made, main_nul = _chain(repo, root, 40, {1, 7, 8, 20, 39}, "main")
    side_tip, side_made, side_nul = _chain(repo, main_made[10], 12, {0, 11}, "side")
    repo.git("update-ref", "refs/heads/main", main_tip)
    repo.git("update-ref", "refs/heads/feature", side_tip)
    monkeypatch.setattr(history, "WINDOW", window)

    data = _audit(capsys, repo, policy)

    flagged = {c["sha"] for c in data["commits"] if c["ambiguous_identity"] is not None}
    assert flagged == main_nul | side_nul
    assert all(c["ambiguous_identity"] == NUL_DOUBT for c in data["commits"] if c["sha"] in flagged)
    assert len(data["commits"]) == 1 + 40 + 12  # every commit written once, in the walk's windows
    listed = {item["sha"]: item["protected"] for item in data["summary"]["ambiguous_identity"]["items"]}
    assert listed == {**dict.fromkeys(main_nul, True), **dict.fromkeys(side_nul, False)}
    assert data["summary"]["complete"], data["summary"]["notes"]
    # The gate refuses exactly these (its own reading of the objects).
    assert _gate_doubts(capsys, repo, root, main_tip, policy) == main_nul
    assert _gate_doubts(capsys, repo, main_made[10], side_tip, policy) == side_nul


def test_a_history_without_nul_bytes_has_no_ambiguous_identity_and_stays_complete(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Control: the same shapes without the NUL (messages holding cat-file-like lines included)."""
    tip, _made, _nul = _chain(repo, repo.head(), 30, set(), "main")
    repo.git("update-ref", "refs/heads/main", tip)
    monkeypatch.setattr(history, "WINDOW", 4)
    data = _audit(capsys, repo, _policy(tmp_path))
    assert not [c for c in data["commits"] if c["ambiguous_identity"] is not None]
    assert data["summary"]["complete"] and not data["summary"]["ambiguous_identity"]["items"]


def test_the_text_report_lists_nul_commits_under_text_git_does_not_read(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The readable summary names what the NUL does (its heading once spoke only of identities)."""
    tip, made, nul = _chain(repo, repo.head(), 6, {2}, "main")
    repo.git("update-ref", "refs/heads/main", tip)
    code, out = gk(capsys, "audit", "--repo", str(repo.path), "--format", "text", "--no-progress", "--policy",
                   str(_policy(tmp_path)))
    assert code == 0, out
    heading = "commits that store an identity or text git does not read (the gate refuses them): 1"
    assert heading in out
    listed = out[out.index(heading):].split("\n")[1]
    assert (next(iter(nul))[:12] in listed and "protected branch" in listed and "NUL byte" in listed), out


@pytest.mark.parametrize("read", [1, 7, 50, 1 << 20])
def test_the_scan_reads_its_output_split_anywhere(repo: RepoBuilder, monkeypatch: pytest.MonkeyPatch,
                                                  read: int) -> None:
    """The closing line of a batch and the NUL may arrive split over any number of reads."""
    _tip, made, nul = _chain(repo, repo.head(), 25, {0, 12, 24}, "main")
    monkeypatch.setattr(objects.NulScan, "READ", read)
    scan = Git(repo.path).nul_scan()
    try:
        for start in range(0, 25, 6):
            scan.send([sha.encode() for sha in made[start : start + 6]])
        assert scan.through(12) >= {made[0]}
        assert scan.through(25, last=True) == nul
    finally:
        scan.close()


def test_a_commit_over_the_size_limit_is_not_looked_into(repo: RepoBuilder) -> None:
    """As the gate: a commit larger than it reads is not judged here (the gate reports it as unverifiable)."""
    _tip, made, _nul = _chain(repo, repo.head(), 3, {0, 1, 2}, "main")
    scan = Git(repo.path).nul_scan(max_size=10)
    try:
        scan.send([sha.encode() for sha in made])
        assert scan.through(3, last=True) == set()
    finally:
        scan.close()


def test_a_scan_whose_cat_file_dies_is_said_once_and_the_audit_goes_on(
        repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit reports; a scan that stops marks the report incomplete with one note, the walk writes every commit,
    and no second scan is started for the later windows (nor does any wait run to the git timeout)."""
    tip, _made, _nul = _chain(repo, repo.head(), 30, {5}, "main")
    repo.git("update-ref", "refs/heads/main", tip)
    monkeypatch.setattr(history, "WINDOW", 4)
    started: list[int] = []
    real_init = objects.NulScan.__init__

    def init(self: objects.NulScan, git: objects.Objects, *, max_size: int | None = None) -> None:
        real_init(self, git, max_size=max_size)
        started.append(self._proc.pid)
        os.kill(self._proc.pid, signal.SIGKILL)

    monkeypatch.setattr(objects.NulScan, "__init__", init)
    data = _audit(capsys, repo, _policy(tmp_path))
    assert len(data["commits"]) == 31
    assert not data["summary"]["complete"]
    assert sum("NUL bytes" in note for note in data["summary"]["notes"]) == 1, data["summary"]["notes"]
    assert len(started) == 1
