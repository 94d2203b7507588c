"""Red team red97: the write-access rule of b3e1659 (only OWNER counts by itself; MEMBER and COLLABORATOR are
asked `collaborators/{login}/permission` like anyone else, first, at most 50 logins a run, once per login).

Tried, as a PR author with throw-away and read-only accounts — every attempt below HELD (these tests pass):

1. Crowding out: 50 read-only COLLABORATOR approvals whose logins sort before the real (write) COLLABORATOR
   reviewer's. The 51st login is never asked; the run fails closed — status `unknown`, `review/unverifiable`
   and `tool/github-failed` — not a silent `missing`.
2. Another account's answer: the permission answer for `Bob` is about `bob-admin` (write) — GitHubError,
   unverifiable, never approved; an answer about `BOB` (the same login, other case) counts (no false block).
3. Approve, then comment: a read-only MEMBER's later COMMENTED review keeps the approval, which still does
   not count; a write MEMBER's does, asked once for two mobile commits.
4. Policy owners: a read-only COLLABORATOR named in CODEOWNERS for the policy file does not approve
   `policy/changed`, though a writer (not an owner) approved the PR too.
5. Landed paths: a read-only COLLABORATOR's approval of a merged PR does not land its mobile commit on
   a push (`review/bypassed`), nor pass a merge queue run.
6. OWNER: counted without a question (no permission request at all).

Also noted (not a test): gatekeeper/review/github_source.py's module docstring still says "Who may approve:
an `author_association` of OWNER, MEMBER or COLLABORATOR", and docs/action.md names the detail label "not
counted (no access to the repository …)" where the code writes "not counted (no write access to the
repository)". Order within an association bucket is login order (`sorted(latest)`), not the reviews' order
the comment in `assess` says.
Same harness as tests/test_action_review_hostile.py.
"""

from __future__ import annotations

from typing import Any

from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode
from tests.github_helpers import (
    serve_reviews,
    synthetic_associated_pull,
    synthetic_pull_commit,
    synthetic_review,
    webhook_example,
)
from tests.repo_builder import RepoBuilder
from tests.test_action import MOBILE, POLICY, REPO, Env, gh, pr_event, push_payload, verdict_of
from tests.test_action_review_hostile import ALICE, _permission_requests, _serve_permission

__all__ = ["gh"]  # fixture used below


def _review(login: str, sha: str, rid: int, association: str, state: str = "APPROVED") -> dict[str, Any]:
    review = synthetic_review(login, state, sha, rid=rid)
    review["author_association"] = association  # SYNTHETIC
    return review


def _pr(server: HTTPServer, commits: list[str], reviews: list[dict[str, Any]],
        permissions: dict[str, str], number: int = 7) -> None:
    """PR `number`: Alice's commits, `reviews`; `permissions` registered first (they win over serve_reviews')."""
    server.clear()
    for login, permission in permissions.items():
        _serve_permission(server, login, permission)
    serve_reviews(server, number, reviews)
    server.expect_request(f"/repos/{REPO}/pulls/{number}/commits").respond_with_json(
        [synthetic_pull_commit(sha, login="alice", email=ALICE[1]) for sha in commits])


def _phone_pr(repo: RepoBuilder, files: dict[str, str] | None = None) -> tuple[str, str]:
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n", **(files or {})})
    repo.branch("feature")
    head = repo.commit("phone: change" + MOBILE, {"app.py": "print('hello')\n"}, author=ALICE, committer=ALICE)
    return base, head


def _head_review(result: Any, head: str) -> dict[str, Any]:
    review: dict[str, Any] = next(c for c in verdict_of(result)["commits"] if c["sha"] == head)["review"]
    return review


def test_fifty_read_only_collaborators_crowding_out_the_writer_fail_closed_not_missing(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    base, head = _phone_pr(repo)
    readers = [f"aa-reader-{i:02d}" for i in range(50)]  # sort before "carol"
    reviews = [_review(login, head, i, "COLLABORATOR") for i, login in enumerate(readers, start=1)]
    reviews.append(_review("carol", head, 100, "COLLABORATOR"))
    _pr(httpserver, [head], reviews, {login: "read" for login in readers})
    result = gh.run("pull_request", pr_event({"base": base, "head": head}), "--format", "json")
    assert result.exception is None, result.output
    review = _head_review(result, head)
    assert review["status"] == "unknown" and review["approvers"] == [], review
    assert "review/unverifiable" in result.output and "tool/github-failed" in result.output
    assert "review/missing" not in result.output
    assert len(_permission_requests(httpserver)) == 50
    assert f"/repos/{REPO}/collaborators/carol/permission" not in _permission_requests(httpserver)
    assert result.return_value == ExitCode.BLOCKED


def test_a_permission_answer_about_another_account_never_approves(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    base, head = _phone_pr(repo)
    httpserver.clear()
    httpserver.expect_request(f"/repos/{REPO}/collaborators/Bob/permission").respond_with_json(
        {"permission": "admin", "role_name": "admin", "user": {"login": "bob-admin", "type": "User"}})
    _pr_no_clear = [_review("Bob", head, 1, "COLLABORATOR")]
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/reviews").respond_with_json(_pr_no_clear)
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/commits").respond_with_json(
        [synthetic_pull_commit(head, login="alice", email=ALICE[1])])
    result = gh.run("pull_request", pr_event({"base": base, "head": head}), "--format", "json")
    review = _head_review(result, head)
    assert review["status"] == "unknown" and review["approvers"] == [], review
    assert result.return_value == ExitCode.BLOCKED

    # The same login in another case is the same account: counted (no false block).
    httpserver.clear()
    httpserver.expect_request(f"/repos/{REPO}/collaborators/Bob/permission").respond_with_json(
        {"permission": "write", "role_name": "write", "user": {"login": "BOB", "type": "User"}})
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/reviews").respond_with_json(_pr_no_clear)
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/commits").respond_with_json(
        [synthetic_pull_commit(head, login="alice", email=ALICE[1])])
    result = gh.run("pull_request_review", pr_event({"base": base, "head": head}, action="submitted"),
                    "--format", "json")
    review = _head_review(result, head)
    assert review["status"] == "approved" and review["approvers"] == ["Bob"], review
    assert result.return_value == ExitCode.OK


