"""Red team red40: the GitHub Action's review judgment against a hostile PR author (push, merge queue, check SHA).

Real git repositories (RepoBuilder), event payload files and a real local HTTP server (pytest-httpserver)
serving GitHub-shaped REST answers — the harness of tests/test_action.py. SYNTHETIC marks payload fields
edited from the vendored corpus.

Findings (each test fails on the code under review for the reason its docstring gives):

1. push: a mobile commit landed on main by hand is "approved" by the approval of another pull request that
   once listed it, was squash-merged, and whose reviewed head took the commit's payload out again. The PR's
   final head bounds the approval, but the PR is not how the commit landed (medium).
2. merge_group: a queued commit is judged by whichever open PR GitHub lists for it first, not the PR the
   queue is merging; a second PR whose approved head reverts the payload covers it (medium-low: defence in
   depth behind the PR check).
3. pull_request into an unprotected branch: an unreviewed mobile head gets a passing `gatekeeper` run; GitHub
   keys required checks by head SHA and check name, so a second PR from the same branch into main shows it
   green (medium; depends on GitHub's check-by-SHA model, which docs/action.md does not mention).
"""

from __future__ import annotations

import json
from typing import Any

from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode
from tests.github_helpers import (
    TOKEN,
    serve_reviews,
    synthetic_associated_pull,
    synthetic_pull_commit,
    synthetic_review,
    webhook_example,
)
from tests.repo_builder import RepoBuilder
from tests.test_action import MOBILE, POLICY, REPO, Env, gh, pr_event, push_payload, verdict_of

__all__ = ["gh"]  # fixture used below

ALICE = ("Alice Mobile", "alice@example.com")
EVIL = "import os; os.system(input())\n"


def _review_of(result: Any, sha: str) -> dict[str, Any]:
    review: dict[str, Any] = next(c for c in verdict_of(result)["commits"] if c["sha"] == sha)["review"]
    return review


def _serve_pull(server: HTTPServer, number: int, shas: list[str], reviews: list[dict[str, Any]]) -> None:
    serve_reviews(server, number, reviews)
    server.expect_request(f"/repos/{REPO}/pulls/{number}/commits").respond_with_json(
        [synthetic_pull_commit(sha, login="alice", email=ALICE[1]) for sha in shas])


