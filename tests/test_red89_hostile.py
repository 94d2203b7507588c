"""Red team red89: a compliance zone's mobile review requirement that the pre-receive gate drops or weakens.

Each test fails on w/red89 (b2e4b4f's fix of red86 in place) for the reason its docstring names, and asserts the
secure behaviour. Real `git push`es (file://) into a bare repository with the installed hook.

Findings:

1. checks.review_rule (called by engine._review) decides which zones a mobile commit touches from `changes` alone —
   for a merge, git's COMBINED diff, which hides every path whose merged version equals one parent's. ZoneCheck
   adds what the merge's author resolved otherwise than git's automatic merge (engine.merge_resolutions, red53),
   but the review requirement never sees it. A phone merge that takes an old side's version of a payments file
   (silently reverting main's fix) therefore needs no zone review: with `review: {approvals: 0}` on the rule set and
   `mobile: {review: {approvals: 1}}` on the zone it lands unreviewed (high: the configuration red86 fixed), and
   with the rule set asking 1 and the zone 2, one approval is enough.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.hook_helpers import DANA, MO, MOBILE, TEST_POLICY, PushResult, seeded, spush
from tests.repo_builder import RepoBuilder

ZONE_ONLY = TEST_POLICY.replace("review: {approvals: 1}", "review: {approvals: 0}").replace(
    '{name: payments, paths: ["src/payments/**"], mobile: block}',
    '{name: payments, paths: ["src/payments/**"], mobile: {review: {approvals: 1}}}')
ZONE_TWO = TEST_POLICY.replace(
    '{name: payments, paths: ["src/payments/**"], mobile: block}',
    '{name: payments, paths: ["src/payments/**"], mobile: {review: {approvals: 2}}}')

def _revert_through_a_merge(server_push: Callable[[str], PushResult], work: RepoBuilder, trailers: str = "") -> str:
    """main holds a payments fix (FEE = 2) made on a desktop after branch `old` forked at FEE = 1; Mo, on his
    phone, merges `old` into main and keeps OLD's src/payments/fee.py — the fix is gone, and the merge's combined
    diff shows no payments path (the merged file equals the second parent's)."""
    work.commit("payments: fee 1\n", {"src/payments/fee.py": "FEE = 1\n"}, author=DANA, committer=DANA)
    assert server_push("main").code == 0
    work.branch("old")
    work.commit("docs: old branch\n", {"docs/old.md": "old\n"}, author=DANA, committer=DANA)
    assert server_push("old").code == 0
    work.checkout("main")
    work.commit("payments: fix the fee\n", {"src/payments/fee.py": "FEE = 2\n"}, author=DANA, committer=DANA)
    assert server_push("main").code == 0
    work.git("merge", "-q", "--no-ff", "--no-commit", "old")
    work.git("checkout", "old", "--", "src/payments/fee.py")
    env = {"GIT_AUTHOR_NAME": MO[0], "GIT_AUTHOR_EMAIL": MO[1], "GIT_COMMITTER_NAME": MO[0],
           "GIT_COMMITTER_EMAIL": MO[1]}
    work.git("commit", "-q", "--no-verify", "-F", "-", input="Merge branch 'old'" + MOBILE + trailers, env=env)
    assert work.git("show", "HEAD:src/payments/fee.py") == "FEE = 1"
    # The combined diff the engine reads names no payments path: the revert is invisible there.
    assert "src/payments" not in work.git("diff-tree", "-r", "-c", "--no-commit-id", "--name-only", "HEAD")
    return work.head()


def test_a_phone_merge_that_reverts_a_zone_file_needs_the_zones_review(tmp_path: Path) -> None:
    """Attack: the policy reviews mobile changes only in the payments zone (`rules.mobile.review: {approvals: 0}`,
    zone `mobile: {review: {approvals: 1}}` — red86's configuration). Mo, on his phone, merges an old branch into
    main and resolves src/payments/fee.py to the old branch's version, undoing main's fee fix. checks.review_rule
    looks for zone paths only in `changes` — the merge's combined diff (`diff-tree -c`), which drops a path equal
    to one parent — and never in the merge's resolutions (engine.merge_resolutions, which ZoneCheck uses since
    red53), so the mobile merge touches "no zone", needs no review and lands on main with no finding.

    Secure behaviour: what a mobile merge resolved in a zone counts as touching it for the zone's review, as it does
    for the zone's block; the push is refused with review/missing."""
    server, work = seeded(tmp_path, ZONE_ONLY)
    _revert_through_a_merge(lambda ref: spush(server, work, "origin", ref), work)
    before = server.tip()
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "mo"})
    assert result.code != 0, result.output
    assert "review/missing" in result.output, result.output
    assert server.tip() == before


def test_a_phone_merge_that_reverts_a_zone_file_needs_the_zones_approval_count(tmp_path: Path) -> None:
    """Attack (weakening rather than dropping): the mobile rule set asks for 1 approval, the payments zone for 2.
    Mo's phone merge reverts src/payments/fee.py to an old branch's version (as above); Rita pushes it with
    `Reviewed-by: Rita Vance <rita@example.com>` — one real reviewer. review_rule sees no payments path in the
    merge's combined diff, so the commit needs the rule set's 1 approval, not the zone's 2, and is accepted.

    Secure behaviour: the zone's two approvals apply to a mobile merge's resolution in the zone; the push is
    refused with review/missing (1 of 2)."""
    server, work = seeded(tmp_path, ZONE_TWO)
    _revert_through_a_merge(lambda ref: spush(server, work, "origin", ref), work,
                            "Reviewed-by: Rita Vance <rita@example.com>\n")
    before = server.tip()
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "rita"})
    assert result.code != 0, result.output
    assert "review/missing" in result.output, result.output
    assert server.tip() == before
