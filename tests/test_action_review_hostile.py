"""`gatekeeper action` against a hostile PR author or pusher: four ways past DESIGN §5's review (red team red11).

Each test reproduces a way a mobile-origin commit got accepted without a qualifying approval; each failed
before the fix in gatekeeper/review and passes after it:

1. Descendant approval after a force push back: Bob approves C (which takes T's payload out again), the
   PR is force-pushed back to T. An approval now covers T only from inside base..head (github_source
   `_covers(target, within=head)`), so C's approval is stale.
2. Pusher self-approval under a made-up author: Mallory pushes a commit whose git identity no account owns
   onto Bob's PR, then approves it. A `synchronize` event's `sender` may not approve any commit of the PR
   in that run (github_event `pusher`; `pull_request_review` cannot say who pushed: docs/action.md).
3. Evil merge pushed by hand: a merge with a change of its own, reported by GitHub as the merged PR's merge
   commit, was covered by the PR's approval. A commit outside the PR's list is covered by the PR's head
   approval only when GitHub demonstrably made it (web-flow committer + good web-flow signature) or it is
   a merge that adds nothing (`git merge-tree --write-tree` of its parents); a clean hand merge still is.
4. Approval by an account without access: a drive-by APPROVED review (`author_association: NONE`) counted.
   Only OWNER, MEMBER and COLLABORATOR approvals count.

Red team red13 then attacked those fixes (tests/test_red13_action_review.py on w/red13):

5. Enterprise Managed Users refused: EMU logins are `<handle>_<shortcode>` (`bob_octo`), which the login
   rule refused, so every opened/synchronize/reopened run of an EMU enterprise stopped with "sender.login
   is missing or not a login", and EMU reviewers' reviews were dropped. identity.valid_login accepts them.
6. Private organization members refused: `author_association` says MEMBER only for a public member; a
   private one with write access through a team shows as CONTRIBUTOR or NONE, and since (4) their approvals
   never counted. For such an approval (one that would count otherwise) the source now asks
   `collaborators/{login}/permission` once per login per run and counts write, maintain or admin; a
   question GitHub does not answer counts as no approval, with `tool/github-failed` and
   `review/unverifiable`.
7. Merge queue head by author date: a queue-made commit falls back to the PR the queue branch names, and
   that PR's "head" was the last of `pulls/{n}/commits` — which GitHub sorts by author date, a field the
   author writes. A stale approval of an older commit listed last covered the queue's squash of an
   unreviewed head. The head is now the sha the queue branch names (`…/pr-<n>-<sha>`), and nothing else.
8. (1) on `push` runs: an approval of a descendant C still covered a PR commit T after the PR was
   force-pushed back to T and landed (C stays in the clone). When the merged PR's final head is in the
   clone it bounds the approval — T or a descendant of it that is an ancestor of, or is, that head — for
   the PR's own commits and for the squash GitHub makes of them alike; only when the head is absent does
   the old rule apply, and the detail says so.

Real git repositories (RepoBuilder), event payload files, and a real local HTTP server (pytest-httpserver)
serving GitHub-shaped REST answers — the same harness as tests/test_action.py. SYNTHETIC marks payload
fields edited from the vendored corpus.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode
from gatekeeper.modes.action import ActionSettings, run_action
from gatekeeper.provenance.openpgp import ForgeKeys
from tests.github_helpers import (
    serve_permission,
    serve_reviews,
    synthetic_associated_pull,
    synthetic_pull_commit,
    synthetic_review,
    webhook_example,
)
from tests.repo_builder import RepoBuilder
from tests.test_action import MOBILE, POLICY, REPO, Env, gh, pr_event, push_payload, verdict_of
from tests.test_audit_review_trust import forge_key

__all__ = ["forge_key", "gh"]  # fixtures used below

ALICE = ("Alice Mobile", "alice@example.com")
# A base policy where an untagged commit counts as mobile too (fail-closed tagging): the author cannot
# escape review just by leaving the trailer out.
STRICT_POLICY = POLICY.replace("undeclared: desktop", "undeclared: mobile")


def _serve(server: HTTPServer, number: int, commits: list[dict[str, Any]], reviews: list[dict[str, Any]]) -> None:
    server.clear()
    serve_reviews(server, number, reviews)
    server.expect_request(f"/repos/{REPO}/pulls/{number}/commits").respond_with_json(commits)


def _serve_approved(server: HTTPServer, number: int, head: str) -> None:
    """PR `number`: Alice's one commit `head`, approved by Bob (added to what the server already answers)."""
    serve_reviews(server, number, [synthetic_review("bob", "APPROVED", head, rid=1)])
    server.expect_request(f"/repos/{REPO}/pulls/{number}/commits").respond_with_json(
        [synthetic_pull_commit(head, login="alice", email=ALICE[1])])


