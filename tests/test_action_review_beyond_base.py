"""The default branch's judgement of a run for a branch nothing protects asks for review too (docs/action.md, "Trust
comes from the base").

A pull request into a branch neither the default branch's policy nor GitHub protects is judged twice, and the stricter
verdict stands: by its base's policy, and by the default branch's policy over every commit the head holds that the
default branch does not. Its result stands on the head commit, which GitHub's rule for `main` reads too. That second
judgement once checked only what the commits hold: a phone commit that breaks no zone or scanner rule, in a pull
request into `develop` whose policy a collaborator relaxed (or that they moved onto the commit itself), earned a
green result for a head that a pull request into `main` holds. Now each mobile commit the default branch's policy
wants reviewed must be: one of this pull request's commits by this pull request's approvals, one already on the base
branch by the merged pull request that brought it there (`commits/{sha}/pulls`, as a push run judges landed commits).

Real repositories on a bare "github.com", a real runner checkout, `gatekeeper action` as the CLI, GitHub's API from a
local server (tests/test_action.py's harness).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode
from tests.github_helpers import serve_reviews, synthetic_associated_pull, synthetic_pull_commit, synthetic_review
from tests.repo_builder import RepoBuilder
from tests.test_action import ALICE, MOBILE, POLICY, REPO, Env, serve_pr
from tests.test_red66_hostile import WEAK, pr, runner

BOB_APPROVES = "bob"


def origin(tmp_path: Path) -> tuple[Path, RepoBuilder, str]:
    """github.com (a bare repository) with main at M: mobile commits need one approval. Returns (remote, the
    maintainer's clone, M)."""
    import subprocess

    remote = tmp_path / "github.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    work = RepoBuilder.init(tmp_path / "maintainer")
    work.git("remote", "add", "origin", str(remote))
    base = work.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print(1)\n"})
    work.git("push", "-q", "origin", "main")
    return remote, work, base


def _github(tmp_path: Path) -> tuple[Path, RepoBuilder, str, str]:
    """origin(), and `feature` at H: Alice's phone commit to app.py (no zone, no scanner finding), unreviewed."""
    remote, work, base = origin(tmp_path)
    work.branch("feature")
    head = work.commit("phone: tweak" + MOBILE, {"app.py": "print(2)\n"}, author=ALICE, committer=ALICE)
    work.git("push", "-q", "origin", "feature")
    work.checkout("main")
    return remote, work, base, head


def serve_landed(httpserver: HTTPServer, number: int, sha: str, merged: str, base_ref: str = "develop") -> None:
    """GitHub's answers for PR `number`, Alice's commit `sha` merged into `base_ref` as `merged`, approved by Bob at
    `sha`: what `commits/{sha}/pulls` and the pull request's reviews and commits say."""
    httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json(
        [synthetic_associated_pull(number, base_ref=base_ref, head_sha=sha, merged=True, merge_commit_sha=merged,
                                   author="alice")])
    serve_reviews(httpserver, number, [synthetic_review(BOB_APPROVES, "APPROVED", sha, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/{number}/commits").respond_with_json(
        [synthetic_pull_commit(sha, login="alice", email=ALICE[1])])


def _relaxed(tmp_path: Path) -> tuple[Path, str, str, str]:
    """github.com with main at M; a collaborator pushed `develop` = M + W, a commit that drops the mobile review from
    the policy (nothing guards the push), and `topic` = W + H, Alice's unreviewed phone commit. Returns (remote, M,
    W, H)."""
    remote, work, base, _ = _github(tmp_path)
    work.git("checkout", "-q", "-b", "develop", base)
    weak = work.commit("chore: tidy config\n", {".gatekeeper.yml": WEAK})
    work.git("push", "-q", "origin", "develop")
    head = work.commit("phone: tweak again" + MOBILE, {"app.py": "print(3)\n"}, author=ALICE, committer=ALICE)
    work.git("push", "-q", "origin", "develop:refs/heads/topic")
    return remote, base, weak, head



def _approved(tmp_path: Path, httpserver: HTTPServer, remote: Path, head: str, commits: list[str]) -> Env:
    """A runner at `head` for PR #8 into develop (GitHub: not protected), its `commits`, approved by Bob at `head`."""
    gh = runner(tmp_path / "run", httpserver, remote, head, 8, commits)
    serve_pr(httpserver, 8, commits, [synthetic_review(BOB_APPROVES, "APPROVED", head, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/branches/develop").respond_with_json({"name": "develop",
                                                                                   "protected": False})
    return gh


def test_an_unreviewed_phone_commit_into_a_relaxed_branch_is_blocked_by_the_default_branchs_review(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    """The pull request topic -> develop: develop's own policy asks for no review, so only the default branch's
    judgement can; before, it judged content only and the run was green on H — a head a pull request into main
    can hold, whose latest `gatekeeper` result GitHub's rule for main reads."""
    remote, base, weak, head = _relaxed(tmp_path)
    gh = runner(tmp_path / "run", httpserver, remote, head, 8, [head], {"develop": False})
    result = gh.run("pull_request", pr(8, weak, head, base_ref="develop"))
    assert gh.outputs().get("decision") != "error", result.output
    assert "is not protected" in result.output, result.output  # judged twice
    assert result.return_value == ExitCode.BLOCKED and "review/missing" in result.output, (
        f"PR #8 into develop (policy relaxed by a collaborator) publishes a green result on {head[:12]}, an "
        "unreviewed phone commit main's policy wants reviewed:\n" + result.output[-2500:])
    assert "PR #8" in result.output


def test_the_same_pull_request_approved_by_a_reviewer_passes(tmp_path: Path, httpserver: HTTPServer) -> None:
    remote, base, weak, head = _relaxed(tmp_path)
    gh = _approved(tmp_path, httpserver, remote, head, [head])
    result = gh.run("pull_request", pr(8, weak, head, base_ref="develop"))
    assert "is not protected" in result.output, result.output  # judged twice
    assert result.return_value == ExitCode.OK, result.output[-2500:]


def test_a_branch_moved_onto_the_unreviewed_commit_is_judged_by_how_it_landed(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    """red68's move: `develop` pushed onto H itself, then a pull request of one desktop commit into it. The phone
    commit is not this pull request's; nothing merged it into develop through a reviewed pull request."""
    remote, work, base, head = _github(tmp_path)
    work.git("push", "-q", "origin", f"{head}:refs/heads/develop")
    work.git("checkout", "-q", "-b", "topic", head)
    topic = work.commit("desktop: docs\n", {"README.md": "hello\n"})
    work.git("push", "-q", "origin", "topic")
    gh = runner(tmp_path / "run", httpserver, remote, topic, 9, [topic], {"develop": False})
    httpserver.expect_request(f"/repos/{REPO}/commits/{head}/pulls").respond_with_json([])
    result = gh.run("pull_request", pr(9, head, topic, base_ref="develop"))
    assert gh.outputs().get("decision") != "error", result.output
    assert result.return_value == ExitCode.BLOCKED and "review/bypassed" in result.output, result.output[-2500:]
    assert f"{head[:12]} reached develop without a merged pull request" in result.output


def test_a_phone_commit_landed_on_the_base_through_an_approved_pull_request_passes(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    """The same history, but `develop` got H through PR #3, which Bob approved at H and GitHub merged."""
    remote, work, base, head = _github(tmp_path)
    work.git("checkout", "-q", "-b", "dev", base)
    merged = work.merge("feature", "Merge pull request #3 from octo-org/feature")
    work.git("push", "-q", "origin", "dev:refs/heads/develop")
    work.git("checkout", "-q", "-b", "topic")
    topic = work.commit("desktop: docs\n", {"README.md": "hello\n"})
    work.git("push", "-q", "origin", "topic")
    gh = runner(tmp_path / "run", httpserver, remote, topic, 9, [topic], {"develop": False})
    serve_landed(httpserver, 3, head, merged)
    result = gh.run("pull_request", pr(9, merged, topic, base_ref="develop"))
    assert gh.outputs().get("decision") != "error", result.output
    assert result.return_value == ExitCode.OK, result.output[-2500:]


def test_a_pull_request_that_merged_main_is_judged_by_its_own_approvals_without_a_mismatch(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    """The pull request's commits GitHub lists include main's own (the topic merged main): the default branch's
    judgement ranges over what main does not hold, so the two lists differ by design and are not reconciled —
    GitHub's list only names the authors."""
    remote, base, weak, head = _relaxed(tmp_path)
    work = RepoBuilder(tmp_path / "maintainer")
    work.checkout("main")
    later = work.commit("desktop: main moves on\n", {"docs.md": "how to\n"})
    work.git("push", "-q", "origin", "main")
    work.git("checkout", "-q", "topic")
    merged = work.merge("main", "Merge branch 'main' into topic")
    phone = work.commit("phone: after the merge" + MOBILE, {"app.py": "print(4)\n"}, author=ALICE, committer=ALICE)
    work.git("push", "-q", "origin", "topic")
    listed = [head, later, merged, phone]
    gh = _approved(tmp_path, httpserver, remote, phone, listed)
    result = gh.run("pull_request", pr(8, weak, phone, base_ref="develop"))
    assert "is not protected" in result.output, result.output
    assert result.return_value == ExitCode.OK and "commits-mismatch" not in result.output, result.output[-2500:]


def test_a_pull_request_longer_than_githubs_list_is_not_verifiable(
        tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Who wrote a commit GitHub's list left out is not known, so no approval can be said to come from a
    non-author: fail closed (GitHub lists at most 250; one here)."""
    from gatekeeper.review import github_source

    monkeypatch.setattr(github_source, "PR_COMMITS_LIMIT", 1)
    remote, base, weak, head = _relaxed(tmp_path)
    gh = _approved(tmp_path, httpserver, remote, head, [head])
    result = gh.run("pull_request", pr(8, weak, head, base_ref="develop"))
    assert result.return_value == ExitCode.BLOCKED and "review/commits-mismatch" in result.output, result.output
    assert "GitHub lists only the first 1 commits" in result.output
