"""Red team red86: review evidence at the pre-receive door that counts one reviewer twice, or a review requirement
the gate drops.

Each test fails on w/red86 at 3d25a41 for the reason its docstring names, and asserts the secure behaviour. Real
`git push`es (file://, so the hook inherits the environment the test gives the push: how Gitea's hook variables are
simulated, tests/hook_helpers.py) into a bare repository with the installed hook.

Findings:

1. A Gitea pull-request merge by Rita is one approval (forge); a `Reviewed-by: rvance` the PR's AUTHOR wrote into
   his own mobile commit is "verified by pusher" because Rita's merge is the push; forge.py `_combine` then
   dedups the trailer approver against `Identity(login=str(merger))` — the string "rvance <rita.vance@…>" taken
   as a login — so Rita is counted twice and a 2-approval rule is met by one merge (high where zones/rule sets ask
   for 2).
2. On Gitea (pusher = login + e-mail), the pusher's two spellings in two `Reviewed-by:` trailers — `rvance` and
   `Rita Vance <rita.vance@example.com>` — share no spelling with EACH OTHER, so red54's person-dedup
   (reviewed_by.assess_trailers compares claims pairwise) counts them as two approvals, though both were
   verified by the same pusher (high, same reach as red54).
3. A zone `mobile: {review: {approvals: N}}` is ignored whenever the commit's rule set has no review of its own
   (`review: {approvals: 0}` / `review: null`): engine._review only collects commits whose RULE SET has review,
   and checks.required_approvals' zone raise is never reached, so an unreviewed mobile change to the zone lands
   on main (high for the configuration "review only the payments zone").
"""

from __future__ import annotations

from pathlib import Path

from tests.hook_helpers import MO, MOBILE, TEST_POLICY, seeded, spush
from tests.repo_builder import RepoBuilder

TWO_APPROVALS = TEST_POLICY.replace("review: {approvals: 1}", "review: {approvals: 2}")
GITEA_REPO = {"GITEA_REPO_USER_NAME": "acme", "GITEA_REPO_NAME": "payments"}
# Gitea's merge button pushes as `gitea-internal` with GITEA_PUSH_TRIGGER set.
GITEA_MERGE = {"SSH_ORIGINAL_COMMAND": "gitea-internal", "GITEA_PUSH_TRIGGER": "pr-merge-to-base", **GITEA_REPO}
# A Gitea account whose login is not the local part of its e-mail address (the usual case in a company).
RITA_GITEA = {"GITEA_PUSHER_NAME": "rvance", "GITEA_PUSHER_EMAIL": "rita.vance@example.com"}


def _mobile_on_topic(work: RepoBuilder, trailers: str = "") -> str:
    """Mo's mobile commit on `fix` (with `trailers` in its trailer block); the work tree back on main's tip."""
    base = work.head()
    work.branch("fix")
    mobile = work.commit("mobile fix" + MOBILE + trailers, {"r.py": "r = 1\n"}, author=MO, committer=MO)
    work.checkout("main")
    work.git("reset", "-q", "--hard", base)
    return mobile


def test_a_gitea_merge_and_a_trailer_the_pr_author_wrote_for_the_merger_are_not_two_approvals(
        tmp_path: Path) -> None:
    """Attack: the mobile rule set needs 2 approvals. Mo (the PR author) writes `Reviewed-by: rvance` into the trailer
    block of his own phone commit and opens a pull request; Rita (`rvance`, e-mail rita.vance@example.com) merges it
    with Gitea's merge button — ONE review by one person. At push time the merge is a forge approval by
    `str(pusher)` = "rvance <rita.vance@example.com>", and Mo's trailer is "verified by pusher" (the pusher is
    rvance). forge.py `_combine` dedups the trailer's approver with `same_person(parse_identity(name),
    Identity(login=a))`, where `a` is the forge approver's display string, so the login key is the whole
    "rvance <rita.vance@…>" and matches nothing: the push is "approved by rvance, rvance <rita.vance@example.com>
    (forge+trailer)" and accepted.

    Secure behaviour: one merger is one approval however her name is written (dedup by the merger's Identity,
    not its string), so the push is refused with review/missing (1 of 2)."""
    server, work = seeded(tmp_path, TWO_APPROVALS)
    before = server.tip()
    _mobile_on_topic(work, "Reviewed-by: rvance\n")
    work.merge("fix", "Merge pull request 'fix' (#3) from mo/fix into main\n")
    result = spush(server, work, "origin", "main", env={**GITEA_MERGE, **RITA_GITEA})
    assert result.code != 0, result.output
    assert "review/missing" in result.output, result.output
    assert server.tip() == before


