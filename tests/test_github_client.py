"""The REST client against a real local HTTP server: corpus examples plus labelled synthetic variants."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from gatekeeper.config import default_policy
from gatekeeper.git import Git
from gatekeeper.models import Commit, CommitReport, Origin, Person, RefKind, RefUpdate, ReviewStatus
from gatekeeper.modes.action import ActionSettings
from gatekeeper.review.github import GitHubClient, GitHubError
from gatekeeper.review.github_source import GitHubEvent, GitHubReviewSource
from tests.github_helpers import (
    TOKEN,
    rest_example,
    serve_pull_commits,
    serve_reviews,
    synthetic_pull_commit,
    synthetic_review,
)
from tests.repo_builder import RepoBuilder

REPO = "octocat/Hello-World"
REVIEWS = f"/repos/{REPO}/pulls/12/reviews"
SHA = "e" * 40


class Sleeps:
    """An injected sleep: records the waits instead of taking them."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def test_review_author_association_is_kept_and_a_missing_or_odd_one_never_grants_access(
        httpserver: HTTPServer, sleeps: Sleeps) -> None:
    # SYNTHETIC: GitHub always sends author_association; lower case, garbage and absence are handled.
    member = synthetic_review("bob", "APPROVED", SHA, rid=1)
    member["author_association"] = "member"
    missing = synthetic_review("carol", "APPROVED", SHA, rid=2)
    del missing["author_association"]
    odd = synthetic_review("dave", "APPROVED", SHA, rid=3)
    odd["author_association"] = "OWNER\x1b[2J"
    httpserver.expect_request(REVIEWS).respond_with_json([member, missing, odd])
    reviews = client(httpserver, sleeps).pull_reviews(REPO, 12)
    # (MEMBER is kept; it shows no write access by itself: the gate asks GitHub for that, red96.)
    assert [(r.login, r.association, r.has_access) for r in reviews] == [
        ("bob", "MEMBER", False), ("carol", "", False), ("dave", "", False)]


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def client(server: HTTPServer, sleeps: Sleeps, **kwargs: object) -> GitHubClient:
    options: dict[str, object] = {"api_url": server.url_for("").rstrip("/"), "sleep": sleeps,
                                  "timeout": (5.0, 10.0), "backoff_factor": 0.01}
    options.update(kwargs)
    return GitHubClient(TOKEN, **options)  # type: ignore[arg-type]