def _evil_then_revert(repo: RepoBuilder) -> tuple[str, str, str]:
    """main at base; branch `feature`: T (mobile: adds lib.py and the payload in app.py), then R (mobile: takes
    the payload out again). `feature` stays at R, as fetch-depth: 0 fetches it. Returns (base, T, R)."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    evil = repo.commit("phone: add lib" + MOBILE, {"lib.py": "A = 1\n", "app.py": EVIL}, author=ALICE,
                       committer=ALICE)
    revert = repo.commit("phone: tidy up" + MOBILE, {"app.py": "print('hi')\n"}, author=ALICE, committer=ALICE)
    repo.checkout("main")
    return base, evil, revert


def _assert_blocked_unapproved(result: Any, sha: str) -> None:
    assert result.exception is None, result.output
    review = _review_of(result, sha)
    assert review["status"] != "approved", review
    assert result.return_value == ExitCode.BLOCKED, result.output

# -- 1. push: another PR's approval covers a commit that landed by hand -----------------------------------

def test_push_a_commit_landed_by_hand_is_not_covered_by_a_squash_merged_prs_approval_of_its_revert(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """Severity: medium — `review/bypassed` (the Action's after-the-fact check for pushes past review) misses
    an unreviewed mobile payload landing on main.

    Alice opens PR #10 with T (mobile: lib.py plus a payload in app.py) and R (takes the payload out). Bob
    reviews the net diff (lib.py only), approves R, and the PR is squash-merged into S10: main holds lib.py,
    never T. Alice, who can push to main (a bypass list, or a ruleset without "require a pull request"),
    then pushes a plain merge M of T into main: the payload lands. T is a mobile commit that reached main
    without any reviewed change containing its payload — DESIGN §5 "covers the last mobile commit" means
    the approved state is the one being merged (docs/action.md: "a descendant of it that is itself in the
    range being merged"; red11/red13 closed the force-push-back version of this).

    The gate looks T up (`commits/{T}/pulls` → PR #10, merged into main) and judges it against #10's
    reviews, bounded by #10's final head R: Bob's approval of R is a descendant of T and an ancestor of
    (is) that head, so T counts as approved. But #10 landed as S10, which does not contain T; R, the state
    Bob approved, is not in `before..after` at all. Fails now: T's review status is `approved`, exit 0.
    """
    _, evil, revert = _evil_then_revert(repo)
    squash = repo.commit("phone: add lib (#10)" + MOBILE, {"lib.py": "A = 1\n"}, author=ALICE)  # GitHub's S10
    repo.git("branch", "-q", "--no-track", "landing", evil)
    after = repo.merge("landing", "Merge branch 'landing'")  # M: a clean merge, adds nothing of its own
    assert repo.git("show", f"{after}:app.py") == EVIL.strip()  # the payload is on main now
    # SYNTHETIC: GitHub ties T to PR #10 (merged into main as S10, final head R); M is in no PR.
    pr = synthetic_associated_pull(10, base_ref="main", head_sha=revert, merged=True, merge_commit_sha=squash,
                                   author="alice")
    httpserver.expect_request(f"/repos/{REPO}/commits/{evil}/pulls").respond_with_json([pr])
    httpserver.expect_request(f"/repos/{REPO}/commits/{after}/pulls").respond_with_json([])
    _serve_pull(httpserver, 10, [evil, revert], [synthetic_review("bob", "APPROVED", revert, rid=1)])
    _assert_blocked_unapproved(gh.run("push", push_payload(squash, after), "--format", "json"), evil)


def test_control_push_of_the_same_commit_through_its_own_approved_merge_passes(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """Control (passes): the ordinary case the fix must keep — PR #9 (T then R) approved at R and merged with a
    merge commit: T, R and the merge land together, R is in the pushed range, and T is covered."""
    before, evil, revert = _evil_then_revert(repo)
    after = repo.merge("feature", "Merge pull request #9 from octo-org/feature")
    pr = synthetic_associated_pull(9, base_ref="main", head_sha=revert, merged=True, merge_commit_sha=after,
                                   author="alice")
    for sha in (evil, revert, after):
        httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json([pr])
    _serve_pull(httpserver, 9, [evil, revert], [synthetic_review("bob", "APPROVED", revert, rid=1)])
    result = gh.run("push", push_payload(before, after), "--format", "json")
    assert result.exception is None, result.output
    assert _review_of(result, evil)["status"] == "approved"
    assert result.return_value == ExitCode.OK, result.output


# -- 2. merge_group: the queued PR is known, another PR's approval is used --------------------------------

def test_merge_group_commit_is_judged_by_the_queued_pr_not_another_open_pr_that_lists_it(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """Severity: medium-low (defence in depth: the queue admits PR #9 only with its PR-level checks green,
    which finding 3 shows can be arranged) — the merge-queue run lets an unreviewed mobile payload through.

    The queue merges PR #9, whose head is T (the payload). Alice also keeps PR #10 open: T then R (takes the
    payload out), approved by Bob at R. `commits/{T}/pulls` lists both open PRs into main; the gate takes the
    first (#10) and judges T by #10's reviews, bounded by #10's head R: covered. What the queue merges is
    `base_sha..head_sha` = T alone, and the payload event names the queued PR (`…/pr-9-<T>`). Fails now:
    T is `approved`, exit 0.
    """
    base, evil, revert = _evil_then_revert(repo)
    payload = webhook_example("api.github.com/merge_group/checks_requested.payload.json")
    group = payload["merge_group"]
    group["base_sha"], group["head_sha"] = base, evil  # SYNTHETIC shas
    group["base_ref"] = "refs/heads/main"
    group["head_ref"] = f"refs/heads/gh-readonly-queue/main/pr-9-{evil}"
    other = synthetic_associated_pull(10, base_ref="main", head_sha=revert, merged=False, author="alice")
    queued = synthetic_associated_pull(9, base_ref="main", head_sha=evil, merged=False, author="alice")
    httpserver.expect_request(f"/repos/{REPO}/commits/{evil}/pulls").respond_with_json([other, queued])
    _serve_pull(httpserver, 10, [evil, revert], [synthetic_review("bob", "APPROVED", revert, rid=1)])
    _serve_pull(httpserver, 9, [evil], [])
    _assert_blocked_unapproved(gh.run("merge_group", payload, "--format", "json"), evil)


# -- 3. a green run on the head SHA from a PR into an unprotected branch -----------------------------------

def test_an_unreviewed_mobile_head_gets_no_passing_run_from_a_pr_into_an_unprotected_branch(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """Severity: medium — full bypass of the required `gatekeeper` check, if GitHub resolves it by head SHA as
    its documentation describes (required status checks are reported on, and read from, the commit).

    PR #7 (feature → main, head T: an unreviewed mobile payload) is red. Alice opens PR #8 from the same
    branch into `scratch`, which the policy does not protect (the example workflow runs `pull_request` for
    every base), or edits #8's title after #7's run so #8's run is the latest. The gate judges #8 against
    `scratch`: no review needed, decision `allow`, exit 0 — a successful `gatekeeper` check on T. The check
    GitHub shows and enforces for #7 is the latest `gatekeeper` result on T (docs/action.md: "the branch
    rule uses the latest gatekeeper result for the head commit"): green, and #7 merges unreviewed.

    A run whose verdict is published on a commit SHA cannot know which PR GitHub will read it for; a mobile
    head that would be blocked going into a protected branch must not get a passing run from any PR (or the
    workflow must say which bases it gates and docs/action.md warn). Fails now: PR #8's run exits 0 with
    decision `allow` while PR #7's run on the same SHA blocks.
    """
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.git("branch", "scratch")
    repo.branch("feature")
    head = repo.commit("phone: change" + MOBILE, {"app.py": EVIL}, author=ALICE, committer=ALICE)
    shas = {"base": base, "head": head}
    for number in (7, 8):
        _serve_pull(httpserver, number, [head], [])
    blocked = gh.run("pull_request", pr_event(shas), "--format", "json")
    assert blocked.return_value == ExitCode.BLOCKED, blocked.output  # PR #7 into main: red, as it should be
    into_scratch = pr_event(shas, base_ref="scratch", action="edited")
    into_scratch["number"] = into_scratch["pull_request"]["number"] = 8
    result = gh.run("pull_request", into_scratch, "--format", "json")
    assert result.exception is None, result.output
    assert TOKEN not in result.output
    assert gh.outputs()["decision"] != "allow", gh.outputs()
    assert result.return_value != ExitCode.OK, result.output


def test_control_a_retargeted_pr_is_judged_against_main_again(gh: Env, httpserver: HTTPServer,
                                                              repo: RepoBuilder) -> None:
    """Control (passes): the same PR retargeted from `scratch` to main (`edited` with `changes.base`) is judged
    against main and blocks — what red19/docs cover; finding 3 is a *second* PR, not a retarget."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    head = repo.commit("phone: change" + MOBILE, {"app.py": EVIL}, author=ALICE, committer=ALICE)
    _serve_pull(httpserver, 7, [head], [])
    payload = pr_event({"base": base, "head": head}, action="edited")
    payload["changes"] = {"base": {"ref": {"from": "scratch"}, "sha": {"from": base}}}
    result = gh.run("pull_request", payload, "--format", "json")
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "retargeted from scratch" in json.dumps(verdict_of(result))
