"""Red team red15: the 50-login cap on collaborators/{login}/permission (d395b4f) lets drive-by approvals push a
real reviewer's approval out.

On a public repository anyone can submit an APPROVED review. The gate asks the permission of pending
reviewers in login order, and after 50 logins stops asking: 50 throw-away accounts whose logins sort before
the real reviewer's (a private org member with write access, shown as CONTRIBUTOR) make her approval
"write access could not be checked", and the pull request can never turn green (review/unverifiable). Fail
closed, but a denial of service any outsider can mount. Same harness as tests/test_action_review_hostile.py.
"""

from __future__ import annotations

from pytest_httpserver import HTTPServer

from tests.github_helpers import synthetic_pull_commit, synthetic_review
from tests.repo_builder import RepoBuilder
from tests.test_action import MOBILE, POLICY, Env, gh, pr_event, verdict_of
from tests.test_action_review_hostile import ALICE, _serve, _serve_permission

__all__ = ["gh"]  # fixture used below


def test_fifty_drive_by_approvals_do_not_push_a_real_reviewer_out(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    head = repo.commit("phone: change" + MOBILE, {"app.py": "print('hello')\n"}, author=ALICE, committer=ALICE)
    strangers = [f"aa-drive-by-{i:02d}" for i in range(50)]  # sort before "carol"
    reviews = []
    for i, login in enumerate(strangers, start=1):
        review = synthetic_review(login, "APPROVED", head, rid=i)
        review["author_association"] = "NONE"
        reviews.append(review)
    carol = synthetic_review("carol", "APPROVED", head, rid=100)
    carol["author_association"] = "CONTRIBUTOR"  # a private org member with write access through a team
    reviews.append(carol)
    _serve(httpserver, 7, [synthetic_pull_commit(head, login="alice", email=ALICE[1])], reviews)
    for login in strangers:
        _serve_permission(httpserver, login, "read")
    _serve_permission(httpserver, "carol", "write")
    result = gh.run("pull_request", pr_event({"base": base, "head": head}), "--format", "json")
    assert result.exception is None, result.output
    review = next(c for c in verdict_of(result)["commits"] if c["sha"] == head)["review"]
    assert review["status"] == "approved" and review["approvers"] == ["carol"], review