def _serve_merged(server: HTTPServer, pr: dict[str, Any], landed: str, head: str, approved: str) -> None:
    """Merged PR #7 (`pr`, which GitHub ties to `landed`): Alice's one commit `head`, Bob's approval of
    `approved`."""
    _serve(server, 7, [synthetic_pull_commit(head, login="alice", email=ALICE[1])],
           [synthetic_review("bob", "APPROVED", approved, rid=1)])
    server.expect_request(f"/repos/{REPO}/commits/{landed}/pulls").respond_with_json([pr])


def _serve_permission(server: HTTPServer, login: str, permission: str, role: str | None = None) -> None:
    serve_permission(server, login, permission, role, REPO)


def _permission_requests(server: HTTPServer) -> list[str]:
    return [request.path for request, _ in server.log if request.path.endswith("/permission")]


def test_approval_of_a_descendant_does_not_survive_a_force_push_back_to_its_ancestor(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """Alice pushes the malicious mobile commit T, then C on top of it, which takes the payload out again.
    Bob reviews the PR at C — the net diff base..C holds nothing malicious — and approves C. Alice then
    force-pushes the PR back to T. Bob never approved the state being merged, and the approval predates
    the last push (DESIGN §5: "a later push makes earlier approvals stale"), yet it is counted because C
    is a descendant of T. C stays in the clone (another branch of the repository, or any fetched ref)."""
    base = repo.commit("base\n", {".gatekeeper.yml": STRICT_POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    evil = repo.commit("phone: tweak" + MOBILE, {"app.py": "import os; os.system(input())\n"},
                       author=ALICE, committer=ALICE)
    benign = repo.commit("phone: tidy up" + MOBILE, {"app.py": "print('hi')\n"}, author=ALICE, committer=ALICE)
    repo.git("branch", "keep", benign)  # C is still known to the checkout
    repo.git("reset", "-q", "--hard", evil)  # the force push back to T
    shas = {"base": base, "head": evil}
    # SYNTHETIC: GitHub lists the PR's commits as of now (T only); Bob's approval was of C.
    _serve(httpserver, 7, [synthetic_pull_commit(evil, login="alice", email=ALICE[1])],
           [synthetic_review("bob", "APPROVED", benign, rid=1)])
    result = gh.run("pull_request", pr_event(shas), "--format", "json")
    assert result.exception is None, result.output
    verdict = verdict_of(result)
    head = next(c for c in verdict["commits"] if c["sha"] == evil)
    assert head["review"]["status"] != "approved", head["review"]
    assert result.return_value == ExitCode.BLOCKED, result.output


def test_the_pusher_of_a_mobile_commit_cannot_approve_it_under_a_made_up_author(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """Mallory has write access and pushes a mobile commit onto Bob's open pull request. git's author and
    committer fields are whatever her phone's git client says — here a name and address no GitHub account
    owns — so GitHub resolves no login for them. Then Mallory approves the pull request. Nobody but the
    commit's real author has looked at it, yet the gate counts her approval: the change's people are only
    the PR author (Bob), git's self-asserted names and the logins GitHub derived from them. The payload
    itself says who pushed the head: a `synchronize` event's `sender` (GitHub's own
    "require approval of the most recent reviewable push" rule exists for exactly this)."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    bobs = repo.commit("feature: start", {"lib.py": "A = 1\n"}, author=("Bob", "bob@example.com"),
                       committer=("Bob", "bob@example.com"))
    phone = ("iPhone", "mobile@localhost")  # the identity her phone's git client was set up with
    mallorys = repo.commit("phone: quick fix" + MOBILE, {"app.py": "import os; os.system(input())\n"},
                           author=phone, committer=phone)
    # SYNTHETIC: GitHub resolves Bob's address to @bob; the phone's made-up address to no account.
    _serve(httpserver, 7, [synthetic_pull_commit(bobs, login="bob", email="bob@example.com"),
                           synthetic_pull_commit(mallorys, login=None, email=phone[1])],
           [synthetic_review("mallory", "APPROVED", mallorys, rid=1)])
    payload = pr_event({"base": base, "head": mallorys}, action="synchronize")
    payload["pull_request"]["user"]["login"] = "bob"
    payload["sender"]["login"] = "mallory"  # SYNTHETIC: who pushed the new head (GitHub sets this)
    payload["before"], payload["after"] = bobs, mallorys
    result = gh.run("pull_request", payload, "--format", "json")
    assert result.exception is None, result.output
    head = next(c for c in verdict_of(result)["commits"] if c["sha"] == mallorys)
    assert "mallory" not in head["review"]["approvers"], head["review"]
    assert result.return_value == ExitCode.BLOCKED, result.output


def test_an_evil_merge_pushed_by_hand_is_not_covered_by_the_merged_prs_approval(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """Push to protected main (the Action's after-the-fact check for pushes past review). Mallory merges
    Bob-approved PR #9 by hand, slips an extra change into the merge commit itself (an "evil merge": the
    merge's tree is not the merge of its parents) and pushes. GitHub then reports PR #9 as merged with
    that commit as its merge commit. The gate treats every commit of a merged PR that is not in the PR's
    commit list as one "GitHub made when merging" and lets an approval of the PR's head cover it — but
    GitHub did not make this one (its committer is Mallory, not GitHub's web-flow identity, and it carries
    no web-flow signature), and nobody reviewed what the merge adds."""
    before = repo.commit("base\n", {".gatekeeper.yml": STRICT_POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    reviewed = repo.commit("phone: change" + MOBILE, {"a.py": "A = 1\n"}, author=ALICE, committer=ALICE)
    repo.checkout("main")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "feature")
    repo.write("app.py", "import os; os.system(input())\n")  # the unreviewed extra in the merge
    repo.git("add", "app.py")
    mallory = ("Mallory", "mallory@example.com")
    after = repo.commit("Merge pull request #9 from octo-org/feature", author=mallory, committer=mallory)
    assert repo.git("rev-list", "--parents", "-n1", after).count(" ") == 2  # a real merge commit
    # SYNTHETIC: GitHub's view after the push: PR #9 merged, with the pushed merge as its merge commit.
    pr = synthetic_associated_pull(9, base_ref="main", head_sha=reviewed, merged=True, merge_commit_sha=after,
                                   author="alice")
    for sha in (reviewed, after):
        httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json([pr])
    _serve_approved(httpserver, 9, reviewed)
    result = gh.run("push", push_payload(before, after), "--format", "json")
    assert result.exception is None, result.output
    merge = next(c for c in verdict_of(result)["commits"] if c["sha"] == after)
    assert merge["review"]["status"] != "approved", merge["review"]
    assert result.return_value == ExitCode.BLOCKED, result.output


def test_an_approval_by_an_account_without_access_to_the_repository_does_not_count(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """On a public repository any GitHub account can submit an APPROVED review on any pull request; GitHub
    shows it but never counts it for branch protection (only reviewers with write access count), and
    labels it `author_association: NONE`. The gate counts it: a drive-by approval — or one from whoever the
    author asks — satisfies DESIGN §5's "approved by someone other than its authors" for a mobile commit."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    head = repo.commit("phone: change" + MOBILE, {"app.py": "import os; os.system(input())\n"},
                       author=ALICE, committer=ALICE)
    outsider = synthetic_review("random-stranger", "APPROVED", head, rid=1)
    outsider["author_association"] = "NONE"  # SYNTHETIC: no relationship to the repository
    _serve(httpserver, 7, [synthetic_pull_commit(head, login="alice", email=ALICE[1])], [outsider])
    # SYNTHETIC: the gate asks whether the outsider has write access after all (a private org member would);
    # for an account that can only read a public repository GitHub answers `read`.
    _serve_permission(httpserver, "random-stranger", "read")
    result = gh.run("pull_request", pr_event({"base": base, "head": head}), "--format", "json")
    assert result.exception is None, result.output
    review = next(c for c in verdict_of(result)["commits"] if c["sha"] == head)["review"]
    assert review["status"] == "missing", review
    assert "random-stranger (NONE; repository permission read)" in review["detail"], review
    assert result.return_value == ExitCode.BLOCKED, result.output


def test_a_merge_pushed_by_hand_that_adds_nothing_is_still_covered_by_the_prs_approval(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """The other side of the evil merge: a merge made locally (not by GitHub, unsigned) whose tree is exactly
    git's merge of its parents holds nothing a reviewer of the PR's head did not see; the approval covers it."""
    before = repo.commit("base\n", {".gatekeeper.yml": STRICT_POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    reviewed = repo.commit("phone: change" + MOBILE, {"a.py": "A = 1\n"}, author=ALICE, committer=ALICE)
    repo.checkout("main")
    repo.commit("meanwhile on main" + MOBILE, {"b.py": "B = 1\n"}, author=ALICE, committer=ALICE)
    main_tip = repo.head()
    after = repo.merge("feature", "Merge pull request #9 from octo-org/feature")
    # SYNTHETIC: PR #9 merged with this merge; main's own commit came through PR #8, approved too.
    pr = synthetic_associated_pull(9, base_ref="main", head_sha=reviewed, merged=True, merge_commit_sha=after,
                                   author="alice")
    # (Rebase-merged: its merge commit is main_tip itself, which GitHub always names for a merged PR — red40.)
    other = synthetic_associated_pull(8, base_ref="main", head_sha=main_tip, merged=True, merge_commit_sha=main_tip,
                                      author="alice")
    for sha in (reviewed, after):
        httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json([pr])
    httpserver.expect_request(f"/repos/{REPO}/commits/{main_tip}/pulls").respond_with_json([other])
    for number, head in ((9, reviewed), (8, main_tip)):
        _serve_approved(httpserver, number, head)
    result = gh.run("push", push_payload(before, after), "--format", "json")
    assert result.exception is None, result.output
    merge = next(c for c in verdict_of(result)["commits"] if c["sha"] == after)
    assert merge["review"]["status"] == "approved", merge["review"]
    assert result.return_value == ExitCode.OK, result.output


def test_a_push_by_an_enterprise_managed_user_is_judged_not_refused(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """EMU logins are `<handle>_<shortcode>`: Bob (`bob_octo`) pushes an ordinary desktop commit to his PR.
    The `synchronize` payload's sender is `bob_octo`; the gate must judge the PR (nothing to review here),
    not stop with "sender.login is missing or not a login" — on every push, in the whole enterprise. (red13)"""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    head = repo.commit("feature: desktop change", {"lib.py": "A = 1\n"}, author=("Bob", "bob@corp.example"),
                       committer=("Bob", "bob@corp.example"))
    _serve(httpserver, 7, [synthetic_pull_commit(head, login="bob_octo", email="bob@corp.example")], [])
    payload = pr_event({"base": base, "head": head}, action="synchronize")
    payload["pull_request"]["user"]["login"] = "bob_octo"  # SYNTHETIC: EMU logins
    payload["sender"]["login"] = "bob_octo"
    result = gh.run("pull_request", payload, "--format", "json")
    assert result.exception is None, result.output
    assert result.return_value == ExitCode.OK, result.output


def test_an_enterprise_managed_users_approval_counts_and_the_emu_pusher_still_cannot_approve(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """The other side of EMU logins: Carol (`carol_octo`, a COLLABORATOR) approves Alice's mobile commit. In
    a run whose sender (the pusher) is `carol_octo` her approval is refused as the pusher's; in a run where
    `alice_octo` pushed, it counts."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    head = repo.commit("phone: change" + MOBILE, {"app.py": "print('hello')\n"}, author=ALICE, committer=ALICE)
    commits = [synthetic_pull_commit(head, login="alice_octo", email=ALICE[1])]
    _serve(httpserver, 7, commits, [synthetic_review("carol_octo", "APPROVED", head, rid=1)])
    payload = pr_event({"base": base, "head": head}, action="synchronize")
    payload["sender"]["login"] = "carol_octo"  # SYNTHETIC: EMU logins
    result = gh.run("pull_request", payload, "--format", "json")
    review = next(c for c in verdict_of(result)["commits"] if c["sha"] == head)["review"]
    assert review["status"] == "self" and "(pushed the commits under review): @carol_octo" in review["detail"], review
    payload["sender"]["login"] = "alice_octo"
    _serve(httpserver, 7, commits, [synthetic_review("carol_octo", "APPROVED", head, rid=1)])
    result = gh.run("pull_request", payload, "--format", "json")
    review = next(c for c in verdict_of(result)["commits"] if c["sha"] == head)["review"]
    assert review["status"] == "approved" and review["approvers"] == ["carol_octo"], review
    assert result.return_value == ExitCode.OK, result.output


def test_an_approval_by_a_private_org_member_with_write_access_counts(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """Carol is a member of octo-org with write access through the `maintainers` team; like most members
    her membership is private, so GitHub labels her review `author_association: CONTRIBUTOR`. GitHub's own
    branch protection counts her approval (she has write access, which the permission endpoint reports);
    the gate must too, or every team with private members can never turn the check green. (red13) Two
    mobile commits ask about Carol once."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    first = repo.commit("phone: start" + MOBILE, {"app.py": "print('hey')\n"}, author=ALICE, committer=ALICE)
    head = repo.commit("phone: change" + MOBILE, {"app.py": "print('hello')\n"}, author=ALICE, committer=ALICE)
    carol = synthetic_review("carol", "APPROVED", head, rid=1)
    carol["author_association"] = "CONTRIBUTOR"  # SYNTHETIC: a private org member, as GitHub reports her
    _serve(httpserver, 7, [synthetic_pull_commit(sha, login="alice", email=ALICE[1]) for sha in (first, head)],
           [carol])
    _serve_permission(httpserver, "carol", "write")  # team write access
    result = gh.run("pull_request", pr_event({"base": base, "head": head}), "--format", "json")
    assert result.exception is None, result.output
    for sha in (first, head):
        review = next(c for c in verdict_of(result)["commits"] if c["sha"] == sha)["review"]
        assert review["status"] == "approved" and review["approvers"] == ["carol"], review
    assert result.return_value == ExitCode.OK, result.output
    assert _permission_requests(httpserver) == [f"/repos/{REPO}/collaborators/carol/permission"]


def test_a_maintain_role_counts_and_a_custom_read_role_does_not(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """`permission` maps maintain to write and triage to read; `role_name` names the role, custom ones too."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    head = repo.commit("phone: change" + MOBILE, {"app.py": "print('hello')\n"}, author=ALICE, committer=ALICE)
    for permission, role, status in (("write", "maintain", "approved"), ("read", "release-notes-editor", "missing"),
                                     ("read", "triage", "missing"), ("admin", "admin", "approved")):
        dave = synthetic_review("dave", "APPROVED", head, rid=1)
        dave["author_association"] = "NONE"  # SYNTHETIC
        _serve(httpserver, 7, [synthetic_pull_commit(head, login="alice", email=ALICE[1])], [dave])
        _serve_permission(httpserver, "dave", permission, role)
        result = gh.run("pull_request", pr_event({"base": base, "head": head}), "--format", "json")
        review = next(c for c in verdict_of(result)["commits"] if c["sha"] == head)["review"]
        assert review["status"] == status, (permission, role, review)


def test_an_unanswered_permission_question_is_no_approval_and_is_reported(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """GitHub refuses the permission question (403: a token without push access, e.g. a fork's read-only
    token) or does not know the account (404): the approval does not count. The 403 is an API failure and
    says so — `tool/github-failed` and `review/unverifiable`, status unknown — never a silent `missing`."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    head = repo.commit("phone: change" + MOBILE, {"app.py": "print('hello')\n"}, author=ALICE, committer=ALICE)
    carol = synthetic_review("carol", "APPROVED", head, rid=1)
    carol["author_association"] = "CONTRIBUTOR"  # SYNTHETIC
    commits = [synthetic_pull_commit(head, login="alice", email=ALICE[1])]
    _serve(httpserver, 7, commits, [carol])
    httpserver.expect_request(f"/repos/{REPO}/collaborators/carol/permission").respond_with_json(
        {"message": "Must have push access to view collaborator permission."}, status=403)  # SYNTHETIC
    result = gh.run("pull_request", pr_event({"base": base, "head": head}), "--format", "json")
    assert result.exception is None, result.output
    verdict = verdict_of(result)
    review = next(c for c in verdict["commits"] if c["sha"] == head)["review"]
    assert review["status"] == "unknown" and review["approvers"] == [], review
    assert "not counted (write access could not be checked): @carol (CONTRIBUTOR; repository permission could " \
           "not be read" in review["detail"], review
    rules = [f["rule_id"] for f in verdict["findings"]]
    assert "review/unverifiable" in rules and "tool/github-failed" in rules and "review/missing" not in rules, rules
    assert result.return_value == ExitCode.BLOCKED, result.output

    _serve(httpserver, 7, commits, [carol])
    httpserver.expect_request(f"/repos/{REPO}/collaborators/carol/permission").respond_with_json(
        {"message": "Not Found"}, status=404)  # SYNTHETIC
    result = gh.run("pull_request", pr_event({"base": base, "head": head}), "--format", "json")
    review = next(c for c in verdict_of(result)["commits"] if c["sha"] == head)["review"]
    assert review["status"] == "missing" and "carol (CONTRIBUTOR; repository permission none (404))" in \
        review["detail"], review
    assert result.return_value == ExitCode.BLOCKED, result.output


def test_the_permission_is_asked_only_when_the_approvals_without_it_are_too_few(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """A COLLABORATOR's approval suffices once GitHub says the reviewer can write (asked first: red96): a
    CONTRIBUTOR's approval next to it then costs no request (anyone can submit one on a public repository), and an
    approval that would not count anyway (stale) never asks."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    old = repo.commit("phone: start" + MOBILE, {"app.py": "print('hey')\n"}, author=ALICE, committer=ALICE)
    head = repo.commit("phone: change" + MOBILE, {"app.py": "print('hello')\n"}, author=ALICE, committer=ALICE)
    outsider = synthetic_review("stranger", "APPROVED", head, rid=1)
    outsider["author_association"] = "CONTRIBUTOR"  # SYNTHETIC
    stale = synthetic_review("erin", "APPROVED", old, rid=2)
    stale["author_association"] = "NONE"  # SYNTHETIC
    commits = [synthetic_pull_commit(sha, login="alice", email=ALICE[1]) for sha in (old, head)]
    _serve(httpserver, 7, commits, [outsider, stale, synthetic_review("bob", "APPROVED", head, rid=3)])
    result = gh.run("pull_request", pr_event({"base": base, "head": head}), "--format", "json")
    assert result.return_value == ExitCode.OK, result.output
    review = next(c for c in verdict_of(result)["commits"] if c["sha"] == head)["review"]
    assert review["approvers"] == ["bob"] and "write access not asked" in review["detail"], review
    assert _permission_requests(httpserver) == [f"/repos/{REPO}/collaborators/bob/permission"]


def _queue_squash(repo: RepoBuilder, fpr: str, env: dict[str, str]) -> tuple[str, str, str, str]:
    """PR #7: A (desktop), then T on top (mobile); the queue squashes it into Q, committed and signed as
    GitHub's web-flow does. Returns (base, A, T, Q)."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    approved = repo.commit("feature: harmless", {"lib.py": "A = 1\n"}, author=("Alice", ALICE[1]),
                           committer=("Alice", ALICE[1]))
    unreviewed = repo.commit("phone: tweak" + MOBILE, {"app.py": "import os; os.system(input())\n"},
                             author=ALICE, committer=ALICE)
    repo.checkout("main")
    repo.git("merge", "-q", "--squash", "feature")
    repo.git("-c", f"user.signingkey={fpr}", "commit", "-q", "-S", "-F", "-",
             input="phone: tweak (#7)" + MOBILE,
             env={**env, "GIT_AUTHOR_NAME": ALICE[0], "GIT_AUTHOR_EMAIL": ALICE[1]})
    return base, approved, unreviewed, repo.head()


def _queue_run(gh: Env, httpserver: HTTPServer, keys: ForgeKeys, base: str, squash: str, named_head: str,
               commits: list[str], reviews: list[dict[str, Any]]) -> Any:
    payload = webhook_example("api.github.com/merge_group/checks_requested.payload.json")
    group = payload["merge_group"]
    group["base_sha"], group["head_sha"] = base, squash  # SYNTHETIC shas
    group["base_ref"] = "refs/heads/main"
    group["head_ref"] = f"refs/heads/gh-readonly-queue/main/pr-7-{named_head}"
    _serve(httpserver, 7, [synthetic_pull_commit(sha, login="alice", email=ALICE[1]) for sha in commits], reviews)
    httpserver.expect_request(f"/repos/{REPO}/commits/{squash}/pulls").respond_with_json([])
    # #7 as GitHub holds it: its title is the squash's subject (`phone: tweak (#7)`), what ties Q to it.
    httpserver.expect_request(f"/repos/{REPO}/pulls/7").respond_with_json(
        synthetic_associated_pull(7, base_ref="main", head_sha=named_head, merged=False, author="alice",
                                  title="phone: tweak"))
    gh.event.write_text(json.dumps(payload))
    verdict = run_action(ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "merge_group"}),
                         forge_keys=keys).verdict
    assert verdict is not None
    return verdict


def test_a_queue_squash_is_not_covered_by_a_stale_approval_listed_last_by_author_date(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder,
        forge_key: tuple[dict[str, str], ForgeKeys, str]) -> None:
    """Squash merge queue. PR #7: A (desktop, approved by Bob), then T on top (mobile, never reviewed) with an
    author date set before A's. GitHub lists a PR's commits by author date, so `pulls/7/commits` is [T, A]
    and the fallback took A for the PR's head. The queue squashes the PR into Q (web-flow committer and
    signature, message carrying T's trailer: mobile). Q is "made when merging", and was covered by an
    approval of "the head" A — Bob's stale one. The queue branch `…/pr-7-<T>` names the real head; nobody
    approved T. (red13) An approval of T, the head the queue names, does cover Q."""
    env, keys, fpr = forge_key
    base, approved, unreviewed, squash = _queue_squash(repo, fpr, env)
    # SYNTHETIC: author-date order puts the approved A last; Bob approved A before T was pushed.
    verdict = _queue_run(gh, httpserver, keys, base, squash, unreviewed, [unreviewed, approved],
                         [synthetic_review("bob", "APPROVED", approved, rid=1)])
    (commit,) = verdict.commits
    assert commit.signature.status.value == "good"  # GitHub made Q: the attack is on which head it covers
    assert commit.review.status.value != "approved", commit.review
    assert verdict.exit_code == ExitCode.BLOCKED, commit.review

    verdict = _queue_run(gh, httpserver, keys, base, squash, unreviewed, [unreviewed, approved],
                         [synthetic_review("bob", "APPROVED", unreviewed, rid=1)])
    (commit,) = verdict.commits
    assert commit.review.status.value == "approved" and commit.review.approvers == ("bob",), commit.review
    assert verdict.exit_code == ExitCode.OK, commit.review


def _force_pushed_back(repo: RepoBuilder) -> tuple[str, str, str]:
    """main at base; PR #7 had T (malicious, mobile) then C (takes the payload out again), then was
    force-pushed back to T. C stays in the clone (another branch). Returns (base, T, C)."""
    before = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    evil = repo.commit("phone: tweak" + MOBILE, {"app.py": "import os; os.system(input())\n"},
                       author=ALICE, committer=ALICE)
    benign = repo.commit("phone: tidy up" + MOBILE, {"app.py": "print('hi')\n"}, author=ALICE, committer=ALICE)
    repo.git("branch", "keep", benign)  # C is still fetched by fetch-depth: 0
    repo.git("reset", "-q", "--hard", evil)
    repo.checkout("main")
    return before, evil, benign


def test_a_direct_push_of_a_force_pushed_back_head_is_not_covered_by_the_discarded_descendants_approval(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """red11's force-push-back attack, on the push check instead of the PR check (which 988f503 closed).
    Bob approved C (T + a revert of T's payload); Alice force-pushes PR #7 back to T and, with push rights on
    main, fast-forwards main to T. GitHub marks PR #7 merged (its head T is in main). The push is exactly what
    `review/bypassed` exists to catch, yet T counted as approved: on push a PR commit was covered by an
    approval of any descendant known locally, and C still is (any other branch). The PR's final head (T,
    here local) bounds what the approval may come from, as base..head does for the PR check. (red13)"""
    before, evil, benign = _force_pushed_back(repo)
    repo.git("merge", "-q", "--ff-only", evil)
    # SYNTHETIC: PR #7 marked merged by the push, its final head T; Bob's approval was of C.
    pr = synthetic_associated_pull(7, base_ref="main", head_sha=evil, merged=True, merge_commit_sha=evil,
                                   author="alice")
    _serve_merged(httpserver, pr, evil, evil, benign)
    result = gh.run("push", push_payload(before, evil), "--format", "json")
    assert result.exception is None, result.output
    head = next(c for c in verdict_of(result)["commits"] if c["sha"] == evil)
    assert head["review"]["status"] != "approved", head["review"]
    assert result.return_value == ExitCode.BLOCKED, result.output

    # The other side: the same push with Bob's approval of T itself is covered.
    _serve_merged(httpserver, pr, evil, evil, evil)
    result = gh.run("push", push_payload(before, evil), "--format", "json")
    assert result.return_value == ExitCode.OK, result.output


def test_a_github_squash_of_a_force_pushed_back_head_is_not_covered_by_the_discarded_descendants_approval(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder,
        forge_key: tuple[dict[str, str], ForgeKeys, str]) -> None:
    """The same attack through the merge button: PR #7 pushed back to T and squash-merged by GitHub into Q
    (web-flow committer and signature). Q is made when merging and rides on an approval of the PR's final
    head — T, not C, which was an approval of a descendant of T outside the PR being merged."""
    env, keys, fpr = forge_key
    before, evil, benign = _force_pushed_back(repo)
    repo.git("merge", "-q", "--squash", "feature")
    repo.git("-c", f"user.signingkey={fpr}", "commit", "-q", "-S", "-F", "-", input="phone: tweak (#7)" + MOBILE,
             env={**env, "GIT_AUTHOR_NAME": ALICE[0], "GIT_AUTHOR_EMAIL": ALICE[1]})
    squash = repo.head()
    pr = synthetic_associated_pull(7, base_ref="main", head_sha=evil, merged=True, merge_commit_sha=squash,
                                   author="alice")  # SYNTHETIC
    for approved, status in ((benign, "stale"), (evil, "approved")):
        _serve_merged(httpserver, pr, squash, evil, approved)
        gh.event.write_text(json.dumps(push_payload(before, squash)))
        verdict = run_action(ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "push"}),
                             forge_keys=keys).verdict
        assert verdict is not None
        (commit,) = verdict.commits
        assert commit.signature.status.value == "good"
        assert commit.review.status.value == status, commit.review


def test_without_the_prs_head_in_the_clone_the_old_rule_applies_and_the_detail_says_so(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """The merged PR's final head is not in the clone (a fork's branch, or one deleted after merging): an
    approval of a descendant of the commit known here still counts, as before — and the detail says why."""
    before, evil, benign = _force_pushed_back(repo)
    repo.git("merge", "-q", "--ff-only", evil)
    gone = "f" * 40  # SYNTHETIC: a head the clone does not have
    pr = synthetic_associated_pull(7, base_ref="main", head_sha=gone, merged=True, merge_commit_sha=evil,
                                   author="alice")
    _serve_merged(httpserver, pr, evil, evil, benign)
    result = gh.run("push", push_payload(before, evil), "--format", "json")
    review = next(c for c in verdict_of(result)["commits"] if c["sha"] == evil)["review"]
    assert review["status"] == "approved", review
    assert f"its head {gone[:12]} is not in the clone, so an approval of any later commit" in review["detail"], review


@pytest.mark.parametrize("association", ["COLLABORATOR", "MEMBER"])
def test_a_read_only_collaborator_or_member_does_not_approve(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, association: str) -> None:
    """red96: GitHub labels an outside collaborator invited with read access COLLABORATOR, and a public member of
    the organization whose base permission is read MEMBER. GitHub's branch protection does not count their
    approvals (only write access does); the gate asked nothing and counted them. Now it asks, as for anyone but
    the repository's OWNER, and a `read` answer leaves the phone commit unreviewed."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    head = repo.commit("phone: change" + MOBILE, {"app.py": "print('hello')\n"}, author=ALICE, committer=ALICE)
    reader = synthetic_review("reader", "APPROVED", head, rid=1)
    reader["author_association"] = association  # SYNTHETIC: as GitHub labels a read-only collaborator / member
    httpserver.clear()
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/reviews").respond_with_json([reader])
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/commits").respond_with_json(
        [synthetic_pull_commit(head, login="alice", email=ALICE[1])])
    _serve_permission(httpserver, "reader", "read")
    result = gh.run("pull_request", pr_event({"base": base, "head": head}), "--format", "json")
    review = next(c for c in verdict_of(result)["commits"] if c["sha"] == head)["review"]
    assert review["status"] == "missing" and review["approvers"] == [], review
    assert f"@reader ({association}; repository permission read)" in review["detail"], review
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert _permission_requests(httpserver) == [f"/repos/{REPO}/collaborators/reader/permission"]
