"""Red team 19: can a pusher or PR author change what the gate trusts, or dodge the review such a change needs?

Each test is a reproduction that FAILS on main at the time of writing: it asserts what the contract
(DESIGN §4, docs/action.md "Trust comes from the base", docs/hooks.md "Policy changes need review")
promises, against a real repository and the Action run against a local GitHub API (pytest-httpserver).
"""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode
from tests.github_helpers import synthetic_pr_event, synthetic_review
from tests.repo_builder import RepoBuilder
from tests.test_action import ALICE, MOBILE, POLICY, REPO, Env, gh, serve_pr

__all__ = ["gh"]  # fixture

# The base policy of tests/test_action.py plus a zone security added later: no mobile change to payments.
ZONED = POLICY + 'zones:\n  - {name: payments, paths: ["src/payments/**"], mobile: block}\n'


@pytest.mark.parametrize(("event", "action"), [("pull_request_review", "submitted"), ("pull_request", "edited")])
def test_review_rerun_with_a_stale_base_sha_is_judged_by_the_policy_main_has_now(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, event: str, action: str) -> None:
    """Action: GitHub refreshes `pull_request.base.sha` only when the PR is synchronized (pushed to). A run
    the gate explicitly gates without a push — `pull_request_review` (an approval), `edited` (a title
    change) — still names the base the PR was last pushed against. gatekeeper reads the policy there
    (modes/action.py `_range` → `ev.base` → trusted.load_trusted), so a reviewed tightening that landed
    on main since (a zone, a revoked device, `undeclared: mobile`) does not apply to a PR that is merged
    into today's main. The author only has to stop pushing and wait for an approval (or edit the title)."""
    m0 = repo.commit("base\n", {".gatekeeper.yml": POLICY, "src/payments/pay.py": "FEE = 1\n"})
    repo.branch("feature")
    phone = repo.commit("phone: payments fee" + MOBILE, {"src/payments/pay.py": "FEE = 0\n"}, author=ALICE,
                        committer=ALICE)
    repo.checkout("main")
    m1 = repo.commit("Forbid mobile changes to payments (reviewed)\n", {".gatekeeper.yml": ZONED})
    # What actions/checkout gives the run: the PR's merge ref, made by GitHub against main as it is now.
    repo.git("update-ref", "refs/remotes/origin/main", m1)
    repo.git("checkout", "-q", "--detach", m1)
    merge = repo.merge("feature", "Merge pull request #7 from alice/feature\n")
    assert repo.git("rev-parse", f"{merge}^1") == m1
    # SYNTHETIC: Bob (not an author) approves the head.
    serve_pr(httpserver, 7, [phone], [synthetic_review("bob", "APPROVED", phone, rid=1)])

    # Control: with the base GitHub merges into, the zone added on main blocks the phone's change.
    fresh = synthetic_pr_event(number=7, base_sha=m1, head_sha=phone, author="alice", repo=REPO,
                               action=action)
    result = gh.run(event, fresh)
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "policy/zone-violation" in result.output

    # The same approval as GitHub sends it: Alice has not pushed since main moved, so base.sha is m0.
    stale = synthetic_pr_event(number=7, base_sha=m0, head_sha=phone, author="alice", repo=REPO,
                               action=action)
    result = gh.run(event, stale)
    assert result.return_value == ExitCode.BLOCKED, (
        "judged by the policy of a base main no longer has (base.sha is stale), the PR passes:\n" + result.output)
    assert "policy/zone-violation" in result.output
