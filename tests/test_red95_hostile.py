"""Red team red95: the default branch's judgement of a pull request into an unguarded branch now asks for review
(7a05f11: BeyondBaseReview). A mobile commit is "this pull request's" when it is in git's `head ^event.base`, and is
then covered by this pull request's approvals, GitHub's list of its commits used only for the authors' logins.

Broken (both fixed since: a commit is this pull request's only when GitHub's list of its commits holds it too, and a
landed commit may have been reviewed in a merged pull request into any branch whose merge holds it):

- `test_a_stale_base_sha_launders_a_phone_commit_pushed_onto_the_base_through_this_prs_approval` (high): GitHub
  refreshes `pull_request.base.sha` only when the PR is pushed to (checkout.current_base says so; red19). A
  collaborator pushes the PR head D (= W + P + D, P an unreviewed phone commit), then fast-forwards the unguarded
  base `develop` onto P directly. GitHub's PR now shows only D; a reviewer approves it; the `edited` (or
  `pull_request_review`) run still names base.sha = W, so `D ^W` holds P, P counts as this PR's own commit and the
  approval of D, by someone who never saw P in the PR, "covers" it (GitHub's list, which lacks P, is not consulted
  for membership). Green on D, a head main's PR can hold. With a fresh base.sha (= P) the same run is blocked
  (review/bypassed): asserted as the control.
- `test_a_release_branch_cut_from_develop_is_not_blocked_for_develops_reviewed_phone_commits` (false block,
  medium): git-flow — `release/2` cut from `develop`, whose phone commit came through PR #3 into develop, approved
  and merged. Every PR into release/2 now fails `review/bypassed`: `_associated` only accepts merged PRs whose
  base_ref is the PR's base branch (release/2), though the commit's review is on record.

Held (tried): a PR of one desktop commit onto a base moved onto the phone commit (bypassed), a merged PR into the
base whose merge does not hold the commit, squash-merged PRs (merge does not hold the originals), the 250 limit on
both sources (_pull raises for the push-shaped copy; listed_whole fails closed), the head reachable from the base
(nothing is the PR's: all landed), push runs to unguarded branches (no review: the ref is not protected), a PR into
the default branch (judged once, root None).
"""

from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode
from tests.github_helpers import serve_reviews, synthetic_review
from tests.test_action import ALICE, MOBILE, REPO, serve_pr
from tests.test_action_review_beyond_base import origin, serve_landed
from tests.test_red66_hostile import WEAK, pr, runner


def _stale(tmp_path: Path) -> tuple[Path, str, str, str]:
    """main at M (mobile commits need one approval); develop = M + W (the mobile review dropped: nothing guards
    the push). The collaborator pushes `topic` = W + P (unreviewed phone commit) + D (desktop docs) and opens PR #8
    topic -> develop: GitHub's base.sha is W. Then they push develop onto P directly. Returns (remote, W, P, D)."""
    remote, work, _ = origin(tmp_path)
    work.git("checkout", "-q", "-b", "develop")
    weak = work.commit("chore: tidy config\n", {".gatekeeper.yml": WEAK})
    work.git("push", "-q", "origin", "develop")
    work.git("checkout", "-q", "-b", "topic")
    phone = work.commit("phone: tweak" + MOBILE, {"app.py": "print(2)\n"}, author=ALICE, committer=ALICE)
    docs = work.commit("docs: readme\n", {"README.md": "hello\n"})
    work.git("push", "-q", "origin", "topic")
    work.git("push", "-q", "origin", f"{phone}:refs/heads/develop")  # fast-forward, unguarded
    return remote, weak, phone, docs


def test_a_stale_base_sha_launders_a_phone_commit_pushed_onto_the_base_through_this_prs_approval(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    remote, weak, phone, docs = _stale(tmp_path)

    # Control: a run whose base.sha GitHub refreshed (P) — P is not the PR's, no merged PR holds it: blocked.
    gh = runner(tmp_path / "fresh", httpserver, remote, docs, 8, [docs])
    serve_pr(httpserver, 8, [docs], [synthetic_review("bob", "APPROVED", docs, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/branches/develop").respond_with_json({"name": "develop",
                                                                                   "protected": False})
    httpserver.expect_request(f"/repos/{REPO}/commits/{phone}/pulls").respond_with_json([])
    result = gh.run("pull_request", pr(8, phone, docs, base_ref="develop", action="edited"))
    assert result.return_value == ExitCode.BLOCKED and "review/bypassed" in result.output, result.output[-2500:]

    # The attack: GitHub shows PR #8 as D alone (develop holds P) and lists only D; Bob approves D; the PR's title
    # is edited: the payload's base.sha is still W, the base of the PR's last push.
    gh = runner(tmp_path / "stale", httpserver, remote, docs, 8, [docs])
    serve_pr(httpserver, 8, [docs], [synthetic_review("bob", "APPROVED", docs, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/branches/develop").respond_with_json({"name": "develop",
                                                                                   "protected": False})
    httpserver.expect_request(f"/repos/{REPO}/commits/{phone}/pulls").respond_with_json([])
    result = gh.run("pull_request", pr(8, weak, docs, base_ref="develop", action="edited"))
    assert gh.outputs().get("decision") != "error", result.output
    assert "is not protected" in result.output, result.output
    assert result.return_value == ExitCode.BLOCKED, (
        f"phone commit {phone[:12]}, pushed straight onto develop, passes as PR #8's own through a stale base.sha "
        f"({weak[:12]}): Bob's approval of {docs[:12]} (a PR GitHub showed as one docs commit) covers it; green on "
        f"{docs[:12]}:\n" + result.output[-2500:])


def test_a_release_branch_cut_from_develop_is_not_blocked_for_develops_reviewed_phone_commits(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    """main at M; PR #3 (Alice's phone commit P) merged into develop after Bob approved it at P; release/2 cut from
    develop; PR #9 (a desktop fix) into release/2. P's review is on record, through a merged pull request."""
    remote, work, base = origin(tmp_path)
    work.git("checkout", "-q", "-b", "feature")
    phone = work.commit("phone: tweak" + MOBILE, {"app.py": "print(2)\n"}, author=ALICE, committer=ALICE)
    work.git("checkout", "-q", "-b", "develop", base)
    merged = work.merge("feature", "Merge pull request #3 from octo-org/feature")
    work.git("push", "-q", "origin", "develop", "develop:refs/heads/release/2")
    work.git("checkout", "-q", "-b", "fix")
    fix = work.commit("fix: readme\n", {"README.md": "hello\n"})
    work.git("push", "-q", "origin", "fix")
    gh = runner(tmp_path / "run", httpserver, remote, fix, 9, [fix], {"release/2": False})
    serve_landed(httpserver, 3, phone, merged)
    serve_reviews(httpserver, 9, [synthetic_review("bob", "APPROVED", fix, rid=2)])
    result = gh.run("pull_request", pr(9, merged, fix, base_ref="release/2"))
    assert gh.outputs().get("decision") != "error", result.output
    assert "is not protected" in result.output, result.output
    assert result.return_value == ExitCode.OK, (
        f"PR #9 into release/2 blocked for {phone[:12]}, reviewed and merged into develop through PR #3:\n"
        + result.output[-2500:])
