"""Red team red115: review judgments — merge claims, the merge queue, CODEOWNERS — attacked as a hostile PR author.

Harness: the real `gatekeeper action` mode (`run_action`) over real git repositories (RepoBuilder), a local GitHub
API (pytest-httpserver, GitHub-shaped answers from the vendored corpus; SYNTHETIC marks edited fields) and a stand-in
for GitHub's web-flow key (tests/test_audit_review_trust.forge_key), as tests/test_red109_hostile.py does.

Findings (each test FAILS on 9317ae6 for the reason its docstring names, and asserts the secure behaviour):

1. MEDIUM (miss) — review/github_source.py `GitHubReviewSource.unconfirmed_merges`: a one-parent web-flow claim
   `… (#N)` / `Merge pull request #N from …` is confirmed when `commits/{sha}/pulls` lists PR #N merged — any
   merged PR the commit is part of, not one whose merge the commit IS (`merge_commit_sha`). But GitHub lists for a
   commit on the default branch "the merged pull request that introduced the commit": a browser edit made on a
   PR's own branch is introduced by that PR. So Dana edits `app.py` in the browser on her branch after Bob approved
   PR #12 (message "Update app.py (#12)": she knows her PR's number), and PR #12 is merged with a merge commit. On
   the push to main the claim is "confirmed", the edit is `forge/pr-merge` (no device class, desktop rules) and
   needs no review: exit 0. The same edit with GitHub's default message "Update app.py" is `review/bypassed`
   (Bob's approval of the earlier head is stale), exit 1 — measured both, and for the merge-button title
   ("Merge pull request #12 from dana/feature") too. The push run is the after-the-fact control DESIGN §5 names
   for exactly this ("a commit with no reviewed PR was pushed past review"); the message hides the web edit from
   it. Fix: confirm a claim only when GitHub's merged PR has `merge_commit_sha == sha` (a squash, or the last
   commit of a rebase merge), as the no-number case already does — and the named number must match. That alone
   leaves the rebase-merge of the same PR (GitHub's copy W' of the edit keeps "(#12)" and IS #12's merge): better,
   a confirmed merge whose PR lists a one-parent web-flow commit (pulls/N/commits, fetched anyway) stays web.
2. MEDIUM (miss; needs a rebase-method queue with "Only merge non-failing pull requests" off) —
   review/github_source.py `_queued_before`: in a merge group, a queue-made commit (web-flow, GitHub-signed) whose
   subject names `(#5)` is judged by PR #5 whenever GitHub says #5 is open into the branch and the commit is no
   copy of the QUEUE-NAMED PR's own commits. A rebase-method queue re-creates each commit of EVERY entry with its
   author's own message, so a commit of an earlier entry (Mallory's unapproved PR #8, a phone change she titled
   "phone: tidy the login (#5)") in the run of a later entry (#9) is judged by #5 — Alice's unrelated open PR into
   main, approved by Bob — and passes ("PR #5: 1 of 1 qualifying approval(s); approved by @bob"), exit 0. Nothing
   ties the commit to #5 but words Mallory wrote: #5 is not in the group, its head is not in the commit's history,
   its author is not the commit's. Under the fail-closed policy (`undeclared: mobile`) the commit needs no trailer
   at all: any commit of the unapproved PR passes the same way (both measured, exit 0). (red109's 3a named a PR
   into a scratch base; the base check closed that shape only.) Fix: take the named PR only where GitHub wrote the number (a squash, a merge), e.g. the commit's author
   is #5's author and its subject is #5's title + " (#5)"; else fall back to the named PR (fail closed).
3. MEDIUM (miss) — review/semantics.py `parse_codeowners`: a line with a token that is no owner (`ci-team`
   without `@`, `TODO`) keeps the line with the remaining owners — or, when none remain, as an explicit "no owner"
   line. GitHub: "If any line in your CODEOWNERS file contains invalid syntax, that line will be skipped" (GitHub's
   about-code-owners page; the codeowners/errors API reports `* user` as "Invalid owner"), so the earlier rule's
   owners apply. With `* @sec-lead` + `/.github/workflows/ ci-team`, GitHub's owner of the gate's workflow is
   @sec-lead; gatekeeper reads the workflows as unowned and clears `policy/changed` with ANY reviewer's approval
   (measured end to end: @dev's approval of `continue-on-error: true` on the gate's step, exit 0). With
   `/.github/ @dev TODO`, @dev becomes the owner where GitHub keeps @sec-lead. Fix: a line with any token that is
   not `@login`, `@org/team` or an e-mail address is skipped whole.

Tried and held (read or run):
- CODEOWNERS against hmarr/codeowners' pattern table (97 pattern/path pairs): 3 disagreements, none gate-relevant
  (`f\\*o` / `f\\?o` escapes match nothing instead of the literal name; `foo/**/` vs a FILE `foo/bar`). `docs/*`
  one level, `/*`, `/*/`, `/f*` owning `foo/bar/baz`, `**/logs`, `/apps/` + `/apps/github` unowned, inline `#`
  comments, tabs, `!` and `[ ]` lines skipped; `@` alone or `@b@c` owners can never approve (stricter).
- merge claims: a web edit on main naming a real merged PR (`commits/{sha}/pulls` = []) is web; a claim in a
  pull_request run is never confirmed (GitHub lists only open PRs for a commit off the default branch); API 500
  -> web edit, blocked; the no-number squash layout needs `merge_commit_sha == sha`.
- review rules: self-approval by any spelling, bots, `MEMBER`/`COLLABORATOR` without write access, approval of a
  commit outside base..head or force-pushed away, DISMISSED / later CHANGES_REQUESTED, PENDING, unknown states,
  reviews over several pages (Link rel=next, capped at 20 pages -> fail closed), 401/403/404/5xx/rate limit on
  reviews, commits, permission and team membership -> `tool/github-failed` + `review/unverifiable` (the team
  membership 401/403 -> None -> not an owner, with a note).
- merge queue: squash- and merge-method queues (GitHub writes the number), a rebased copy of the named PR's own
  commit naming another PR (the copy check), a named PR into another base.

Not a finding here (design, noted for the lead): a squash merge carries no device class, so on a push run a PR
whose web edit (or phone commit whose trailers the merger edited out) was squashed needs no review; only the
pull-request run judges the PR's own commits.
"""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode, ReviewStatus, Verdict
from gatekeeper.modes.action import ActionSettings, run_action
from gatekeeper.provenance.openpgp import ForgeKeys
from gatekeeper.review.semantics import parse_codeowners
from tests.github_helpers import (
    serve_reviews,
    synthetic_associated_pull,
    synthetic_pr_event,
    synthetic_pull_commit,
    synthetic_review,
    web_flow_commit,
    webhook_example,
)
from tests.repo_builder import RepoBuilder
from tests.test_action import MOBILE, POLICY, REPO, Env, gh, push_payload
from tests.test_audit_review_trust import forge_key