def test_one_gitea_pusher_spelled_by_login_and_by_address_is_not_two_approvals(tmp_path: Path) -> None:
    """Attack (red54 past its fix): the mobile rule set needs 2 approvals. Rita pushes to Gitea over SSH (Gitea sets
    GITEA_PUSHER_NAME=rvance, GITEA_PUSHER_EMAIL=rita.vance@example.com) a merge of Mo's phone commit carrying
    `Reviewed-by: rvance` and `Reviewed-by: Rita Vance <rita.vance@example.com>`. Each trailer is verified by the
    pusher (it shares one spelling with her: the login, resp. the address), and reviewed_by.assess_trailers
    dedups claims only against EACH OTHER (`same_person(claim, counted)`): {"rvance"} and {"rita vance",
    "rita.vance@example.com", "rita.vance"} share nothing, so one person is two approvers and the push is accepted
    ("approved by Rita Vance <rita.vance@example.com>, rvance (trailer)").

    Secure behaviour: claims verified by the same pusher (or the same signer) are one approval — dedup against the
    identity that verified them — and the push is refused with review/missing (1 of 2)."""
    server, work = seeded(tmp_path, TWO_APPROVALS)
    before = server.tip()
    _mobile_on_topic(work)
    work.merge("fix", "Merge fix\n\nReviewed-by: rvance\nReviewed-by: Rita Vance <rita.vance@example.com>\n")
    result = spush(server, work, "origin", "main", env={**GITEA_REPO, **RITA_GITEA})
    assert result.code != 0, result.output
    assert "review/missing" in result.output, result.output
    assert server.tip() == before


ZONE_REVIEW = TEST_POLICY.replace("review: {approvals: 1}", "review: {approvals: 0}").replace(
    '{name: payments, paths: ["src/payments/**"], mobile: block}',
    '{name: payments, paths: ["src/payments/**"], mobile: {review: {approvals: 1}}}')


def test_a_zone_that_requires_review_of_mobile_changes_is_enforced_without_a_rule_set_review(
        tmp_path: Path) -> None:
    """Attack: the policy reviews mobile changes only where it matters — `rules.mobile.review: {approvals: 0}`
    (review off in general) and the `payments` zone `mobile: {review: {approvals: 1}}` (README: "mobile: block
    # or {review: {approvals: 2}}"). Mo pushes a phone commit that changes src/payments/payout.py straight to
    main. engine._review keeps only commits whose RULE SET has a review (`policy.ruleset(r.ruleset).review is not
    None`), so checks.required_approvals — where zones raise the count — never runs for it: the commit is
    `not-required` and the push is accepted with no finding at all.

    Secure behaviour: a zone's review requirement applies to the mobile commits touching it whatever the rule set
    says; the push is refused with review/missing."""
    server, work = seeded(tmp_path, ZONE_REVIEW)
    before = server.tip()
    work.commit("phone: tweak payouts" + MOBILE, {"src/payments/payout.py": "FEE = 0\n"}, author=MO, committer=MO)
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "mo"})
    assert result.code != 0, result.output
    assert "review/missing" in result.output, result.output
    assert server.tip() == before


RELAXED_WITH_ZONE = TEST_POLICY.replace("review: {approvals: 1}", "review: {approvals: 1, exclude_authors: false}").replace(
    '{name: payments, paths: ["src/payments/**"], mobile: block}',
    '{name: payments, paths: ["src/payments/**"], mobile: {review: {approvals: 1}}}')


def test_a_zone_review_keeps_its_own_strictness_beside_a_relaxed_rule_set(tmp_path: Path) -> None:
    """Fix side of finding 3: the rule set lets an author review their own mobile commit (`exclude_authors: false`);
    the payments zone's review keeps git's default (`exclude_authors: true`). Rita's own phone commit with
    `Reviewed-by: rita`, pushed by her, is approved outside the zone and refused as a self-review inside it: the
    review a commit needs is its rule set's made stricter by each zone it touches (checks.review_rule)."""
    rita = ("Rita Reviewer", "rita@example.com")
    server, work = seeded(tmp_path, RELAXED_WITH_ZONE)
    work.commit("phone: docs" + MOBILE + "Reviewed-by: rita\n", {"docs/a.md": "a\n"}, author=rita, committer=rita)
    outside = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "rita"})
    assert outside.code == 0, outside.output
    before = server.tip()
    work.commit("phone: payouts" + MOBILE + "Reviewed-by: rita\n", {"src/payments/p.py": "FEE = 0\n"}, author=rita,
                committer=rita)
    inside = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "rita"})
    assert inside.code != 0, inside.output
    assert "review/self-approved" in inside.output, inside.output
    assert server.tip() == before
