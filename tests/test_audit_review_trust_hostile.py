"""Red team of the review-trust change (w/red10): the merges commits land through, read for their review
evidence, as a hostile pusher would shape them. Each test failed on the first version of the change.

- A pusher's own signed merge with `Reviewed-by:` themself must not review the commits it brings in: the
  signature vouches for the merge, whose author the pusher writes, not for the pusher's own agent commit.
- Landing merges without a signature need no trust files: a policy naming a missing `allowed_signers`
  fails only when a signature has to be checked, as for the audited range itself.
- Landing merges are read and verified a window at a time, not all at once: a few megabytes of pushed
  look-alike merges with large messages must not grow the audit's memory with every one of them.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.audit import history
from gatekeeper.cli import run
from gatekeeper.git import Git
from tests.provenance_helpers import Key, make_keys
from tests.repo_builder import RepoBuilder

POLICY = "version: 1\nprotected_refs: [refs/heads/main]\nallowed_signers: .gatekeeper/allowed_signers\n"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    return make_keys(tmp_path_factory)


def _summary(capsys: pytest.CaptureFixture[str], repo: Path) -> dict[str, Any]:
    code = run(["audit", "--repo", str(repo), "--format", "json", "--no-progress"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    summary: dict[str, Any] = json.loads(captured.out)["summary"]
    return summary


def _listed(s: dict[str, Any]) -> set[str]:
    return ({i["subject"] for i in s["unreviewed_mobile_ai_on_protected"]["items"]}
            | {i["subject"] for i in s["unverified_review_mobile_ai_on_protected"]["items"]})


def test_a_pushers_own_signed_merge_does_not_review_the_pushers_agent_commit(
        repo: RepoBuilder, keys: dict[str, Key], capsys: pytest.CaptureFixture[str]) -> None:
    pat = keys["mallory"]
    repo.commit("policy", {".gatekeeper.yml": POLICY,
                           ".gatekeeper/allowed_signers": f'pat@example.com namespaces="git" {pat.type_and_b64}\n'})
    repo.branch("feature")
    repo.commit("agent change\n\nAssisted-by: claude-code\n", {"a.txt": "1\n"}, author=("Pat", "pat@example.com"),
                committer=("Pat", "pat@example.com"))
    repo.checkout("main")
    repo.git("config", "gpg.format", "ssh")
    # Pat merges it, signs the merge with Pat's registered key, names Pat as reviewer, and writes Bob as author.
    repo.git("merge", "-q", "--no-ff", f"--gpg-sign={pat.private}",
             "-m", "Merge branch 'feature'\n\nReviewed-by: Pat <pat@example.com>", "feature",
             env={"GIT_AUTHOR_NAME": "Bob", "GIT_AUTHOR_EMAIL": "bob@example.com",
                  "GIT_COMMITTER_NAME": "Pat", "GIT_COMMITTER_EMAIL": "pat@example.com"})
    s = _summary(capsys, repo.path)
    assert [i["subject"] for i in s["unreviewed_mobile_ai_on_protected"]["items"]] == ["agent change"]
    assert "reviewed-by-verified (via merge)" not in s["reviews"]


def test_unsigned_landing_merges_need_no_trust_files(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("policy", {".gatekeeper.yml": POLICY})  # names an allowed_signers file that is not there
    repo.branch("feature")
    repo.commit("phone work\n\nOrigin-Device: mobile\n", {"a.txt": "1\n"})
    repo.checkout("main")
    repo.merge("feature", "merge feature")
    s = _summary(capsys, repo.path)
    assert [i["subject"] for i in s["unreviewed_mobile_ai_on_protected"]["items"]] == ["phone work"]


def _look_alike_merges(repo: RepoBuilder, count: int, message_size: int) -> None:
    """`count` phone commits, each brought onto main by its own look-alike GitHub merge whose message is
    `message_size` bytes (git compresses them: the repository stays small)."""
    out: list[bytes] = []

    def data(b: bytes) -> None:
        out.append(b"data %d\n" % len(b) + b + b"\n")

    t = 1_767_225_600
    out.append(b"blob\nmark :1\n")
    data(b"version: 1\nprotected_refs: [refs/heads/main]\n")
    out.append(b"commit refs/heads/main\nmark :2\nauthor A <a@x> %d +0000\ncommitter A <a@x> %d +0000\n" % (t, t))
    data(b"policy")
    out.append(b"M 100644 :1 .gatekeeper.yml\n\n")
    main, mark = 2, 3
    padding = b"x" * message_size
    for i in range(count):
        t += 10
        out.append(b"commit refs/heads/side\nmark :%d\nauthor A <a@x> %d +0000\ncommitter A <a@x> %d +0000\n"
                   % (mark, t, t))
        data(b"phone %d\n\nOrigin-Device: mobile\n" % i)
        out.append(b"from :%d\n\n" % main)
        side, mark = mark, mark + 1
        out.append(b"commit refs/heads/main\nmark :%d\nauthor A <a@x> %d +0000\n"
                   b"committer GitHub <noreply@github.com> %d +0000\n" % (mark, t + 1, t + 1))
        data(b"Merge pull request #%d from x/y\n\n%s\n" % (i + 1, padding))
        out.append(b"from :%d\nmerge :%d\n\n" % (main, side))
        main, mark = mark, mark + 1
    subprocess.run(["git", "-C", str(repo.path), "fast-import", "--quiet"], input=b"".join(out), check=True)
    repo.git("update-ref", "-d", "refs/heads/side")


def test_landing_merges_are_read_a_window_at_a_time(repo: RepoBuilder, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    count = history.WINDOW + 100
    _look_alike_merges(repo, count, 2_000)
    asked: list[int] = []
    real = Git.iter_raw_records

    def counting(self: Git, include: Sequence[str], *args: Any, **kwargs: Any) -> Iterator[list[bytes]]:
        if kwargs.get("no_walk"):
            asked.append(len(include))
        return real(self, include, *args, **kwargs)

    monkeypatch.setattr(Git, "iter_raw_records", counting)
    s = _summary(capsys, repo.path)
    listed = s["unverified_review_mobile_ai_on_protected"]
    assert listed["total"] == count  # every phone commit, heuristic, via its own merge
    assert {i["trust"] for i in listed["items"]} == {"heuristic"}
    assert sum(asked) == count and max(asked) <= history.WINDOW, asked