__all__ = ["forge_key", "gh"]  # fixtures used below

ALICE = ("Alice Mobile", "alice@example.com")
DANA = ("Dana Desktop", "dana@example.com")
MALLORY = ("Mallory Phone", "mallory@example.com")
WEB_POLICY = POLICY.replace("mobile_classes: [mobile, tablet]", "mobile_classes: [mobile, tablet, web]")
ForgeKey = tuple[dict[str, str], ForgeKeys, str]


# -- 1. a browser edit inside a merged PR "confirms" its own merge claim ------------------------------------------

def _edit_inside_a_merged_pr(repo: RepoBuilder, env: dict[str, str], fpr: str, message: str,
                             httpserver: HTTPServer) -> tuple[str, str, str]:
    """main <- feature (Dana's commit C, approved by Bob; then her browser edit W) merged by the merge button (M, two
    parents, web-flow, signed). GitHub's answers: #12 merged into main, head W, merge commit M; Bob approved C."""
    before = repo.commit("base\n", {".gatekeeper.yml": WEB_POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    reviewed = repo.commit("app: greet politely\n", {"app.py": "print('hello')\n"}, author=DANA, committer=DANA)
    edit = web_flow_commit(repo, env, fpr, message, {"app.py": "print('edited in the browser after review')\n"}, DANA)
    repo.checkout("main")
    repo.git("-c", f"user.signingkey={fpr}", "merge", "-q", "--no-ff", "-S", "-m",
             "Merge pull request #12 from dana/feature", "feature",
             env={**env, "GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1]})
    merge = repo.head()
    pr = synthetic_associated_pull(12, base_ref="main", head_sha=edit, merged=True, merge_commit_sha=merge,
                                   author="dana")
    # GitHub lists, for a commit on the default branch, the merged PR that introduced it.
    for sha in (reviewed, edit, merge):
        httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json([pr])
    serve_reviews(httpserver, 12, [synthetic_review("bob", "APPROVED", reviewed, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/12/commits").respond_with_json(
        [synthetic_pull_commit(reviewed, login="dana", email=DANA[1]),
         synthetic_pull_commit(edit, login="dana", email=DANA[1], message=message, committer_login="web-flow",
                               committer_email="noreply@github.com")])
    return before, edit, merge


def _push_run(gh: Env, keys: ForgeKeys, before: str, after: str) -> Verdict:
    gh.event.write_text(json.dumps(push_payload(before, after)))
    verdict = run_action(ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "push"}), forge_keys=keys).verdict
    assert verdict is not None
    return verdict


def test_control_a_browser_edit_after_the_approval_is_bypassed_on_push(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey) -> None:
    """Control for finding 1 (holds): with GitHub's default message the web edit made after Bob's approval is judged
    by PR #12, whose only approval is of the earlier head: `review/bypassed`, exit 1."""
    env, keys, fpr = forge_key
    before, edit, merge = _edit_inside_a_merged_pr(repo, env, fpr, "Update app.py\n", httpserver)
    verdict = _push_run(gh, keys, before, merge)
    judged = next(c for c in verdict.commits if c.commit.sha == edit)
    assert judged.origin.device.value == "web"
    assert verdict.exit_code == ExitCode.BLOCKED
    assert any(f.rule_id == "review/bypassed" and f.commit == edit for f in verdict.findings)


@pytest.mark.parametrize("message", ["Update app.py (#12)\n", "Merge pull request #12 from dana/feature\n"])
def test_a_browser_edit_naming_its_own_pr_is_not_a_confirmed_merge(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey, message: str) -> None:
    """Finding 1. The same browser edit, made after Bob approved PR #12, with a message naming #12. On the push to main
    `commits/{W}/pulls` lists #12 merged (it introduced W), so `unconfirmed_merges` confirms the claim although #12's
    merge is M, not W: W is `forge/pr-merge`, no device class, no review needed, exit 0. Secure: W is no merge GitHub
    made (#12's merge_commit_sha is M); it stays a web edit and is `review/bypassed` like the control."""
    env, keys, fpr = forge_key
    before, edit, merge = _edit_inside_a_merged_pr(repo, env, fpr, message, httpserver)
    verdict = _push_run(gh, keys, before, merge)
    judged = next(c for c in verdict.commits if c.commit.sha == edit)
    sources = [e.source for e in judged.origin.evidence]
    assert verdict.exit_code == ExitCode.BLOCKED, (
        f"a browser edit inside PR #12 named #12 and left the web rules (exit {verdict.exit_code}): evidence "
        f"{sources}, device {judged.origin.device.value}, review {judged.review.status.value}")
    assert judged.origin.device.value == "web"


# -- 2. merge queue (rebase method): an earlier entry's commit names an unrelated approved PR -----------------------

FAIL_CLOSED_POLICY = POLICY.replace("undeclared: desktop", "undeclared: mobile")


@pytest.mark.parametrize(("policy", "tail", "subject"),
                         [(POLICY, MOBILE, "phone: tidy the login (#5)"),
                          (FAIL_CLOSED_POLICY, "\n", "phone: tidy the login (#5)"),
                          (POLICY, MOBILE, "phone: tidy the login")],
                         ids=["phone-trailer", "undeclared-mobile", "no-number"])
def test_an_earlier_entrys_rebased_commit_naming_an_open_approved_pr_is_not_judged_by_it(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey, policy: str, tail: str,
        subject: str) -> None:
    """Finding 2. Rebase-method queue on main: Mallory's PR #8 (a phone change, nobody approved) then Dana's #9 (docs,
    approved). For #9's entry (`gh-readonly-queue/main/pr-9-<head9>`) the queue re-created #8's commit as R8
    (web-flow, GitHub's key, Mallory's message "phone: tidy the login (#5)" kept). `commits/{R8}/pulls` knows nothing
    yet; R8 is no copy of #9's commits; #5 is Alice's unrelated PR, open into main, approved by Bob at its head. The
    gate judges R8 by #5 and passes (exit 0). The same with no trailer at all under the fail-closed policy
    (`undeclared: mobile`: every commit needs review). Secure: R8 is not #5's merge — #5 is not in the group and
    GitHub did not write that number — so it is not approved and the run blocks. (After the fix, `no-number`: the
    same copy naming no PR fell back to #9, whose approval of its head covered everything the queue made.)"""
    env, keys, fpr = forge_key
    base = repo.commit("base\n", {".gatekeeper.yml": policy, "app.py": "print('hi')\n", "README.md": "x\n"})
    r8 = web_flow_commit(repo, env, fpr, subject + tail, {"app.py": "print('pwned')\n"},
                         MALLORY)
    r9 = web_flow_commit(repo, env, fpr, "docs: typo\n", {"README.md": "y\n"}, DANA)
    head9, head5 = "9" * 40, "5" * 40  # SYNTHETIC: the PRs' own branches are not in the runner's clone
    payload = webhook_example("api.github.com/merge_group/checks_requested.payload.json")
    group = payload["merge_group"]
    group["base_sha"], group["head_sha"], group["base_ref"] = base, r9, "refs/heads/main"  # SYNTHETIC
    group["head_ref"] = f"refs/heads/gh-readonly-queue/main/pr-9-{head9}"
    for sha in (r8, r9):
        httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json([])
    serve_reviews(httpserver, 9, [synthetic_review("carol", "APPROVED", head9, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/9/commits").respond_with_json(
        [synthetic_pull_commit(head9, login="dana", email=DANA[1], message="docs: typo\n")])
    serve_reviews(httpserver, 5, [synthetic_review("bob", "APPROVED", head5, rid=2)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/5/commits").respond_with_json(
        [synthetic_pull_commit(head5, login="alice", email=ALICE[1], message="Add the settings page\n")])
    httpserver.expect_request(f"/repos/{REPO}/pulls/5").respond_with_json(
        synthetic_associated_pull(5, base_ref="main", head_sha=head5, merged=False, author="alice"))
    gh.event.write_text(json.dumps(payload))
    settings = ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "merge_group"})
    verdict = run_action(settings, forge_keys=keys).verdict
    assert verdict is not None
    phone = next(c for c in verdict.commits if c.commit.sha == r8)
    assert phone.signature.status.value == "good"  # premise: GitHub made it
    assert phone.review.status is not ReviewStatus.APPROVED, (
        f"Mallory's unapproved change passed through an unrelated PR its subject names (exit {verdict.exit_code}): "
        f"{phone.review.detail}")
    assert verdict.exit_code == ExitCode.BLOCKED


# -- 3. CODEOWNERS: a line with an invalid owner is skipped by GitHub ----------------------------------------------

def test_codeowners_line_with_an_invalid_owner_is_skipped() -> None:
    """Finding 3, unit view. GitHub skips a line with invalid syntax (an owner without `@` that is no e-mail), so the
    earlier rule's owners apply; gatekeeper keeps the line (unowned, or owned by the valid tokens)."""
    owners = parse_codeowners("*                    @sec-lead\n"
                              "/.github/workflows/  ci-team\n"
                              "/.gatekeeper/        @dev TODO\n")
    wrong = {path: owners.owners_for(path) for path in (".github/workflows/gatekeeper.yml",
                                                         ".gatekeeper/allowed_signers")
             if owners.owners_for(path) != ("@sec-lead",)}
    assert not wrong, f"gatekeeper reads invalid CODEOWNERS lines GitHub skips: {wrong}"


WORKFLOW = """\
name: gate
on: [pull_request]
jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: octo-org/gatekeeper@v1
"""


def test_a_workflow_change_under_an_invalid_codeowners_line_needs_the_real_owner(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """Finding 3 end to end. CODEOWNERS at the base: `* @sec-lead` then `/.github/workflows/ ci-team` (the `@` left
    out). GitHub skips the second line: @sec-lead owns the gate's workflow. Dana's PR lets the gate's step fail
    without failing the job; @dev (write access, not an author) approves. gatekeeper reads the workflows as unowned
    ("any reviewer") and clears `policy/changed`: exit 0. Secure: blocked until @sec-lead approves."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY,
                                  ".github/CODEOWNERS": "*                    @sec-lead\n"
                                                        "/.github/workflows/  ci-team\n",
                                  ".github/workflows/gatekeeper.yml": WORKFLOW, "app.py": "print('hi')\n"})
    repo.branch("feature")
    head = repo.commit("ci: tidy the gate job\n",
                       {".github/workflows/gatekeeper.yml": WORKFLOW + "        continue-on-error: true\n"},
                       author=DANA, committer=DANA)
    serve_reviews(httpserver, 7, [synthetic_review("dev", "APPROVED", head, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/commits").respond_with_json(
        [synthetic_pull_commit(head, login="dana", email=DANA[1])])
    event = synthetic_pr_event(number=7, base_sha=base, head_sha=head, author="dana", repo=REPO)
    result = gh.run("pull_request", event)
    assert result.exception is None, result.output
    assert result.return_value == ExitCode.BLOCKED, (
        "any reviewer cleared a change to the gate's workflow that GitHub gives to @sec-lead:\n" + result.output)
    assert "@sec-lead" in result.output