def test_approve_then_comment_keeps_the_rule(gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    first = repo.commit("phone: one" + MOBILE, {"app.py": "print('one')\n"}, author=ALICE, committer=ALICE)
    head = repo.commit("phone: two" + MOBILE, {"app.py": "print('two')\n"}, author=ALICE, committer=ALICE)
    reviews = [_review("reader", head, 1, "MEMBER"), _review("reader", head, 2, "MEMBER", "COMMENTED")]
    _pr(httpserver, [first, head], reviews, {"reader": "read"})
    result = gh.run("pull_request", pr_event({"base": base, "head": head}), "--format", "json")
    assert _head_review(result, head)["status"] == "missing"
    assert result.return_value == ExitCode.BLOCKED
    assert _permission_requests(httpserver) == [f"/repos/{REPO}/collaborators/reader/permission"]

    reviews = [_review("writer", head, 1, "MEMBER"), _review("writer", head, 2, "MEMBER", "COMMENTED")]
    _pr(httpserver, [first, head], reviews, {})
    result = gh.run("pull_request_review", pr_event({"base": base, "head": head}, action="submitted"),
                    "--format", "json")
    assert _head_review(result, head)["status"] == "approved"
    assert result.return_value == ExitCode.OK, result.output
    assert _permission_requests(httpserver) == [f"/repos/{REPO}/collaborators/writer/permission"]


def test_a_read_only_codeowner_does_not_approve_a_policy_change(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, ".github/CODEOWNERS": "/.gatekeeper.yml @reader\n"})
    repo.branch("feature")
    weakened = POLICY.replace("review: {approvals: 1, exclude_authors: true, after_last_mobile_commit: true}",
                              "review: {approvals: 0}")
    head = repo.commit("phone: relax the gate" + MOBILE, {".gatekeeper.yml": weakened}, author=ALICE,
                       committer=ALICE)
    reviews = [_review("bob", head, 1, "COLLABORATOR"), _review("reader", head, 2, "COLLABORATOR")]
    _pr(httpserver, [head], reviews, {"reader": "read"})
    result = gh.run("pull_request", pr_event({"base": base, "head": head}))
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "policy/changed (blocking)" in result.output
    assert "review/missing" not in result.output  # bob (write) reviewed the mobile commit


def _landed(repo: RepoBuilder) -> tuple[str, str, str]:
    before = repo.commit("base\n", {".gatekeeper.yml": POLICY})
    repo.branch("feature")
    mobile = repo.commit("phone: change" + MOBILE, {"a.py": "A = 1\n"}, author=ALICE, committer=ALICE)
    repo.checkout("main")
    after = repo.merge("feature", "Merge pull request #9 from octo-org/feature")
    return before, mobile, after


def test_a_read_only_collaborators_approval_does_not_land_a_push(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    before, mobile, after = _landed(repo)
    _pr(httpserver, [mobile], [_review("reader", mobile, 1, "COLLABORATOR")], {"reader": "read"}, number=9)
    pr = synthetic_associated_pull(9, base_ref="main", head_sha=mobile, merged=True, merge_commit_sha=after)
    httpserver.expect_request(f"/repos/{REPO}/commits/{mobile}/pulls").respond_with_json([pr])
    result = gh.run("push", push_payload(before, after))
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "review/bypassed (blocking)" in result.output


def test_a_read_only_collaborators_approval_does_not_pass_the_merge_queue(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    base, head = _phone_pr(repo)
    payload = webhook_example("api.github.com/merge_group/checks_requested.payload.json")
    group = payload["merge_group"]
    group["base_sha"], group["head_sha"] = base, head  # SYNTHETIC shas
    group["base_ref"] = "refs/heads/main"
    group["head_ref"] = f"refs/heads/gh-readonly-queue/main/pr-7-{head}"
    _pr(httpserver, [head], [_review("reader", head, 1, "COLLABORATOR")], {"reader": "read"})
    httpserver.expect_request(f"/repos/{REPO}/commits/{head}/pulls").respond_with_json(
        [synthetic_associated_pull(7, base_ref="main", head_sha=head, merged=False)])
    result = gh.run("merge_group", payload)
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "review/missing (blocking)" in result.output


def test_an_owner_counts_without_a_question(gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    base, head = _phone_pr(repo)
    _pr(httpserver, [head], [_review("octo-org-owner", head, 1, "OWNER")], {})
    result = gh.run("pull_request", pr_event({"base": base, "head": head}), "--format", "json")
    assert _head_review(result, head)["status"] == "approved"
    assert result.return_value == ExitCode.OK, result.output
    assert _permission_requests(httpserver) == []