def test_reviews_example_parsed_and_token_sent(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_request(REVIEWS, headers={"Authorization": f"Bearer {TOKEN}"}).respond_with_json(
        rest_example("pulls__list-reviews"))
    reviews = client(httpserver, sleeps).pull_reviews(REPO, 12)
    assert [(r.login, r.state, r.commit_id, r.user_type, r.association) for r in reviews] == [
        ("octocat", "APPROVED", "ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091", "User", "COLLABORATOR")]
    request, _ = httpserver.log[0]
    assert request.args["per_page"] == "100"
    assert request.headers["X-GitHub-Api-Version"] == "2022-11-28"


def test_pull_commits_example_parsed(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_request(f"/repos/{REPO}/pulls/12/commits").respond_with_json(
        rest_example("pulls__list-commits"))
    (commit,) = client(httpserver, sleeps).pull_commits(REPO, 12)
    assert commit.sha == "6dcb09b5b57875f334f61aebed695e2e4193db5e"
    assert (commit.author_login, commit.committer_login, commit.author_email) == (
        "octocat", "octocat", "support@github.com")


def test_commit_pulls_example_parsed(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_request(f"/repos/{REPO}/commits/{SHA}/pulls").respond_with_json(
        rest_example("repos__list-pull-requests-associated-with-commit"))
    (pr,) = client(httpserver, sleeps).commit_pulls(REPO, SHA)
    assert (pr.number, pr.base_ref, pr.merged, pr.author_login) == (1347, "master", True, "octocat")
    assert pr.merge_commit_sha == "e5bd3914e2e596debea16f433f57875b5b90bcd6"


def test_two_pages_of_reviews_via_link_header(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    # SYNTHETIC: the corpus review split over two pages.
    page2 = httpserver.url_for(REVIEWS) + "?per_page=100&page=2"
    httpserver.expect_request(REVIEWS, query_string={"per_page": "100", "page": "2"}).respond_with_json(
        [synthetic_review("bob", "APPROVED", SHA, rid=2)])
    httpserver.expect_request(REVIEWS, query_string={"per_page": "100"}).respond_with_json(
        [synthetic_review("carol", "COMMENTED", SHA, rid=1)],
        headers={"Link": f'<{page2}>; rel="next", <{page2}>; rel="last"'})
    reviews = client(httpserver, sleeps).pull_reviews(REPO, 12)
    assert [r.login for r in reviews] == ["carol", "bob"]


def test_page_cap(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    # SYNTHETIC: a server whose Link header never ends.
    loop = httpserver.url_for(REVIEWS) + "?per_page=100"
    httpserver.expect_request(REVIEWS).respond_with_json([], headers={"Link": f'<{loop}>; rel="next"'})
    with pytest.raises(GitHubError, match="more than 3 pages"):
        client(httpserver, sleeps, max_pages=3).pull_reviews(REPO, 12)


def test_pagination_to_another_host_is_refused(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    # SYNTHETIC: a Link header pointing elsewhere must not receive the token.
    httpserver.expect_request(REVIEWS).respond_with_json(
        [], headers={"Link": '<https://evil.example/steal?page=2>; rel="next"'})
    with pytest.raises(GitHubError, match="another host"):
        client(httpserver, sleeps).pull_reviews(REPO, 12)


def test_502_then_success(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    # SYNTHETIC: one transient 502 before the corpus answer.
    httpserver.expect_ordered_request(REVIEWS).respond_with_data("bad gateway", status=502)
    httpserver.expect_ordered_request(REVIEWS).respond_with_json(rest_example("pulls__list-reviews"))
    reviews = client(httpserver, sleeps).pull_reviews(REPO, 12)
    assert len(reviews) == 1
    assert len(httpserver.log) == 2


def test_persistent_503_fails_closed_after_retries(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    # SYNTHETIC
    httpserver.expect_request(REVIEWS).respond_with_data("unavailable", status=503)
    with pytest.raises(GitHubError, match="503") as info:
        client(httpserver, sleeps, retries=2).pull_reviews(REPO, 12)
    assert len(httpserver.log) == 3
    assert sleeps.calls, "backoff between retries goes through the injected sleep"
    assert TOKEN not in str(info.value) + info.value.fix


def test_429_with_retry_after_is_honoured(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    # SYNTHETIC: secondary rate limit with Retry-After: 3 (slept through the injected sleep).
    httpserver.expect_ordered_request(REVIEWS).respond_with_data("slow down", status=429, headers={"Retry-After": "3"})
    httpserver.expect_ordered_request(REVIEWS).respond_with_json(rest_example("pulls__list-reviews"))
    started = time.monotonic()
    assert len(client(httpserver, sleeps).pull_reviews(REPO, 12)) == 1
    assert sleeps.calls == [3]
    assert time.monotonic() - started < 2


def test_retry_after_is_capped(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    # SYNTHETIC: an absurd Retry-After is cut to the client's cap.
    httpserver.expect_ordered_request(REVIEWS).respond_with_data("", status=429, headers={"Retry-After": "86400"})
    httpserver.expect_ordered_request(REVIEWS).respond_with_json([])
    client(httpserver, sleeps, max_wait=5).pull_reviews(REPO, 12)
    assert sleeps.calls == [5]


def test_429_without_retry_after_waits_for_rate_limit_reset(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    # SYNTHETIC: primary rate limit reported as 429 with X-RateLimit-Reset 10 s ahead of a fixed clock.
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1010"}
    httpserver.expect_ordered_request(REVIEWS).respond_with_data("", status=429, headers=headers)
    httpserver.expect_ordered_request(REVIEWS).respond_with_json([])
    client(httpserver, sleeps, clock=lambda: 1000.0).pull_reviews(REPO, 12)
    assert sleeps.calls == [11.0]


def test_403_rate_limit_waits_once_within_the_cap(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    # SYNTHETIC: GitHub's primary rate limit answer (403 + X-RateLimit-Remaining: 0).
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1004"}
    httpserver.expect_ordered_request(REVIEWS).respond_with_data("rate limited", status=403, headers=headers)
    httpserver.expect_ordered_request(REVIEWS).respond_with_json([])
    client(httpserver, sleeps, clock=lambda: 1000.0).pull_reviews(REPO, 12)
    assert sleeps.calls == [5.0]


def test_403_rate_limit_beyond_the_cap_is_a_clear_error(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    # SYNTHETIC
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "5000"}
    httpserver.expect_request(REVIEWS).respond_with_data("rate limited", status=403, headers=headers)
    with pytest.raises(GitHubError, match="rate limit exhausted") as info:
        client(httpserver, sleeps, clock=lambda: 1000.0, max_wait=60).pull_reviews(REPO, 12)
    assert sleeps.calls == []
    assert "re-run" in info.value.fix


@pytest.mark.parametrize(("status", "needle", "fix"), [
    (401, "token was rejected", "token"),
    (403, "pull-requests: read", "permissions"),
    (404, "not found", "pull-requests: read"),
])
def test_auth_errors_name_the_permission(httpserver: HTTPServer, sleeps: Sleeps, status: int, needle: str,
                                         fix: str) -> None:
    # SYNTHETIC error bodies; GitHub's own echo the request, never the token.
    httpserver.expect_request(REVIEWS).respond_with_json({"message": "nope"}, status=status)
    with pytest.raises(GitHubError) as info:
        client(httpserver, sleeps).pull_reviews(REPO, 12)
    assert needle in info.value.message
    assert fix in info.value.fix
    assert TOKEN not in info.value.message + info.value.fix + repr(info.value)


def test_commit_pulls_403_names_contents_permission(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_request(f"/repos/{REPO}/commits/{SHA}/pulls").respond_with_json({}, status=403)
    with pytest.raises(GitHubError, match="contents: read"):
        client(httpserver, sleeps).commit_pulls(REPO, SHA)


@pytest.mark.parametrize("body", [b"<html>proxy error</html>", b'{"truncated": ', b'{"not": "a list"}', b"\xff\xfe"])
def test_garbage_json_is_an_error(httpserver: HTTPServer, sleeps: Sleeps, body: bytes) -> None:
    # SYNTHETIC
    httpserver.expect_request(REVIEWS).respond_with_data(body, content_type="application/json")
    with pytest.raises(GitHubError, match="JSON"):
        client(httpserver, sleeps).pull_reviews(REPO, 12)


def test_hostile_review_items_are_dropped_not_trusted(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    # SYNTHETIC: a deleted user (user null), an unknown state (kept as UNKNOWN: it withdraws, never approves),
    # a control-character login, a bad sha.
    good = synthetic_review("bob", "APPROVED", "not-a-sha", rid=4)
    bad_login = synthetic_review("bob\x1b[2J", "APPROVED", SHA, rid=3)
    unknown = synthetic_review("carol", "SUPER_APPROVED", SHA, rid=2)
    ghost = synthetic_review("dave", "APPROVED", SHA, rid=1)
    ghost["user"] = None
    httpserver.expect_request(REVIEWS).respond_with_json([ghost, unknown, bad_login, good])
    reviews = client(httpserver, sleeps).pull_reviews(REPO, 12)
    assert [(r.login, r.state, r.commit_id) for r in reviews] == [("carol", "UNKNOWN", SHA), ("bob", "APPROVED", None)]


@pytest.fixture
def slow_server() -> Iterator[HTTPServer]:
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_timeout_fails_closed(slow_server: HTTPServer, sleeps: Sleeps) -> None:
    # SYNTHETIC: the handler answers after the client's read timeout.
    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response(json.dumps([]), content_type="application/json")

    slow_server.expect_request(REVIEWS).respond_with_handler(slow)
    with pytest.raises(GitHubError, match="timed out"):
        client(slow_server, sleeps, timeout=(1.0, 0.2), retries=1).pull_reviews(REPO, 12)


def test_token_not_in_repr_and_plain_http_refused() -> None:
    gh = GitHubClient(TOKEN, api_url="https://ghe.example.com/api/v3/")
    assert TOKEN not in repr(gh) and "***" in repr(gh)
    assert gh.api_url == "https://ghe.example.com/api/v3"
    with pytest.raises(GitHubError, match="not an https URL") as info:
        GitHubClient(TOKEN, api_url="http://ghe.example.com/api/v3")
    assert TOKEN not in str(info.value)


def test_connection_error_is_redacted(sleeps: Sleeps) -> None:
    gh = GitHubClient(TOKEN, api_url="http://127.0.0.1:9", retries=0, sleep=sleeps, timeout=(0.5, 0.5))
    with pytest.raises(GitHubError) as info:
        gh.pull_reviews(REPO, 1)
    assert TOKEN not in info.value.message
    assert "GITHUB_API_URL" in info.value.fix


def test_invalid_repository_name_refused(sleeps: Sleeps) -> None:
    gh = GitHubClient(TOKEN, api_url="https://api.github.com", sleep=sleeps)
    for repo in ("noslash", "a/b/c", "a/../b", "a/b?x=1"):
        with pytest.raises(GitHubError, match="invalid repository"):
            gh.pull_reviews(repo, 1)


def test_team_membership(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    # SYNTHETIC bodies for the team membership endpoint.
    base = "/orgs/acme/teams/security/memberships"
    httpserver.expect_request(f"{base}/tina").respond_with_json({"state": "active", "role": "member"})
    httpserver.expect_request(f"{base}/mallory").respond_with_json({"message": "Not Found"}, status=404)
    httpserver.expect_request(f"{base}/nobody").respond_with_json({"message": "no access"}, status=403)
    gh = client(httpserver, sleeps)
    assert gh.team_membership("acme/security", "tina") is True
    assert gh.team_membership("acme/security", "mallory") is False
    assert gh.team_membership("acme/security", "nobody") is None


def test_collaborator_permission(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    # SYNTHETIC bodies shaped as GitHub answers GET /repos/{owner}/{repo}/collaborators/{username}/permission.
    base = f"/repos/{REPO}/collaborators"
    httpserver.expect_request(f"{base}/carol_octo/permission").respond_with_json(
        {"permission": "write", "role_name": "Maintain", "user": {"login": "Carol_Octo", "type": "User"}})
    httpserver.expect_request(f"{base}/ghost/permission").respond_with_json({"message": "Not Found"}, status=404)
    httpserver.expect_request(f"{base}/nobody/permission").respond_with_json(
        {"message": "Must have push access to view collaborator permission."}, status=403)
    httpserver.expect_request(f"{base}/swap/permission").respond_with_json(
        {"permission": "admin", "role_name": "admin", "user": {"login": "someone-else"}})
    httpserver.expect_request(f"{base}/blank/permission").respond_with_json({"user": {"login": "blank"}})
    httpserver.expect_request(f"{base}/odd/permission").respond_with_json(
        {"permission": "read\x1b[2J", "role_name": "x" * 100, "user": {"login": "odd"}})
    gh = client(httpserver, sleeps)
    assert gh.collaborator_permission(REPO, "carol_octo") == ("write", "maintain")
    assert gh.collaborator_permission(REPO, "ghost") is None
    with pytest.raises(GitHubError, match="403 forbidden: the token lacks `metadata: read`"):
        gh.collaborator_permission(REPO, "nobody")
    with pytest.raises(GitHubError, match="another account"):
        gh.collaborator_permission(REPO, "swap")
    with pytest.raises(GitHubError, match="names no permission"):
        gh.collaborator_permission(REPO, "blank")
    assert gh.collaborator_permission(REPO, "odd") == ("read2j", "x" * 40)
    with pytest.raises(GitHubError, match="invalid login"):
        gh.collaborator_permission(REPO, "../../orgs")


def test_timeout_in_the_review_source_fails_closed(slow_server: HTTPServer, sleeps: Sleeps, tmp_path: Path) -> None:
    # SYNTHETIC: the reviews endpoint hangs; the source reports tool/github-failed and never "approved".
    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response("[]", content_type="application/json")

    slow_server.expect_request(REVIEWS).respond_with_handler(slow)
    gh = client(slow_server, sleeps, timeout=(1.0, 0.2), retries=0)
    event = GitHubEvent("pull_request", REPO, "refs/heads/main", "a" * 40, SHA, pr_number=12)
    source = GitHubReviewSource(gh, event, Git(tmp_path))
    commit = Commit(SHA, ("a" * 40,), Person("A", "a@example.com"), Person("A", "a@example.com"), 0, 0, "m")
    report = CommitReport(commit=commit, origin=Origin(), mobile=True, ruleset="mobile")
    result = source.review([report], [report], [], default_policy(), 1)
    assert result.reviews[SHA].status is ReviewStatus.UNKNOWN
    assert [f.rule_id for f in result.findings] == ["tool/github-failed", "review/unverifiable"]
    assert result.findings[1].enforced  # blocks whatever on_tool_error says
    assert "timed out" in result.findings[0].message
    assert TOKEN not in "".join(f.message for f in result.findings) + result.reviews[SHA].detail


def test_settings_repr_hides_the_token() -> None:
    settings = ActionSettings(event_name="push", event_path=Path("e.json"), workspace=Path("."), token=TOKEN)
    assert TOKEN not in repr(settings)


class WalkLog(Git):
    """A real Git that records which commits `rev-list` was asked to walk."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.walks: list[list[str]] = []

    def rev_list(self, include, exclude=(), **kwargs):  # type: ignore[no-untyped-def,override]
        self.walks.append(list(include))
        return super().rev_list(include, exclude, **kwargs)


@pytest.mark.parametrize("reviewed", ["head", "outside"])
def test_review_uses_the_engines_range_and_an_approval_outside_it_covers_nothing(
        httpserver: HTTPServer, sleeps: Sleeps, repo: RepoBuilder, reviewed: str) -> None:
    """The engine collected base..head once: an approval of a commit inside it is judged on those commits'
    parents, without git walking the range again. One of a commit outside it (an earlier head since
    force-pushed away) reviewed something that is not being merged: it covers nothing, although that
    commit descends from the mobile one, and git is not asked either (red11: before, it counted)."""
    alice = ("Alice", "alice@example.com")
    base = repo.commit("base\n", {"a.py": "A = 0\n"})
    mobile = repo.commit("phone\n\nOrigin-Device: mobile\n", {"a.py": "A = 1\n"}, author=alice, committer=alice)
    repo.branch("earlier")
    earlier = repo.commit("earlier head\n", {"c.py": "C = 1\n"}, author=alice, committer=alice)
    repo.checkout("main")
    repo.git("reset", "-q", "--hard", mobile)
    head = repo.commit("more\n", {"b.py": "B = 1\n"}, author=alice, committer=alice)
    serve_reviews(httpserver, 12, [synthetic_review("bob", "APPROVED", head if reviewed == "head" else earlier, rid=1)],
                  REPO)
    httpserver.expect_request(f"/repos/{REPO}/pulls/12/commits").respond_with_json(
        [synthetic_pull_commit(sha, login="alice", email=alice[1]) for sha in (mobile, head)])
    git = WalkLog(repo.path)
    reports = [CommitReport(commit=c, origin=Origin(), mobile=c.sha == mobile, ruleset="mobile")
               for c in git.commits([head], [base])]
    event = GitHubEvent("pull_request", REPO, "refs/heads/main", base, head, pr_number=12, pr_author="alice")
    source = GitHubReviewSource(client(httpserver, sleeps), event, git)
    result = source.review(reports, [r for r in reports if r.mobile],
                           [RefUpdate("refs/heads/main", base, head, RefKind.UPDATE)], default_policy(), 1)
    expected = ReviewStatus.APPROVED if reviewed == "head" else ReviewStatus.STALE
    assert result.reviews[mobile].status is expected, result.reviews[mobile]
    assert [f.rule_id for f in result.findings] == ([] if reviewed == "head" else ["review/missing"])
    assert git.walks == []


def test_a_truncated_pr_is_reconciled_once_per_run(httpserver: HTTPServer, sleeps: Sleeps, tmp_path: Path) -> None:
    """GitHub lists 250 of the PR's 251 commits: the one it left out is looked up once, although the review
    and the policy-owner review (a PR that changes the policy) both need the PR's commits."""
    from gatekeeper.checks import CheckContext
    from gatekeeper.review.github_source import PR_COMMITS_LIMIT

    base = "b" * 40
    shas = [f"{i:040x}" for i in range(1, PR_COMMITS_LIMIT + 2)]
    person = Person("Alice", "alice@example.com")
    reports = [CommitReport(commit=Commit(sha, (parent,), person, person, 0, 0, "change"), origin=Origin(),
                            mobile=sha == shas[-1], ruleset="mobile")
               for parent, sha in zip([base, *shas], shas, strict=False)]
    listed = [synthetic_pull_commit(sha, login="alice", email=person.email) for sha in shas[:PR_COMMITS_LIMIT]]
    serve_pull_commits(httpserver, REPO, 12, listed)
    serve_reviews(httpserver, 12, [synthetic_review("bob", "APPROVED", shas[-1], rid=1)], REPO)
    httpserver.expect_request(f"/repos/{REPO}/commits/{shas[-1]}").respond_with_json(
        synthetic_pull_commit(shas[-1], login="alice", email=person.email))
    event = GitHubEvent("pull_request", REPO, "refs/heads/main", base, shas[-1], pr_number=12, pr_author="alice")
    source = GitHubReviewSource(client(httpserver, sleeps), event, Git(tmp_path))
    updates = [RefUpdate("refs/heads/main", base, shas[-1], RefKind.UPDATE)]
    ctx = CheckContext(default_policy(), reports, {}, updates, "action", dt.datetime.now(dt.UTC))
    owners = source.policy_review(None)(ctx, reports[-1:], [".gatekeeper.yml"])
    result = source.review(reports, reports[-1:], updates, default_policy(), 1)
    assert owners.approved, owners.detail
    assert result.reviews[shas[-1]].status is ReviewStatus.APPROVED, result.reviews[shas[-1]]
    lookups = [r for r, _ in httpserver.log if r.path == f"/repos/{REPO}/commits/{shas[-1]}"]
    assert len(lookups) == 1


def test_branch_protection_is_githubs_answer(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    """(red69) Whether GitHub protects a branch: its `protected` (rules or rulesets); 404 is "cannot say"; an answer
    about another branch or without a boolean is an error, never a guess."""
    gh = client(httpserver, sleeps)
    httpserver.expect_request(f"/repos/{REPO}/branches/release/1.0").respond_with_json(
        {"name": "release/1.0", "protected": True})
    httpserver.expect_request(f"/repos/{REPO}/branches/dev").respond_with_json({"name": "dev", "protected": False})
    httpserver.expect_request(f"/repos/{REPO}/branches/gone").respond_with_json({"message": "Not Found"}, status=404)
    httpserver.expect_request(f"/repos/{REPO}/branches/odd").respond_with_json({"name": "main", "protected": True})
    httpserver.expect_request(f"/repos/{REPO}/branches/vague").respond_with_json({"name": "vague", "protected": "yes"})
    assert gh.branch_protected(REPO, "release/1.0") is True
    assert gh.branch_protected(REPO, "dev") is False
    assert gh.branch_protected(REPO, "gone") is None
    for name in ("odd", "vague"):
        with pytest.raises(GitHubError, match="not branch"):
            gh.branch_protected(REPO, name)
    with pytest.raises(GitHubError, match="invalid branch"):
        gh.branch_protected(REPO, "bad name")
