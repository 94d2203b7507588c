"""The audit reads every source of origin evidence the gate reads, and judges a signed Reviewed-by as the gate does.

Besides the commit itself, the gate's engine reads the origin, git-ai and Agent Trace notes refs, the Agent Trace
records a commit adds to `.agent-trace/traces.jsonl`, and the push-time origin a server recorded. A commit only
one of them describes must not look like plain human work in the audit (red29: a git-ai-noted agent commit on
main was `ai: none` and never listed as unreviewed). A `Reviewed-by:` counts as verified review only where the
gate counts it: on a merge the reviewer signed, for the commits it brings in that the reviewer is none of the
people of (never by the commit's own signature: its signer made it).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.hook_helpers import MO, TEST_POLICY, make_server, seed, spush
from tests.leak_helpers import gk
from tests.provenance_helpers import Key, make_keys
from tests.repo_builder import RepoBuilder

PROTECTED_MAIN = "version: 1\nprotected_refs: [refs/heads/main]\n"


def _audit(capsys: pytest.CaptureFixture[str], repo: Path, *args: str) -> dict[str, Any]:
    code, out = gk(capsys, "audit", "--repo", str(repo), "--format", "json", "--no-progress", *args)
    assert code == 0, out
    data: dict[str, Any] = json.loads(out[: out.rindex("}") + 1])
    return data


def _unreviewed(data: dict[str, Any]) -> list[str]:
    return [i["sha"] for i in data["summary"]["unreviewed_mobile_ai_on_protected"]["items"]]


def _trace(revision: str, path: str) -> str:
    return json.dumps({
        "version": "0.1.0", "id": "550e8400-e29b-41d4-a716-446655440000", "timestamp": "2026-01-23T14:30:00Z",
        "vcs": {"type": "git", "revision": revision}, "tool": {"name": "cursor", "version": "2.4.0"},
        "files": [{"path": path, "conversations": [{"contributor": {"type": "ai", "model_id": "anthropic/claude"},
                                                    "ranges": [{"start_line": 1, "end_line": 2}]}]}]})


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    repo = RepoBuilder.init(tmp_path / "repo")
    (tmp_path / "policy.yml").write_text(PROTECTED_MAIN)
    repo.commit("init\n", {"README.md": "hello\n"})
    return repo


def test_an_agent_trace_note_makes_an_ai_commit(repo: RepoBuilder, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    sha = repo.commit("tune the retry loop\n", {"src/retry.py": "a = 1\nb = 2\n"})
    repo.note(sha, _trace(sha, "src/retry.py"), ref="refs/notes/agent-trace")
    data = _audit(capsys, repo.path, "--policy", str(tmp_path / "policy.yml"))
    audited = {c["sha"]: c for c in data["commits"]}[sha]
    assert audited["ai"]["involvement"] != "none", audited
    assert sha in _unreviewed(data)


def test_records_a_commit_adds_to_the_trace_file_make_an_ai_commit(repo: RepoBuilder, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    base = repo.head()
    sha = repo.commit("tune the retry loop\n", {"src/retry.py": "a = 1\nb = 2\n",
                                                ".agent-trace/traces.jsonl": _trace(base, "src/retry.py") + "\n"})
    later = repo.commit("docs\n", {"README.md": "more\n"})  # the file is still there at the tip
    data = _audit(capsys, repo.path, "--policy", str(tmp_path / "policy.yml"))
    audited = {c["sha"]: c for c in data["commits"]}
    assert audited[sha]["ai"]["involvement"] != "none", audited[sha]
    assert audited[later]["ai"]["involvement"] == "none"  # the record is the commit's that added it
    assert _unreviewed(data) == [sha]


def test_a_broken_notes_ref_is_a_note_not_a_failure(repo: RepoBuilder, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    blob = repo.git("hash-object", "-w", "--stdin", input="not notes\n").strip()
    repo.git("update-ref", "refs/notes/ai", blob)
    data = _audit(capsys, repo.path, "--policy", str(tmp_path / "policy.yml"))
    assert data["summary"]["complete"] is False
    assert any(note.startswith("refs/notes/ai is not a notes ref") for note in data["summary"]["notes"])


def test_the_push_time_origin_a_server_recorded_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`git push -o origin-device=mobile` to a topic branch: the server records the commit's push-time origin. Main
    later points at it without the gate (an administrator's update-ref): the audit of the server's repository
    says the commit came from a phone and reached main unreviewed."""
    server = make_server(tmp_path / "srv", policy=TEST_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    sha = work.commit("from the phone\n", {"p.txt": "p\n"}, author=MO, committer=MO)
    assert spush(server, work, "-o", "origin-device=mobile", "origin", "HEAD:refs/heads/topic").code == 0
    subprocess.run(["git", "-C", str(server.path), "update-ref", "refs/heads/main", sha], check=True)
    data = _audit(capsys, server.path)
    audited = {c["sha"]: c for c in data["commits"]}[sha]
    assert (audited["class"], audited["origin"]["device"]) == ("mobile", "mobile"), audited
    assert any(e["source"] == "push-record" for e in audited["origin"]["evidence"])
    assert sha in _unreviewed(data)


# -- Reviewed-by under the gate's rule -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    return make_keys(tmp_path_factory)


def _signed_merge(repo: RepoBuilder, key: Key, reviewer: tuple[str, str]) -> str:
    repo.git("config", "gpg.format", "ssh")
    repo.git("merge", "-q", "--no-ff", f"--gpg-sign={key.private}", "-m",
             f"Merge branch 'feature'\n\nReviewed-by: {reviewer[0]} <{reviewer[1]}>", "feature",
             env={"GIT_AUTHOR_NAME": reviewer[0], "GIT_AUTHOR_EMAIL": reviewer[1],
                  "GIT_COMMITTER_NAME": reviewer[0], "GIT_COMMITTER_EMAIL": reviewer[1]})
    return repo.head()


@pytest.mark.parametrize("reviewer_wrote_it", [False, True])
def test_a_reviewers_signed_merge_reviews_what_others_wrote(tmp_path: Path, keys: dict[str, Key],
                                                            capsys: pytest.CaptureFixture[str],
                                                            reviewer_wrote_it: bool) -> None:
    bob = keys["bob"]
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("policy\n", {".gatekeeper.yml": PROTECTED_MAIN + "allowed_signers: .gatekeeper/allowed_signers\n",
                             ".gatekeeper/allowed_signers": f'bob@example.com namespaces="git" {bob.line}\n'})
    repo.branch("feature")
    who = ("Bob", "bob@example.com") if reviewer_wrote_it else ("Alice", "alice@example.com")
    sha = repo.commit("phone work\n\nOrigin-Device: mobile\n", {"a.txt": "1\n"}, author=who, committer=who)
    repo.checkout("main")
    merge = _signed_merge(repo, bob, ("Bob", "bob@example.com"))
    data = _audit(capsys, repo.path)
    s = data["summary"]
    if reviewer_wrote_it:
        # Bob's signature on the merge does not make Bob the reviewer of Bob's own commit.
        assert _unreviewed(data) == [sha]
        assert "reviewed-by-verified (via merge)" not in s["reviews"]
    else:
        assert _unreviewed(data) == []
        assert s["reviews"]["reviewed-by-verified (via merge)"]["count"] == 1
        assert s["unverified_review_mobile_ai_on_protected"]["items"] == []
        assert {c["sha"]: c for c in data["commits"]}[merge]["signature"]["status"] == "good"


def test_commits_with_large_notes_are_judged_a_part_at_a_time(repo: RepoBuilder, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """git-ai and Agent Trace notes are read up to a megabyte each: a window's worth of them is read a part of
    HEAVY_PER_PART commits at a time (here 2), each part counted before the next is read, with the same result."""
    from gatekeeper.audit import history

    monkeypatch.setattr(history, "HEAVY_PER_PART", 2)
    reads: list[list[str]] = []
    original = history._Runner._described_in

    def spy(self: history._Runner, git: Any, shas: list[str]) -> dict[str, Any]:
        reads.append(shas)
        return original(self, git, shas)

    monkeypatch.setattr(history._Runner, "_described_in", spy)
    noted = []
    for n in range(5):
        sha = repo.commit(f"agent change {n}\n", {f"src/m{n}.py": "a = 1\nb = 2\nc = 3\n"})
        repo.note(sha, f"src/m{n}.py\n  s_c9883b05a2487d 1-3\n---\n" + json.dumps(
            {"schema_version": "authorship/3.0.0", "sessions": {"s_c9883b05a2487d": {
                "agent_id": {"tool": "claude", "id": f"conv_{n}", "model": "claude-sonnet-4-5"}}}}),
            ref="refs/notes/ai")
        noted.append(sha)
    data = _audit(capsys, repo.path, "--policy", str(tmp_path / "policy.yml"))
    audited = {c["sha"]: c for c in data["commits"]}
    assert all(audited[sha]["ai"]["involvement"] != "none" for sha in noted)
    assert sorted(_unreviewed(data)) == sorted(noted)
    assert [len(part) for part in reads] == [2, 2, 1]
